import { randomUUID } from 'node:crypto';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeData, inputDefaults, waitFor, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const EXPENSES_MSIAM_ROLE = 'b9632174-c057-4f7e-951b-be3adc52bfe6';
const ADMIN_CHAT = `a:personal-${ADMIN.aadObjectId}`;
const MANAGER_CHAT = `a:personal-${MANAGER.aadObjectId}`;

/**
 * The approver's card must reach "granted" even where it cannot be updated in place: a channel that gives no activity id
 * (the playground) and a Bot Connector that refuses the update. It used to stay at "granting…".
 */
describe("an access approver's card reaches its end", () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { JOB_POLL_MS: '50' });
    for (const user of [ADMIN, MANAGER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  async function requestAndApprove(partner: string): Promise<{ before: number; id: string }> {
    const activityId = randomUUID();
    await bot.say(MANAGER, `request expenses for ${partner} for 14 days because Quarterly close`, { activityId, expectReplies: 0 });
    const reply = await waitFor('the form', () => bot.connector.calls.find((c) => c.activity.replyToId === activityId));
    const form = cardOf(reply);
    const data = executeData(form, 'access.submit');
    if (!data) throw new Error(`no Send request button in: ${cardText(form)}`);
    await bot.click(MANAGER, 'access.submit', { ...inputDefaults(form), ...data, appRoleId: EXPENSES_MSIAM_ROLE, days: '14', justification: 'Quarterly close' });
    const id = String(data.formId);
    await waitFor('the approval card', async () => ((await bot.bot.services.store.accessRequests.get(id))?.approvalMessages.length ? true : undefined));
    const before = bot.connector.calls.length;
    const approved = await bot.click(ADMIN, 'access.approve', { id });
    expect(cardText(approved.value)).toContain('Approved by Adele Vance');
    return { before, id };
  }

  it('sends the granted state as a new message when the channel gave the card no activity id', async () => {
    bot.connector.returnIds = false;
    try {
      const { before } = await requestAndApprove('alice@fabrikam.com');
      const ended = await waitFor('the granted card', () => bot.connector.calls.slice(before).find((c) => c.conversationId === ADMIN_CHAT && cardText(cardOf(c)).includes('granted until')));
      expect(ended.method).toBe('POST');
      expect(bot.connector.calls.slice(before).filter((c) => c.method === 'PUT')).toEqual([]);
    } finally {
      bot.connector.returnIds = true;
    }
  });

  it('tells the requester on a later run of the job when Teams refused the notice, saying it may repeat', async () => {
    const { id } = await requestAndApprove('carla.diaz@wingtiptoys.com');
    // Teams refuses the outcome notice with an answer the notifier does not retry; a step that counted the notice as told
    // would never send it.
    bot.connector.failNext({ status: 400, method: 'POST', conversationId: MANAGER_CHAT });
    await waitFor('the notice step to be retried', async () => {
      const job = await bot.bot.jobs.queue.findByUniqueKey(`access.grant:${id}`);
      return job?.lastError?.includes('could not tell the requester') ? job : undefined;
    });
    bot.connector.clear();
    const told = await waitFor('the requester to be told', () =>
      bot.connector.calls.find((c) => c.method === 'POST' && c.conversationId === MANAGER_CHAT && String(c.activity.text ?? '').includes('granted until')),
    );
    expect(String(told.activity.text ?? '')).toMatch(/sent again/);
    expect((await bot.bot.services.store.accessRequests.get(id))?.state).toBe('granted');
  }, 60_000);

  it('sends it as a new message when the update is refused, and records where it went', async () => {
    bot.connector.failNext({ status: 404, method: 'PUT', conversationId: ADMIN_CHAT, times: 10 });
    const { before, id } = await requestAndApprove('bob@tailspintoys.com');
    const ended = await waitFor('the granted card', () => bot.connector.calls.slice(before).find((c) => c.conversationId === ADMIN_CHAT && cardText(cardOf(c)).includes('granted until')));
    expect(ended.method).toBe('POST');
    const stored = await waitFor('the new location to be stored', async () => {
      const messages = (await bot.bot.services.store.accessRequests.get(id))?.approvalMessages ?? [];
      return messages.some((m) => m.activityId === ended.id) ? messages : undefined;
    });
    expect(stored).toHaveLength(1);
    bot.connector.clear();
  });
});
