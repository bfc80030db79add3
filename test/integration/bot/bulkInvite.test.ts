import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningSandbox } from '../../../sandbox/server';
import type { BulkRunView } from '../../../bot/services/bulk/bulkRuns';
import { cardOf, cardText, executeData, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const PROGRESS_MS = 1000;

function openUrl(card: unknown): string | undefined {
  const actions = (card as { actions?: { type: string; url?: string }[] } | undefined)?.actions ?? [];
  return actions.find((a) => a.type === 'Action.OpenUrl')?.url;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('bulk invitations over HTTP against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, {
      BULK_INVITES_PER_MINUTE: '60000',
      BULK_APPROVAL_THRESHOLD: '10',
      BULK_PROGRESS_UPDATE_MS: String(PROGRESS_MS),
      JOB_POLL_MS: '20',
      PUBLIC_BASE_URL: 'http://127.0.0.1:1',
      DOWNLOAD_LINK_SECRET: 'a-test-secret-that-is-long-enough-for-hmac',
    });
    for (const user of [ADMIN, NESTED_ADMIN, MANAGER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  /** The requester starts; a second admin approves (the runs here are above the threshold of 10). */
  async function startApproved(text: string): Promise<string> {
    const [reply] = await bot.say(ADMIN, text);
    const start = executeData(cardOf(reply), 'bulk.start');
    if (!start) throw new Error(`no Start button: ${cardText(cardOf(reply))}`);
    const before = bot.connector.calls.length;
    const asked = await bot.click(ADMIN, 'bulk.start', { ...start });
    expect(cardText(asked.value)).toContain('waiting for approval');
    const calls = await bot.connector.waitForCalls(before + 1);
    const approval = calls.slice(before).find((c) => c.conversationId === `a:personal-${NESTED_ADMIN.aadObjectId}`);
    const approve = executeData(cardOf(approval), 'bulk.approve');
    expect(approve).toEqual(start);
    const self = await bot.click(ADMIN, 'bulk.approve', { ...start });
    expect(self.value).toContain('cannot approve your own bulk run');
    const approved = await bot.click(NESTED_ADMIN, 'bulk.approve', { ...approve });
    expect(cardText(approved.value)).not.toContain('Approve and start');
    return String(start.id);
  }

  async function settled(id: string): Promise<BulkRunView> {
    return until(`run ${id} to settle`, async () => {
      const view = await bot.bot.services.bulkInvitations.view(id);
      return view && ['finished', 'stopped', 'cancelled'].includes(view.state) ? view : undefined;
    });
  }

  function progressUpdates(): ConnectorCall[] {
    return bot.connector.calls.filter((c) => c.method === 'PUT' && c.conversationId === `a:personal-${ADMIN.aadObjectId}`);
  }

  it('refuses bulk lists from managers', async () => {
    const [reply] = await bot.say(MANAGER, 'invite a@fabrikam.com, b@fabrikam.com');
    expect(cardText(cardOf(reply))).toContain('Bulk invitations are for admins');
  });

  it('runs 200 rows through injected 429s: every row accounted for once, no duplicates, updates within Teams limits', async () => {
    const addresses = Array.from({ length: 196 }, (_, i) => `p${String(i).padStart(3, '0')}@fabrikam.com`);
    const list = [...addresses, 'alice@fabrikam.com', 'temp@mailinator.com', 'not-an-address', 'p000@fabrikam.com'];
    sandbox.setFaults([
      // Four in a row: the Graph client's three retries run out and the job itself waits for Retry-After.
      { method: 'POST', pathPattern: '^/v1\\.0/invitations', status: 429, retryAfterSeconds: 0.2, times: 4 },
      { method: 'POST', pathPattern: '^/v1\\.0/invitations', status: 429, retryAfterSeconds: 0.05, probability: 0.1 },
    ]);
    sandbox.resetStats();
    const id = await startApproved(`invite ${list.join(',\n')}`);
    const view = await settled(id);
    sandbox.setFaults([]);

    expect(view.state).toBe('finished');
    expect(view.counts).toEqual({ total: 200, invalid: 2, pending: 0, invited: 196, alreadyGuest: 1, refused: 1, failed: 0, notAttempted: 0 });
    for (const address of addresses) {
      expect([...sandbox.state.users.values()].filter((u) => u.mail === address)).toHaveLength(1);
    }
    const stats = sandbox.stats();
    expect(stats.faultsInjected).toBeGreaterThanOrEqual(4);
    expect(stats.requests.filter((r) => r.path.startsWith('/v1.0/invitations') && r.status === 201)).toHaveLength(196);

    await until('the final progress update', async () => (cardText(cardOf(progressUpdates().at(-1))).includes('finished') ? true : undefined));
    const updates = progressUpdates();
    const times = updates.map((u) => u.at);
    for (let i = 0; i < times.length; i += 1) {
      expect(times.filter((t) => t >= (times[i] ?? 0) && t < (times[i] ?? 0) + 1000).length).toBeLessThanOrEqual(2);
      expect(times.filter((t) => t >= (times[i] ?? 0) && t < (times[i] ?? 0) + 30_000).length).toBeLessThanOrEqual(60);
    }
    const last = cardOf(updates[updates.length - 1]);
    expect(cardText(last)).toContain('Bulk invitation finished: 196 invited');
    expect(cardText(last)).toContain('198 of 198 rows done (100%)');

    const link = openUrl(last);
    expect(link).toBeDefined();
    const local = new URL(link ?? '');
    const download = await fetch(`${bot.bot.url}${local.pathname}${local.search}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('text/csv');
    const lines = (await download.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('version:v1.0');
    expect(lines[1]).toContain('Email address to invite [inviteeEmail] Required');
    expect(lines).toHaveLength(202);
    expect(lines.filter((l) => l.includes(',Succeeded,'))).toHaveLength(196);
    expect(lines.find((l) => l.startsWith('temp@mailinator.com'))).toContain('Failed: refused by policy');

    const rowAudit = await bot.bot.services.store.audit.list({ target: 'p001@fabrikam.com', action: 'invite.create' });
    expect(rowAudit).toEqual([expect.objectContaining({ outcome: 'success', actor: ADMIN.aadObjectId, detail: expect.objectContaining({ bulkRun: id, approvedBy: NESTED_ADMIN.aadObjectId }) })]);

    // Change the signature's first character to a different one (replacing it with a fixed letter was a no-op 1 time in 64).
    const tamperedSearch = local.search.replace(/sig=(.)/, (_match, first: string) => `sig=${first === 'A' ? 'B' : 'A'}`);
    expect(tamperedSearch).not.toBe(local.search);
    const tampered = await fetch(`${bot.bot.url}${local.pathname}${tamperedSearch}`);
    expect(tampered.status).toBe(403);
  }, 120_000); // 200 rows at JOB_POLL_MS 20 take about 35 s on a loaded machine, past jest's default of 30 s.

  it('stops at once on the anti-abuse 403, never retries it, and tells the admin', async () => {
    sandbox.setInvitations({ abuseBlockAfter: 5 });
    sandbox.resetStats();
    const list = Array.from({ length: 20 }, (_, i) => `abuse${i}@fabrikam.com`);
    const id = await startApproved(`invite ${list.join(' ')}`);
    const view = await settled(id);
    expect(view.state).toBe('stopped');
    expect(view.counts).toMatchObject({ total: 20, invited: 5, failed: 1, notAttempted: 14, pending: 0 });
    const posts = sandbox.stats().requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1.0/invitations'));
    expect(posts).toHaveLength(6);
    const last = await until('the final progress update', async () => {
      const card = cardOf(progressUpdates().at(-1));
      return cardText(card).includes('Bulk invitation stopped') ? card : undefined;
    });
    expect(cardText(last)).toContain('suspicious activity');
    const audit = await bot.bot.services.store.audit.list({ target: `bulk:${id}`, action: 'invite.bulk.stop' });
    expect(audit).toHaveLength(1);
    sandbox.setInvitations({});
  });

  it('reads an attached CSV in the Entra bulk-invite layout', async () => {
    const csv = [
      'version:v1.0',
      'Email address to invite [inviteeEmail] Required,Redirection url [inviteRedirectURL] Required,Send invitation message (true or false) [sendEmail],Customized invitation message [customizedMessageBody]',
      'csv1@fabrikam.com,https://myapps.microsoft.com,false,"Hello, partner"',
      '"csv2@fabrikam.com",https://myapps.microsoft.com,true,',
      'bad address,https://myapps.microsoft.com,false,',
    ].join('\r\n');
    const files = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.end(csv);
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    try {
      const port = (files.address() as AddressInfo).port;
      const [reply] = await bot.say(ADMIN, 'invite', {
        attachments: [{ contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'partners.csv', content: { downloadUrl: `http://127.0.0.1:${port}/partners.csv`, fileType: 'csv' } }],
      });
      const text = cardText(cardOf(reply));
      expect(text).toContain('Invite 2 partners?');
      expect(text).toContain('1 row(s) are invalid');
      expect(executeData(cardOf(reply), 'bulk.start')).toBeDefined();
    } finally {
      await new Promise<void>((resolve) => files.close(() => resolve()));
    }
  });

  it('skips a synced partner as already a guest, says why, and posts no invitation for them', async () => {
    sandbox.setInvitations({});
    sandbox.resetStats();
    const replies = await bot.say(ADMIN, 'invite synced.bulk1@fabrikam.com, wmoran@fabrikam.com');
    const reply = replies.find((c) => executeData(cardOf(c), 'bulk.start'));
    const start = executeData(cardOf(reply), 'bulk.start');
    if (!start) throw new Error(`no Start button: ${replies.map((c) => cardText(cardOf(c))).join(' | ')}`);
    await bot.click(ADMIN, 'bulk.start', { ...start });
    const id = String(start.id);
    const view = await settled(id);
    expect(view.counts).toMatchObject({ invited: 1, alreadyGuest: 1, failed: 0 });
    const rows = await bot.bot.services.store.bulkRuns.rows(id);
    const wendy = rows.find((r) => r.email === 'wmoran@fabrikam.com');
    expect(wendy).toMatchObject({ state: 'alreadyGuest', userId: 'd0000000-0000-4000-8000-000000000001' });
    expect(wendy?.detail).toContain('wmoran@partners.contoso.com is a partner account synced from our on-prem AD, who signs in with it; no invitation was sent');
    const posted = sandbox.stats().requests.filter((r) => r.method === 'POST' && /\/invitations$/.test(r.path) && !r.refused);
    expect(posted).toHaveLength(1);
    expect([...sandbox.state.users.values()].filter((u) => (u.mail ?? '').toLowerCase() === 'wmoran@fabrikam.com')).toHaveLength(1);
  });
});
