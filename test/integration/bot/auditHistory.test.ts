import type { RunningSandbox } from '../../../sandbox/server';
import { rowHash } from '../../../bot/store/auditChain';
import { cardOf, cardText, executeData, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
const ALICE_UPN = 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com';

function openUrl(card: unknown): string | undefined {
  const actions = (card as { actions?: { type: string; url?: string }[] } | undefined)?.actions ?? [];
  return actions.find((a) => a.type === 'Action.OpenUrl')?.url;
}

describe('history and audit over HTTP against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { PUBLIC_BASE_URL: 'http://127.0.0.1:1', DOWNLOAD_LINK_SECRET: 'a-test-secret-that-is-long-enough-for-hmac' });
    for (const user of [ADMIN, MANAGER, MEMBER]) await bot.say(user, 'whoami');
    const audit = bot.bot.services.store.audit;
    await audit.append({ actor: ADMIN.aadObjectId, actorName: ADMIN.name, action: 'invite.create', target: 'alice@fabrikam.com', outcome: 'started', detail: { invitation: 'i1', delivery: 'link', groups: [] } });
    await audit.append({ actor: MANAGER.aadObjectId, actorName: MANAGER.name, action: 'access.request', target: ALICE_UPN, outcome: 'requested', detail: { request: 'r1', app: 'f0000000-0000-4000-8000-000000000001', appName: 'Contoso Timesheets', days: 30 } });
    await audit.append({ actor: ADMIN.aadObjectId, actorName: '=cmd|"/c calc"!A1', action: 'access.approve', target: ALICE_UPN, outcome: 'success', detail: { request: 'r1', comment: '@SUM(1)' } });
  }, 60_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it("shows a partner manager a partner's history, with what Graph knows", async () => {
    const [reply] = await bot.say(MANAGER, 'history alice@fabrikam.com');
    const text = cardText(cardOf(reply));
    expect(text).toContain('Alice');
    expect(text).toContain('Access to Contoso Timesheets requested for 30 days');
    expect(text).toContain('Invitation approved and sent to Microsoft (the inviter passes on the redemption link)');
    expect(text).toContain('Account created');
    expect(text).toMatch(/Last sign-in/);
  });

  it('shows a synced partner like a guest, saying there is no invitation or redemption rather than leaving it out', async () => {
    const [reply] = await bot.say(MANAGER, 'history wmoran@fabrikam.com');
    const text = cardText(cardOf(reply));
    expect(text).toContain('Wendy Moran');
    expect(text).toContain('None: synced from our on-prem AD (wmoran), so there is no invitation or redemption to show');
    expect(text).not.toContain('Redeemed');
    expect(text).not.toContain('Invitation redeemed');
    const [invited] = await bot.say(MANAGER, 'history alice@fabrikam.com');
    expect(cardText(cardOf(invited))).not.toContain('synced from our on-prem AD');
  });

  it('answers an unknown address and hostile text clearly, with no stack trace', async () => {
    const [nobody] = await bot.say(MANAGER, 'history ${1+1}@nowhere.example');
    expect(cardText(cardOf(nobody))).toContain('Nobody matches "${1+1}@nowhere.example"');
    const [markdown] = await bot.say(MANAGER, 'history [click](https://evil.example)');
    expect(cardText(cardOf(markdown))).toMatch(/email address, UPN or object id/);
    const [long] = await bot.say(MANAGER, `history ${'x'.repeat(10_000)}@fabrikam.com`);
    const longText = cardText(cardOf(long));
    expect(longText).toMatch(/not an email address or UPN I can look up/);
    expect(longText).not.toMatch(/\bat \w+ \(|TypeError|stack/);
  });

  it('keeps audit for admins: a partner manager and a member are refused', async () => {
    for (const user of [MANAGER, MEMBER]) {
      const [reply] = await bot.say(user, 'audit');
      expect(cardText(cardOf(reply))).toMatch(/You can't use audit\s+audit is for admins/);
    }
    const [member] = await bot.say(MEMBER, 'history alice@fabrikam.com');
    expect(cardText(cardOf(member))).toMatch(/history is for partner managers and admins/);
  });

  it('pages the filtered log for an admin, and refuses a bad filter with what to do', async () => {
    const [page] = await bot.say(ADMIN, 'audit partner alice@fabrikam.com');
    const text = cardText(cardOf(page));
    expect(text).toContain('Request for');
    expect(text).toContain(ALICE_UPN.replace(/_/g, '\\_'));
    const [bad] = await bot.say(ADMIN, 'audit days forever');
    expect(cardText(cardOf(bad))).toMatch(/"days" takes a whole number of days from 1 to 3650/);
    expect(executeData(cardOf(page), 'audit.older')).toBeUndefined();
  });

  it('verifies the chain of everything this bot wrote', async () => {
    const [reply] = await bot.say(ADMIN, 'audit verify');
    expect(cardText(cardOf(reply))).toMatch(/The audit log is intact: \d+ rows/);
  });

  it('exports the filter through a signed link: every column, formulas defused, the link not reusable when changed', async () => {
    const [csvReply] = await bot.say(ADMIN, 'audit export csv partner alice@fabrikam.com');
    const csvLink = new URL(openUrl(cardOf(csvReply)) ?? '');
    const csv = await fetch(`${bot.bot.url}${csvLink.pathname}${csvLink.search}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('cache-control')).toBe('no-store');
    const body = (await csv.text()).replace(/^\uFEFF/, '');
    expect(body.split('\r\n')[0]).toBe('seq,id,at,actor,actor_name,action,target,outcome,detail,prev_hash,hash,redacted');
    expect(body).toContain(`"'=cmd|""/c calc""!A1"`);
    expect(body).not.toMatch(/(^|,)[=+\-@]/m);

    const [jsonReply] = await bot.say(ADMIN, 'audit export json partner alice@fabrikam.com');
    const jsonLink = new URL(openUrl(cardOf(jsonReply)) ?? '');
    const json = await fetch(`${bot.bot.url}${jsonLink.pathname}${jsonLink.search}`);
    const rows = (await json.text()).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // A refused `history alice@…` by the member above is audited under her address too.
    expect(rows.map((r) => r.action).filter((a) => !String(a).endsWith('.refused'))).toEqual(['invite.create', 'access.request', 'access.approve']);
    for (const row of rows) expect(rowHash(row as never)).toBe(row.hash);

    const tampered = jsonLink.search.replace(/sig=(.)/, (_m, first: string) => `sig=${first === 'A' ? 'B' : 'A'}`);
    expect((await fetch(`${bot.bot.url}${jsonLink.pathname}${tampered}`)).status).toBe(403);
    const widened = jsonLink.search.replace(/f=[^&]+/, `f=jsonl.${Buffer.from('{}').toString('base64url')}`);
    expect((await fetch(`${bot.bot.url}${jsonLink.pathname}${widened}`)).status).toBe(403);
  });
});
