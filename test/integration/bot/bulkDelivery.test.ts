import type { RunningSandbox } from '../../../sandbox/server';
import type { BulkRunView } from '../../../bot/services/bulk/bulkRuns';
import { cardOf, cardText, executeData, startBotOn, waitFor, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const ADMIN_CHAT = `a:personal-${ADMIN.aadObjectId}`;
const BASE_ENV = { BULK_INVITES_PER_MINUTE: '60000', BULK_PROGRESS_UPDATE_MS: '1000', JOB_POLL_MS: '20' };

function openUrl(card: unknown): string | undefined {
  const actions = (card as { actions?: { type: string; url?: string }[] } | undefined)?.actions ?? [];
  return actions.find((a) => a.type === 'Action.OpenUrl')?.url;
}

function addresses(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}@fabrikam.com`);
}

async function settled(bot: TestBot, id: string): Promise<BulkRunView> {
  return waitFor(
    `run ${id} to settle`,
    async () => {
      const view = await bot.bot.services.bulkInvitations.view(id);
      return view && ['finished', 'stopped', 'cancelled'].includes(view.state) ? view : undefined;
    },
    40_000,
  );
}

/** The last card the admin's chat got, sent or updated, once it says the run finished. */
async function finalCard(bot: TestBot, after: number): Promise<{ call: ConnectorCall; card: Record<string, unknown> }> {
  return waitFor('the final bulk card', () => {
    const call = bot.connector.calls.slice(after).filter((c) => c.conversationId === ADMIN_CHAT && cardText(cardOf(c)).includes('Bulk invitation finished')).at(-1);
    const card = cardOf(call);
    return call && card ? { call, card } : undefined;
  });
}

/** Types the list, checks the confirmation, starts it (below the approval threshold) and waits for the end. */
async function runTyped(bot: TestBot, list: string[]): Promise<{ id: string; confirmation: string }> {
  const [reply] = await bot.say(ADMIN, `invite ${list.join(', ')}`);
  const start = executeData(cardOf(reply), 'bulk.start');
  if (!start) throw new Error(`no Start button: ${cardText(cardOf(reply))}`);
  const started = await bot.click(ADMIN, 'bulk.start', { ...start });
  expect(cardText(started.value)).toContain('Started');
  const id = String(start.id);
  expect((await settled(bot, id)).state).toBe('finished');
  return { id, confirmation: cardText(cardOf(reply)) };
}

describe('bulk invitations reach the partners, and their cards reach the end', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  describe('in sandbox mode without PUBLIC_BASE_URL', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startBotOn(sandbox, BASE_ENV);
      await bot.say(ADMIN, 'whoami');
    });
    afterAll(async () => {
      await bot?.close();
    });

    it('warns that no email goes out, then links the results file with every redemption link on its own loopback address', async () => {
      const list = addresses('loop', 3);
      const before = bot.connector.calls.length;
      const { confirmation } = await runTyped(bot, list);
      expect(confirmation).toContain('The 3 partners get no email from Microsoft: you send each their redemption link');
      expect(confirmation).toContain('results file');

      const { card } = await finalCard(bot, before);
      expect(cardText(card)).toContain('3 partners got no email from Microsoft: send each their redemption link');
      const link = openUrl(card);
      expect(link?.startsWith(`${bot.bot.url}/bulk/`)).toBe(true);
      const download = await fetch(link ?? '');
      expect(download.status).toBe(200);
      const csv = await download.text();
      for (const address of list) {
        const line = csv.split('\r\n').find((l) => l.startsWith(address));
        expect(line).toMatch(/,Succeeded,.*https:\/\/login\.microsoftonline\.com\/redeem\?rd=/);
      }
    });

    it('says so when Microsoft emails the invitations (sendEmail in the CSV)', async () => {
      const view = await bot.bot.services.bulkInvitations.create(
        { aadObjectId: ADMIN.aadObjectId, name: ADMIN.name, tenantId: sandbox.tenantId, teamsUserId: `29:${ADMIN.aadObjectId}`, roles: ['admin'] },
        [{ input: 'mail0@fabrikam.com', sendEmail: true }, { input: 'mail1@fabrikam.com', sendEmail: false }],
      );
      if (!view.ok) throw new Error(view.problem);
      expect(view.view.delivery).toEqual({ byEmail: 1, byLink: 1, linksReady: 0 });
    });

    it('sends the final state as a new message when the channel gives no activity id (the playground)', async () => {
      bot.connector.returnIds = false;
      try {
        const before = bot.connector.calls.length;
        await runTyped(bot, addresses('noid', 2));
        const { call } = await finalCard(bot, before);
        expect(call.method).toBe('POST');
        expect(bot.connector.calls.slice(before).filter((c) => c.method === 'PUT')).toEqual([]);
      } finally {
        bot.connector.returnIds = true;
      }
    });

    it('still brings the progress card to the end when the run finishes before the card could be sent', async () => {
      const [reply] = await bot.say(ADMIN, `invite ${addresses('late', 2).join(', ')}`);
      const start = executeData(cardOf(reply), 'bulk.start');
      if (!start) throw new Error(`no Start button: ${cardText(cardOf(reply))}`);
      // Teams holds the progress card back (429) while the job invites both partners.
      bot.connector.failNext({ status: 429, method: 'POST', conversationId: ADMIN_CHAT, retryAfter: '1.5' });
      const before = bot.connector.calls.length;
      await bot.click(ADMIN, 'bulk.start', { ...start });
      const id = String(start.id);
      expect((await settled(bot, id)).state).toBe('finished');
      const { call } = await finalCard(bot, before);
      const run = await bot.bot.services.store.bulkRuns.get(id);
      expect(run?.progressMessage?.activityId).toBe(call.id);
    });

    it('sends the final state as a new message when updating the progress card fails, and updates that one next', async () => {
      bot.connector.failNext({ status: 404, method: 'PUT', conversationId: ADMIN_CHAT, times: 100 });
      const before = bot.connector.calls.length;
      const { id } = await runTyped(bot, addresses('fail', 2));
      const { call } = await finalCard(bot, before);
      expect(call.method).toBe('POST');
      const run = await bot.bot.services.store.bulkRuns.get(id);
      expect(run?.progressMessage?.activityId).toBe(call.id);
      bot.connector.clear();
    });
  });

  describe('outside sandbox mode without PUBLIC_BASE_URL', () => {
    let bot: TestBot;
    beforeAll(async () => {
      // What the environment cannot express in sandbox mode: the results may not be served on loopback.
      bot = await startBotOn(sandbox, { ...BASE_ENV, BULK_APPROVAL_THRESHOLD: '30' }, (config) => {
        const { resultsOnOwnAddress: _dropped, ...invitations } = config.invitations;
        return { ...config, invitations };
      });
      for (const user of [ADMIN, NESTED_ADMIN]) await bot.say(user, 'whoami');
    });
    afterAll(async () => {
      await bot?.close();
    });

    it('lists every row with its redemption link on paged results cards, each well under 100 KB', async () => {
      const list = addresses('paged', 25);
      const before = bot.connector.calls.length;
      const { id, confirmation } = await runTyped(bot, list);
      expect(confirmation).toContain('the final card lists each redemption link');
      const { card } = await finalCard(bot, before);
      expect(openUrl(card)).toBeUndefined();
      const show = executeData(card, 'bulk.results');
      expect(show).toEqual({ id, page: 1 });

      const seen: string[] = [];
      let data: Record<string, unknown> | undefined = show;
      for (let page = 1; data; page += 1) {
        const answer = await bot.click(ADMIN, 'bulk.results', data);
        const text = cardText(answer.value);
        expect(text).toContain(`page ${page} of 2`);
        expect(JSON.stringify(answer.value).length).toBeLessThan(50 * 1024);
        seen.push(...list.filter((address) => text.includes(`${address}: Invited: send this link`)));
        expect(text.match(/https:\/\/login\.microsoftonline\.com\/redeem\?rd=/g)?.length).toBe(page === 1 ? 20 : 5);
        data = executeData(answer.value, 'bulk.results');
        if (data && Number(data.page) <= page) {
          data = (answer.value as { actions?: { verb?: string; data?: Record<string, unknown> }[] }).actions?.find((a) => a.verb === 'bulk.results' && Number(a.data?.page) > page)?.data;
        }
      }
      expect(seen.sort()).toEqual([...list].sort());
    });

    it('stores where an approval card went when its update failed, so the next update goes there', async () => {
      const [reply] = await bot.say(ADMIN, `invite ${addresses('appr', 31).join(', ')}`);
      const start = executeData(cardOf(reply), 'bulk.start');
      if (!start) throw new Error(`no Start button: ${cardText(cardOf(reply))}`);
      await bot.click(ADMIN, 'bulk.start', { ...start });
      const id = String(start.id);
      const stored = await waitFor('the approval cards', async () => {
        const run = await bot.bot.services.store.bulkRuns.get(id);
        return run && run.approvalMessages.length > 0 ? run.approvalMessages : undefined;
      });
      const nestedChat = `a:personal-${NESTED_ADMIN.aadObjectId}`;
      bot.connector.failNext({ status: 404, method: 'PUT', conversationId: nestedChat });
      const before = bot.connector.calls.length;
      await bot.click(ADMIN, 'bulk.cancel', { id });
      const resent = await waitFor('the settled card as a new message', () =>
        bot.connector.calls.slice(before).find((c) => c.method === 'POST' && c.conversationId === nestedChat && cardText(cardOf(c)).includes('cancelled')),
      );
      const now = (await bot.bot.services.store.bulkRuns.get(id))?.approvalMessages ?? [];
      expect(now.map((m) => m.activityId)).toContain(resent.id);
      expect(now).toHaveLength(stored.length);
    });
  });
});
