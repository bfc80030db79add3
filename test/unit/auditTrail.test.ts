import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProxyApp } from '../../bot/graph/appProxy';
import type { DirectoryUser, SignInActivity, UserLookup, UserQuery } from '../../bot/graph/users';
import { audit } from '../../bot/commands/audit.command';
import { history } from '../../bot/commands/history.command';
import { auditPageCard, decodeAuditState, historyCard, verifyCard } from '../../bot/presenters/audit.presenter';
import { exportedDetail, exportLines } from '../../bot/services/audit/auditExport';
import { parseAuditArgs, type TypedAuditFilter } from '../../bot/services/audit/auditFilter';
import { AuditTrailService, type HistoryOutcome } from '../../bot/services/audit/auditTrail';
import { describeEntry, generic } from '../../bot/services/audit/timeline';
import { openStore, type AuditEntry, type Store } from '../../bot/store';
import { rowHash } from '../../bot/store/auditChain';
import { parseCsvRecords } from '../../bot/services/bulk/csv';
import { InMemoryUserDirectory } from '../helpers/testServices';

const ALICE: DirectoryUser = {
  id: 'e0000000-0000-4000-8000-000000000001',
  displayName: 'Alice Smith',
  userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
  mail: 'alice@fabrikam.com',
  userType: 'Guest',
  creationType: 'Invitation',
  createdDateTime: '2030-01-01T07:30:00Z',
  externalUserState: 'Accepted',
  externalUserStateChangeDateTime: '2030-01-02T09:00:00Z',
  identities: [],
  onPremisesExtensionAttributes: {},
  sponsors: [],
  companyName: undefined,
  accountEnabled: true,
  onPremisesSyncEnabled: undefined,
  onPremisesUserPrincipalName: undefined,
  onPremisesSamAccountName: undefined,
  onPremisesDomainName: undefined,
};
const TWIN_A: DirectoryUser = { ...ALICE, id: 'e0000000-0000-4000-8000-0000000000a1', displayName: 'Sam One', userPrincipalName: 'sam1@contoso.com', mail: 'sam@shared.example' };
const TWIN_B: DirectoryUser = { ...ALICE, id: 'e0000000-0000-4000-8000-0000000000b2', displayName: 'Sam Two', userPrincipalName: 'sam2@contoso.com', mail: 'sam@shared.example' };
const ADELE = { id: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const TIMESHEETS: ProxyApp = { servicePrincipalId: 'f0000000-0000-4000-8000-000000000001', appId: 'x', displayName: 'Contoso Timesheets', ssoKind: 'kerberos', roles: [] };

/** The in-memory directory, with the sign-in activity a test asks for. */
class Directory extends InMemoryUserDirectory {
  signIn: SignInActivity = { available: true, lastSignIn: '2030-01-20T10:00:00Z' };
  asked: UserQuery[] = [];
  override async whois(q: UserQuery): Promise<UserLookup> {
    this.asked.push(q);
    const found = await super.whois(q);
    return { ...found, signIn: this.signIn.available ? new Map(found.users.map((u) => [u.id.toLowerCase(), this.signIn])) : (this.signIn as Extract<SignInActivity, { available: false }>) };
  }
}

describe('history and audit over the store', () => {
  let dir: string;
  let store: Store;
  let directory: Directory;
  let trail: AuditTrailService;
  let now: Date;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-audit-'));
    store = await openStore({ dataDir: dir });
    directory = new Directory([ALICE, TWIN_A, TWIN_B]);
    now = new Date('2030-02-01T00:00:00Z');
    trail = new AuditTrailService({
      store,
      users: directory,
      apps: { listApps: async () => [TIMESHEETS, { ...TIMESHEETS, servicePrincipalId: 'f0000000-0000-4000-8000-000000000002', displayName: 'Contoso Expenses' }] },
      links: { publicBaseUrl: 'https://bot.example', linkSecret: 'secret-secret-secret-secret', linkLifetimeMs: 3_600_000 },
      now: () => now,
    });
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const at = (day: number, hour = 12) => new Date(Date.UTC(2030, 0, day, hour));

  async function aliceLife(): Promise<void> {
    const sp = TIMESHEETS.servicePrincipalId;
    await store.audit.append({ actor: ADELE.id, actorName: ADELE.name, action: 'invite.create', target: 'alice@fabrikam.com', outcome: 'started', detail: { invitation: 'inv-1', groups: [], delivery: 'email' }, at: at(1, 7) });
    await store.audit.append({ actor: ADELE.id, actorName: ADELE.name, action: 'invite.create', target: 'alice@fabrikam.com', outcome: 'success', detail: { invitation: 'inv-1', userId: ALICE.id, reusedExisting: false }, at: at(1, 8) });
    await store.audit.append({ actor: 'b0000000-0000-4000-8000-000000000001', actorName: 'Megan Bowen', action: 'access.request', target: ALICE.userPrincipalName!, outcome: 'requested', detail: { request: 'r1', app: sp, appName: 'Contoso Timesheets', role: 'role', days: 30 }, at: at(3) });
    await store.audit.append({ actor: ADELE.id, actorName: ADELE.name, action: 'access.approve', target: ALICE.userPrincipalName!, outcome: 'success', detail: { request: 'r1', app: sp }, at: at(4) });
    await store.audit.append({ actor: ADELE.id, actorName: ADELE.name, action: 'access.grant', target: ALICE.userPrincipalName!, outcome: 'success', detail: { request: 'r1', app: sp, shadowAccount: 'CN=alice', shadowCreated: true, shadowAction: 'created', expiresAt: '2030-02-03T12:00:00.000Z' }, at: at(4, 13) });
    await store.audit.append({ actor: 'system:reminders', action: 'access.remind', target: ALICE.userPrincipalName!, outcome: 'success', detail: { request: 'r1', approvers: 2, token: 'must-not-show' }, at: at(5) });
    await store.audit.append({ actor: ADELE.id, actorName: ADELE.name, action: 'access.revoke', target: ALICE.userPrincipalName!, outcome: 'success', detail: { app: 'Contoso Timesheets', servicePrincipalId: sp, shadow: 'disabled' }, at: at(25) });
    await store.audit.append({ actor: 'system:expiry', action: 'access.expire', target: ALICE.userPrincipalName!, outcome: 'success', detail: { request: 'r2', app: 'Contoso Timesheets', servicePrincipalId: sp, shadow: 'keptForOtherGrant' }, at: at(26) });
    // Someone else's row: never in Alice's history.
    await store.audit.append({ actor: ADELE.id, actorName: ADELE.name, action: 'invite.create', target: 'bob@tailspintoys.com', outcome: 'success', at: at(2) });
  }

  async function timeline(q: UserQuery, olderThan?: number): Promise<Extract<HistoryOutcome, { kind: 'timeline' }>> {
    const outcome = await trail.history(q, olderThan);
    if (outcome.kind !== 'timeline') throw new Error(`expected a timeline, got ${outcome.kind}`);
    return outcome;
  }

  it("tells a partner's life in lines, with Graph's creation, redemption and last sign-in among them", async () => {
    await aliceLife();
    const outcome = await timeline({ kind: 'email', value: 'alice@fabrikam.com' });
    expect(outcome.lines.map((l) => `${l.who}: ${l.what}`)).toEqual([
      'the bot: Access to Contoso Timesheets removed at its end; shadow account kept for another grant',
      'Adele Vance: Access to Contoso Timesheets revoked; shadow account disabled',
      'the partner: Last sign-in',
      'the bot: access.remind (success): request r1, approvers 2',
      'Adele Vance: Granted Contoso Timesheets until 2030-02-03; shadow account created',
      'Adele Vance: Request for Contoso Timesheets approved',
      'Megan Bowen: Access to Contoso Timesheets requested for 30 days',
      'the partner: Invitation redeemed',
      'Adele Vance: Invited; Microsoft emails the invitation',
      'Microsoft Entra: Account created',
      'Adele Vance: Invitation approved and sent to Microsoft (Microsoft emails the invitation)',
    ]);
    expect(outcome.person?.id).toBe(ALICE.id);
    const text = JSON.stringify(historyCard(outcome));
    expect(text).toContain('Redeemed 2030-01-02 09:00 UTC');
    expect(text).not.toContain('must-not-show');
  });

  it('says why the last sign-in is missing: the permission or the licence', async () => {
    await aliceLife();
    directory.signIn = { available: false, reason: 'noPermission' };
    expect(JSON.stringify(historyCard(await timeline({ kind: 'email', value: 'alice@fabrikam.com' })))).toContain('lacks the AuditLog.Read.All permission');
    directory.signIn = { available: false, reason: 'noLicence' };
    expect(JSON.stringify(historyCard(await timeline({ kind: 'email', value: 'alice@fabrikam.com' })))).toContain('no Microsoft Entra ID P1 or P2 licence');
  });

  it('pages a long timeline by chain position, each row once', async () => {
    for (let i = 1; i <= 20; i += 1) {
      await store.audit.append({ actor: ADELE.id, actorName: ADELE.name, action: 'invite.resend', target: 'alice@fabrikam.com', outcome: 'success', at: new Date(Date.UTC(2030, 0, 10, 0, i)) });
    }
    const first = await timeline({ kind: 'email', value: 'alice@fabrikam.com' });
    const audited = (o: typeof first) => o.lines.filter((l) => l.seq > 0).map((l) => l.seq);
    expect(audited(first)).toEqual(Array.from({ length: 15 }, (_, i) => 20 - i));
    expect(first.olderThan).toBe(6);
    const second = await timeline({ kind: 'objectId', value: ALICE.id }, first.olderThan);
    expect(audited(second)).toEqual([5, 4, 3, 2, 1]);
    expect(second.olderThan).toBeUndefined();
    // Graph's moments land on the page their time falls in: creation and redemption are older than every row here.
    expect(first.lines.some((l) => l.what === 'Account created')).toBe(false);
    expect(second.lines.some((l) => l.what === 'Account created')).toBe(true);
    expect(JSON.stringify(historyCard(first))).toContain('history.older');
  });

  it('answers an address nobody has, one several people share, and a removed guest the log still knows', async () => {
    await expect(trail.history({ kind: 'email', value: 'nobody@nowhere.example' })).resolves.toEqual({ kind: 'nobody', query: 'nobody@nowhere.example' });
    const shared = await trail.history({ kind: 'email', value: 'sam@shared.example' });
    expect(shared).toMatchObject({ kind: 'ambiguous', candidates: [{ displayName: 'Sam One' }, { displayName: 'Sam Two' }] });
    expect(JSON.stringify(historyCard(shared))).toContain('sam2@contoso.com');
    await store.audit.append({ actor: ADELE.id, actorName: ADELE.name, action: 'invite.create', target: 'gone@fabrikam.com', outcome: 'success', at: at(1) });
    const gone = await timeline({ kind: 'email', value: 'gone@fabrikam.com' });
    expect(gone.person).toBeUndefined();
    expect(gone.lines).toHaveLength(1);
    expect(JSON.stringify(historyCard(gone))).toContain('Nobody in the directory has');
  });

  it('shows hostile text as text: Markdown, template syntax, a long name', async () => {
    const hostile = '${1+1}[x](https://evil.example)' ;
    await store.audit.append({ actor: ADELE.id, actorName: `${hostile} **bold** ${'W'.repeat(10_000)}`, action: `evil.${hostile}`, target: 'alice@fabrikam.com', outcome: hostile, detail: { note: hostile }, at: at(1) });
    const card = JSON.stringify(historyCard(await timeline({ kind: 'email', value: 'alice@fabrikam.com' })));
    expect(card).toContain('${1+1}');
    expect(card).not.toMatch(/(?<!\{1\+1\})2\\\[x\\\]/);
    expect(card).toContain('\\\\[x\\\\](https://evil.example)');
    expect(card).not.toContain('**bold**');
    expect(card.length).toBeLessThan(28_000);
  });

  describe('history arguments', () => {
    const parse = (text: string) => history.args.safeParse({ args: text.split(' '), rest: text, word: 'history' });
    it('takes an address, a UPN or an object id, and refuses names, Markdown, control characters and 10,000 characters', () => {
      expect(parse('alice@fabrikam.com').success).toBe(true);
      expect(parse(ALICE.id).success).toBe(true);
      for (const bad of ['Alice Smith', '[x](https://evil.example)', '${1+1}', `${'a'.repeat(10_000)}@fabrikam.com`, 'W'.repeat(10_000), 'a\u202Eb@x.example', '']) {
        const parsed = parse(bad);
        expect(parsed.success).toBe(false);
        const message = parsed.error?.issues[0]?.message ?? '';
        expect(message.length).toBeGreaterThan(10);
        expect(message.length).toBeLessThan(400);
      }
    });
  });

  describe('audit filters', () => {
    const problem = (text: string) => {
      const parsed = parseAuditArgs(text.split(' ').filter(Boolean));
      return parsed.ok ? undefined : parsed.problem;
    };
    it('parses each filter once, in either spelling, and the subcommands', () => {
      expect(parseAuditArgs(['partner', 'alice@fabrikam.com', 'days:30', 'app', 'Contoso Timesheets', 'actor:' + ADELE.id])).toEqual({
        ok: true,
        value: { kind: 'list', filter: { partner: { kind: 'email', value: 'alice@fabrikam.com' }, days: 30, app: 'Contoso Timesheets', actor: { kind: 'objectId', value: ADELE.id } } },
      });
      expect(parseAuditArgs(['export', 'json', 'days', '7'])).toEqual({ ok: true, value: { kind: 'export', format: 'jsonl', filter: { days: 7 } } });
      expect(parseAuditArgs(['export', 'days', '7'])).toEqual({ ok: true, value: { kind: 'export', format: 'csv', filter: { days: 7 } } });
      expect(parseAuditArgs(['verify'])).toEqual({ ok: true, value: { kind: 'verify' } });
      expect(parseAuditArgs([])).toEqual({ ok: true, value: { kind: 'list', filter: {} } });
    });
    it('refuses what it does not know, twice given, missing or out of range, saying what to do', () => {
      expect(problem('colour red')).toMatch(/don't know the filter "colour".*partner, app, actor or days/);
      expect(problem('days 7 days 8')).toMatch(/"days" is given twice/);
      expect(problem('partner')).toMatch(/"partner" needs a value, e\.g\. partner ana@fabrikam\.com/);
      expect(problem('days 0')).toMatch(/from 1 to 3650, not 0/);
      expect(problem('days 99999')).toMatch(/from 1 to 3650/);
      expect(problem('days 1.5')).toMatch(/whole number/);
      expect(problem('days -3')).toMatch(/whole number/);
      expect(problem('verify now')).toMatch(/takes nothing after it/);
      expect(problem('partner Alice')).toMatch(/email address, UPN or object id/);
      expect(problem(`app ${'x'.repeat(10_000)}`)).toMatch(/at most 256 characters/);
      expect(problem(`${'$'.repeat(10_000)}{1+1}`)?.length).toBeLessThan(300);
    });
    it('is what the command parses, so a bad filter never runs', () => {
      expect(audit.args.safeParse({ args: ['days', 'soon'] }).success).toBe(false);
    });
  });

  describe('resolving filters', () => {
    const resolve = (typed: TypedAuditFilter) => trail.resolve(typed);
    it('turns a partner into every address and the object id they are known by, an app into its id, days into a time', async () => {
      await expect(resolve({ partner: { kind: 'email', value: 'alice@fabrikam.com' }, app: 'timesheets', days: 30 })).resolves.toEqual({
        kind: 'ok',
        filter: { targets: ['alice@fabrikam.com', ALICE.id, ALICE.userPrincipalName!.toLowerCase()], mentions: TIMESHEETS.servicePrincipalId, since: '2030-01-02T00:00:00.000Z' },
        described: ['partner Alice Smith', 'app Contoso Timesheets', 'the last 30 days'],
        notes: [],
      });
    });
    it('refuses several people, a nobody as actor, and an app it cannot pick', async () => {
      await expect(resolve({ partner: { kind: 'email', value: 'sam@shared.example' } })).resolves.toMatchObject({ kind: 'problem', problem: expect.stringMatching(/2 people match/), candidates: [{ id: TWIN_A.id }, { id: TWIN_B.id }] });
      await expect(resolve({ actor: { kind: 'email', value: 'ghost@contoso.com' } })).resolves.toMatchObject({ kind: 'problem', problem: expect.stringMatching(/by object id/) });
      await expect(resolve({ app: 'contoso' })).resolves.toMatchObject({ kind: 'problem', problem: expect.stringMatching(/Several apps match/) });
      await expect(resolve({ app: 'payroll' })).resolves.toMatchObject({ kind: 'problem', problem: expect.stringMatching(/No app matches "payroll"/) });
    });
    it('filters the page by the resolved partner and app, and pages on with the state its card carries', async () => {
      await aliceLife();
      const resolved = await resolve({ partner: { kind: 'email', value: 'alice@fabrikam.com' }, app: 'Contoso Timesheets' });
      if (resolved.kind !== 'ok') throw new Error(resolved.problem);
      const page = await trail.page(resolved);
      expect(page.lines.map((l) => l.action)).toEqual(['access.expire', 'access.revoke', 'access.grant', 'access.approve', 'access.request']);
      expect(page.olderThan).toBeUndefined();
      const card = auditPageCard({ ...page, olderThan: 3 }, true);
      const state = /"state":"([^"]+)"/.exec(JSON.stringify(card))?.[1] ?? '';
      expect(decodeAuditState(state)).toEqual({ filter: resolved.filter, described: resolved.described });
      expect(decodeAuditState('not-base64-json')).toBeUndefined();
      expect(decodeAuditState(Buffer.from(JSON.stringify({ filter: { extra: 1 }, described: [] })).toString('base64url'))).toBeUndefined();
    });
  });

  describe('export', () => {
    it('carries every column and the chain; JSON lines recompute to the stored hashes', async () => {
      await aliceLife();
      const rows = await store.audit.scan({}, { limit: 100 });
      const lines = exportLines(rows, 'jsonl').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toHaveLength(9);
      expect(Object.keys(lines[0] ?? {})).toEqual(['seq', 'id', 'at', 'actor', 'actor_name', 'action', 'target', 'outcome', 'detail', 'prev_hash', 'hash', 'redacted']);
      for (const line of lines.filter((l) => l.redacted === false)) {
        expect(rowHash(line as never)).toBe(line.hash);
      }
      const remind = lines.find((l) => l.action === 'access.remind');
      expect(remind?.redacted).toBe(true);
      expect(String(remind?.detail)).not.toContain('must-not-show');
    });

    it('protects CSV cells against formulas, whatever the column', async () => {
      const evil = ['=HYPERLINK("https://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR', "'quoted"];
      for (const text of evil) await store.audit.append({ actor: text, actorName: text, action: 'x.y', target: text, outcome: text, detail: { v: text } });
      const csv = exportLines(await store.audit.scan({}, { limit: 100 }), 'csv');
      const records = parseCsvRecords(csv);
      for (const record of records) {
        for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      }
      expect(records.some((r) => r.includes("'=HYPERLINK(\"https://evil.example\",\"x\")"))).toBe(true);
    });

    it('redacts secret-looking keys at any depth, and leaves clean details byte for byte', () => {
      expect(exportedDetail('{"a":1,"b":{"c":[{"password":"p"}]}}')).toEqual({ detail: '{"a":1,"b":{"c":[{"password":"[redacted]"}]}}', redacted: true });
      expect(exportedDetail('{"b":2,"a":1}')).toEqual({ detail: '{"b":2,"a":1}', redacted: false });
      expect(exportedDetail(null)).toEqual({ detail: null, redacted: false });
    });

    it('signs the filter into the link: it opens once verified, not tampered, not expired', async () => {
      await aliceLife();
      const resolved = await trail.resolve({ partner: { kind: 'email', value: 'alice@fabrikam.com' } });
      if (resolved.kind !== 'ok') throw new Error(resolved.problem);
      const link = await trail.exportLink({ aadObjectId: ADELE.id, name: ADELE.name }, resolved, 'csv');
      if (link.kind !== 'link') throw new Error('no link');
      const url = new URL(link.url);
      const f = url.searchParams.get('f') ?? '';
      const expires = url.searchParams.get('expires') ?? '';
      const sig = url.searchParams.get('sig') ?? '';
      expect(trail.verifyExportLink(f, expires, sig)).toBe('ok');
      const widened = `csv.${Buffer.from(JSON.stringify({})).toString('base64url')}`;
      expect(trail.verifyExportLink(widened, expires, sig)).toBe('invalid');
      expect(trail.verifyExportLink(f, String(Number(expires) + 3600), sig)).toBe('invalid');
      const file = await trail.exportFile(f);
      expect(file?.contentType).toMatch(/^text\/csv/);
      const records = parseCsvRecords(file?.body.replace(/^\uFEFF/, '') ?? '');
      expect(records[0]?.[0]).toBe('seq');
      // Alice's eight rows; Bob's row is outside the signed filter.
      expect(records.slice(1).filter((r) => r.length > 1)).toHaveLength(8);
      now = new Date(now.getTime() + 2 * 3_600_000);
      expect(trail.verifyExportLink(f, expires, sig)).toBe('expired');
      await expect(trail.exportFile('csv.!!!')).resolves.toBeUndefined();
      // Handing out the log is on the log.
      const [handedOut] = await store.audit.list({ action: 'audit.export' });
      expect(handedOut).toMatchObject({ actor: ADELE.id, target: 'audit', detail: { format: 'csv', filter: resolved.filter } });
    });
  });

  describe('verify', () => {
    it('says intact with the head to note, or where it breaks', async () => {
      await aliceLife();
      const report = await trail.verify();
      expect(JSON.stringify(verifyCard(report))).toContain(`#9 ${report.headHash}`);
      const broken = verifyCard({ ...report, breaks: [{ kind: 'deleted', fromSeq: 4, toSeq: 4 }, { kind: 'edited', seq: 7, id: 7 }] });
      const text = JSON.stringify(broken);
      expect(text).toContain("chain breaks at row #4");
      expect(text).toContain('Row #4 is missing');
      expect(text).toContain('Row #7 was changed');
    });
  });
});

describe('describing audit rows', () => {
  const entry = (action: string, outcome: string, detail?: Record<string, unknown>): AuditEntry => ({ id: 1, seq: 1, prevHash: '', hash: '', at: new Date(0), actor: 'oid', action, target: 't', outcome, ...(detail ? { detail } : {}) });
  it('shows a kind it has never seen by its action, outcome and short details, never a secret-looking one', () => {
    expect(generic(entry('access.escalate', 'success', { request: 'r1', to: 'admins', secret: 's', nested: { a: 1 }, clientAssertion: 'x' }))).toBe('access.escalate (success): request r1, to admins');
    expect(describeEntry(entry('access.futureKind', 'success')).what).toBe('access.futureKind (success)');
  });
});
