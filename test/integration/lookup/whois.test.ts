import path from 'node:path';
import { loadFixture } from '../../../sandbox/fixture';
import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, executeActions, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { contosoFixture, sandboxToken, startTestSandbox } from '../../helpers/sandbox';

const CALLER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000003', name: 'Zoë Krüger-Łukasiewicz' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const LEE: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000004', name: 'Lee Gu' };
const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NORTHWIND_CALLER: TestUser = { aadObjectId: '70000000-0000-4000-8000-000000000001', name: 'Nora Admin' };

type Card = Record<string, unknown>;

async function ask(bot: TestBot, user: TestUser, text: string): Promise<{ card: Card; text: string }> {
  const [reply] = await bot.say(user, text);
  const card = cardOf(reply);
  if (!card) throw new Error(`no card in the reply to "${text}"`);
  expect(validateAdaptiveCard(card)).toEqual([]);
  return { card, text: cardText(card) };
}

describe('whois over HTTP against the Contoso sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { APP_CACHE_SECONDS: '0' }); // each test changes what the bot may read
    await bot.say(CALLER, 'help');
    await bot.say(MANAGER, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => sandbox.resetStats());

  it('shows a synced member to a partner manager in one Graph round trip, selecting exactly what the card shows', async () => {
    const { text } = await ask(bot, MANAGER, 'whois alex.wilber@contoso.com');
    expect(text).toContain('MEMBER');
    expect(text).toContain('Alex Wilber');
    expect(text).toContain('Synced from our on-prem Active Directory');
    expect(text).toContain('corp.contoso.com\\\\alexw');
    expect(text).not.toContain('Security gap');
    const stats = sandbox.stats();
    expect(stats.graphRoundTrips).toBe(1);
    const items = stats.requests.filter((r) => r.batchItem);
    expect(items).toHaveLength(4);
    expect(items[0]?.path).toContain('$select=id,displayName,userPrincipalName,mail,companyName,userType,accountEnabled');
    expect(items[0]?.path).toContain("mail eq 'alex.wilber@contoso.com'");
    expect(items[1]?.path).toContain('$select=id,signInActivity');
    // No nested $select: Graph documents one on $expand only for sponsors.
    expect(items[2]?.path).toContain('$select=id&$expand=appRoleAssignments&');
    expect(items[3]?.path).toContain("tags/any(t:t eq 'WindowsAzureActiveDirectoryOnPremApp')");
    expect(text).toContain('Contoso Wiki (header-based): Default access');
  });

  it('shows a locally managed partner synced as Guest, marked by extensionAttribute1, with sponsors and a Check realm button', async () => {
    const { card, text } = await ask(bot, MANAGER, 'usertype wmoran@partners.contoso.com');
    expect(text).toContain('GUEST');
    expect(text).toContain('Locally managed partner account, synced from our on-prem Active Directory');
    expect(text).toContain('extensionAttribute1 = "Partner"');
    expect(text).toContain('Megan Bowen');
    expect(text).toContain('the email is in fabrikam.com');
    expect(text).toContain('On-prem app access');
    expect(text).toContain('Contoso Timesheets (IWA): Timesheet User');
    expect(text).not.toContain('Security gap');
    // A guest like an invited one, except that Microsoft records no invitation for them, and AD already holds their account.
    expect(text).toContain('As a guest');
    expect(text).toContain('None: synced from our on-prem AD, not invited, so there is no invitation to redeem or resend');
    expect(text).toContain('Their own AD account (wmoran): Kerberos apps use it, so they need no shadow account');
    expect(text).not.toContain('Pending');
    const buttons = executeActions(card);
    expect(buttons.map((b) => b.title)).toEqual(['Check realm', "Why can't they sign in?"]);
    expect(buttons[0]?.data).toEqual({ emailOrDomain: 'wmoran@fabrikam.com', userId: 'd0000000-0000-4000-8000-000000000001' });
    expect(buttons[1]?.data).toEqual({ user: 'd0000000-0000-4000-8000-000000000001' });
    expect(sandbox.stats().graphRoundTrips).toBe(1);
  });

  it('flags a partner synced as Member as a security gap (Dmitri Volkov)', async () => {
    const { card, text } = await ask(bot, CALLER, 'whois dvolkov@partners.contoso.com');
    expect(text).toContain('MEMBER');
    expect(text).toContain('Security gap');
    expect(text).toContain('A partner synced as Member');
    expect(text).toContain('Fix the Entra Connect sync rule');
    expect(JSON.stringify(card)).toContain('"style":"attention"');
  });

  it('shows an accepted invited guest by #EXT# UPN, percent-encoded in the path, reading the last sign-in by object id', async () => {
    const { text } = await ask(bot, MANAGER, 'whois alice_fabrikam.com#EXT#@contoso.onmicrosoft.com');
    expect(text).toContain('Invited B2B guest');
    expect(text).toContain('Accepted on 2024-05-02 14:11 UTC');
    expect(text).toContain("Their own organization's Microsoft Entra account");
    expect(text).toContain('Last sign-in');
    expect(text).toContain('2025-01-08 09:30 UTC');
    expect(text).toContain('Contoso Expenses (SAML): User (through a group)');
    const stats = sandbox.stats();
    // Graph refuses signInActivity by UPN: the user is resolved first, then their sign-in read by object id.
    expect(stats.graphRoundTrips).toBe(2);
    const items = stats.requests.filter((r) => r.batchItem);
    expect(items.every((r) => r.status === 200)).toBe(true);
    expect(items[0]?.path).toContain('/v1.0/users/alice_fabrikam.com#EXT#@contoso.onmicrosoft.com?');
    expect(items.filter((r) => r.path.includes('signInActivity')).map((r) => r.path)).toEqual([
      '/v1.0/users/e0000000-0000-4000-8000-000000000001?$select=id,signInActivity',
    ]);
  });

  it('shows a pending invited guest found by their own email', async () => {
    const { text } = await ask(bot, CALLER, 'whois <a href="mailto:bob@tailspintoys.com">bob@tailspintoys.com</a>');
    expect(text).toContain('Bob Kelly');
    expect(text).toContain('Pending: not accepted yet (invited or reset 2025-01-12 16:05 UTC)');
    expect(text).toContain('Nothing yet: the invitation has not been redeemed');
    expect(sandbox.stats().graphRoundTrips).toBe(1);
  });

  it('shows a guest who signs in with a Microsoft account, by object id in one round trip', async () => {
    const { text } = await ask(bot, MANAGER, 'whois E0000000-0000-4000-8000-000000000003');
    expect(text).toContain('Dana Reyes');
    expect(text).toContain('A personal Microsoft account');
    expect(text).toContain('Sponsors');
    expect(sandbox.stats().graphRoundTrips).toBe(1);
  });

  it('shows a guest who signs in with an email one-time passcode', async () => {
    const { text } = await ask(bot, MANAGER, 'whois erik@lakeshore-consulting.net');
    expect(text).toContain('Erik Lindqvist');
    expect(text).toContain('A one-time passcode sent to their email');
    expect(text).toContain('Sponsors');
    expect(text).toContain('None');
  });

  it("names a guest's SAML IdP and a group sponsor", async () => {
    const { text } = await ask(bot, MANAGER, 'whois carla.diaz@wingtiptoys.com');
    expect(text).toContain("Their organization's own identity provider (SAML or WS-Federation): https://idp.wingtiptoys.com/saml2/metadata");
    expect(text).toContain('Megan Bowen, Partner Managers (group)');
  });

  it("finds O'Brien by surname with the quote doubled in the OData literal", async () => {
    const { text } = await ask(bot, CALLER, "whois O'Brien");
    expect(text).toContain("Siobhán O'Brien");
    expect(text).toContain('Cloud-only account');
    const item = sandbox.stats().requests.find((r) => r.batchItem);
    expect(item?.path).toContain("startsWith(surname,'O''Brien')");
    expect(item?.status).toBe(200);
  });

  it('says plainly when nobody matches', async () => {
    const { text } = await ask(bot, CALLER, 'whois nobody@contoso.com');
    expect(text).toContain('No user matches "nobody@contoso.com"');
    const unknownId = await ask(bot, CALLER, 'whois 0f0f0f0f-0000-4000-8000-000000000000');
    expect(unknownId.text).toContain('No user matches');
  });

  it('explains what to type when the input is missing or not valid, without asking Graph', async () => {
    expect((await ask(bot, CALLER, 'whois')).text).toContain('Tell me whose account to look up');
    expect((await ask(bot, CALLER, 'whois bad@@example')).text).toContain('is not a valid email address or UPN');
    expect((await ask(bot, CALLER, 'whois x')).text).toContain('at least two letters');
    expect(sandbox.stats().graphRoundTrips).toBe(0);
  });

  it('shows the failure card, not a stack trace, when Graph is down', async () => {
    sandbox.setFaults([{ pathPattern: '\\$batch', status: 500, times: 10 }]);
    try {
      const { text } = await ask(bot, CALLER, 'whois alex.wilber@contoso.com');
      expect(text).toContain('Microsoft Entra ID is not answering right now');
      expect(text).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('offers Resend invitation on a pending guest to a partner manager, and not to an ordinary user', async () => {
    const asManager = executeActions((await ask(bot, MANAGER, 'whois bob@tailspintoys.com')).card);
    expect(asManager.find((b) => b.verb === 'invite.resend')).toEqual({ verb: 'invite.resend', data: { email: 'bob@tailspintoys.com' }, title: 'Resend invitation' });
    const asMember = executeActions((await ask(bot, CALLER, 'whois bob@tailspintoys.com')).card);
    expect(asMember.map((b) => b.verb)).not.toContain('invite.resend');
  });

  it('never labels resetting an accepted guest "Resend invitation": admins get Reset redemption…, managers nothing', async () => {
    const asManager = executeActions((await ask(bot, MANAGER, 'whois alice@fabrikam.com')).card);
    expect(asManager.map((b) => b.verb)).not.toContain('invite.resend');
    const asAdmin = executeActions((await ask(bot, ADMIN, 'whois alice@fabrikam.com')).card);
    expect(asAdmin.find((b) => b.verb === 'invite.resend')).toEqual({ verb: 'invite.resend', data: { email: 'alice@fabrikam.com' }, title: 'Reset redemption…' });
  });

  it('says the app access is missing, and still shows the user, when the bot may not read service principals', async () => {
    sandbox.setFaults([{ pathPattern: 'servicePrincipals', appliesTo: 'batchItem', status: 403 }]);
    try {
      const { text } = await ask(bot, MANAGER, 'whois wmoran@partners.contoso.com');
      expect(text).toContain('Wendy Moran');
      expect(text).toContain('Not available: the bot may not read app assignments here (it needs Application.Read.All and AppRoleAssignment.ReadWrite.All).');
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('says why the last sign-in is missing when the bot lacks AuditLog.Read.All', async () => {
    sandbox.setFaults([{ pathPattern: 'signInActivity', appliesTo: 'batchItem', status: 403 }]);
    try {
      const { text } = await ask(bot, MANAGER, 'whois alice@fabrikam.com');
      expect(text).toContain('Alice Smith');
      expect(text).toContain('the bot lacks the AuditLog.Read.All permission');
    } finally {
      sandbox.setFaults([]);
    }
  });
});

describe('what each role sees in whois, and what is read for it', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;
  const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';

  beforeAll(async () => {
    // Zoë, an ordinary member, owns Contoso Timesheets here (and no other app).
    const fixture = contosoFixture();
    const timesheets = fixture.servicePrincipals.find((sp) => sp.id === TIMESHEETS);
    if (!timesheets) throw new Error('the Contoso fixture lost Contoso Timesheets');
    timesheets.owners = [...timesheets.owners, CALLER.aadObjectId];
    sandbox = await startTestSandbox({ fixture });
    bot = await startBotOn(sandbox, { APP_CACHE_SECONDS: '0' }); // counts every batch item per role
    for (const user of [CALLER, MANAGER, ADMIN, LEE]) await bot.say(user, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => sandbox.resetStats());

  const batchItems = () => sandbox.stats().requests.filter((r) => r.batchItem);

  it('shows an ordinary member who someone is, and not their last sign-in, sponsors or app access, without reading them', async () => {
    const { card, text } = await ask(bot, LEE, 'whois alice@fabrikam.com');
    expect(text).toContain('GUEST');
    expect(text).toContain('Invited B2B guest');
    expect(text).toContain('Accepted on 2024-05-02 14:11 UTC');
    expect(text).not.toMatch(/^Last sign-in$/m);
    expect(text).not.toContain('2025-01-08');
    expect(text).not.toContain('Sponsors');
    expect(text).not.toContain('Contoso Expenses');
    expect(text).toContain('None on the on-prem apps you own');
    expect(text).toContain('Ask a partner manager if you need them.');
    expect(text).not.toMatch(/ask an admin/i);
    expect(executeActions(card).map((b) => b.title)).toEqual(['Check realm']);
    expect(sandbox.stats().graphRoundTrips).toBe(1);
    const paths = batchItems().map((r) => r.path);
    expect(paths).toHaveLength(2);
    expect(paths[0]).not.toContain('sponsors');
    expect(paths[1]).toBe(`/v1.0/users/${LEE.aadObjectId}/ownedObjects/microsoft.graph.servicePrincipal?$select=id,displayName,appRoles,tags&$top=999`);
    expect(paths.some((p) => /signInActivity|appRoleAssignments|servicePrincipals\?/.test(p))).toBe(false);
  });

  it("shows an app owner the assignments on the apps they own, and only those", async () => {
    const wendy = await ask(bot, CALLER, 'whois wmoran@partners.contoso.com');
    expect(wendy.text).toContain('Contoso Timesheets (IWA): Timesheet User');
    expect(wendy.text).toContain('Only the apps you own are listed.');
    expect(wendy.text).not.toMatch(/^Last sign-in$/m);
    expect(wendy.text).not.toContain('Megan Bowen');
    // Resolve the user and the apps Zoë owns, then read only this user's assignments.
    expect(sandbox.stats().graphRoundTrips).toBe(2);
    expect(batchItems().some((r) => r.path.includes('signInActivity') || r.path.includes('/servicePrincipals?'))).toBe(false);

    sandbox.resetStats();
    const alex = await ask(bot, CALLER, 'whois alex.wilber@contoso.com');
    expect(alex.text).not.toContain('Contoso Wiki');
    expect(alex.text).toContain('None on the on-prem apps you own');
  });

  it('shows partner managers and admins everything, and never tells an admin to ask an admin', async () => {
    for (const who of [MANAGER, ADMIN]) {
      sandbox.resetStats();
      const { text } = await ask(bot, who, 'whois E0000000-0000-4000-8000-000000000001');
      expect(text).toContain('Last sign-in');
      expect(text).toContain('2025-01-08 09:30 UTC');
      expect(text).toContain('Contoso Expenses (SAML): User (through a group)');
      expect(text).not.toContain('Only the apps you own');
      expect(text).not.toMatch(/ask an admin|ask a partner manager/i);
      expect(sandbox.stats().graphRoundTrips).toBe(1);
      expect(batchItems()).toHaveLength(4);
    }
  });

  it('keeps to its round-trip budget for each kind of reference and role', async () => {
    // [caller, reference, round trips]: a UPN costs a second trip for whoever may see the last sign-in (Graph refuses it by
    // UPN); an app owner's second trip reads the assignments on their apps; everything else is one $batch.
    const budget: [TestUser, string, number][] = [
      [ADMIN, 'whois e0000000-0000-4000-8000-000000000001', 1],
      [ADMIN, 'whois alice@fabrikam.com', 1],
      [ADMIN, "whois O'Brien", 1],
      [ADMIN, 'whois alice_fabrikam.com#EXT#@contoso.onmicrosoft.com', 2],
      [LEE, 'whois e0000000-0000-4000-8000-000000000001', 1],
      [LEE, 'whois alice_fabrikam.com#EXT#@contoso.onmicrosoft.com', 1],
      [LEE, "whois O'Brien", 1],
      [CALLER, 'whois wmoran@partners.contoso.com', 2],
    ];
    for (const [who, text, trips] of budget) {
      sandbox.resetStats();
      await ask(bot, who, text);
      expect({ text, by: who.name, trips: sandbox.stats().graphRoundTrips }).toEqual({ text, by: who.name, trips });
      expect(batchItems().every((r) => r.status === 200)).toBe(true);
    }
  });

  it('tells a partner manager to ask an admin about an address held here, and tells an admin what to do instead', async () => {
    const asManager = await ask(bot, MANAGER, 'invite wmoran@fabrikam.com');
    expect(asManager.text).toContain('is a locally managed partner account');
    expect(asManager.text).toContain('If this is wrong, ask an admin to check the account with whois.');
    const asAdmin = await ask(bot, ADMIN, 'invite wmoran@fabrikam.com');
    expect(asAdmin.text).toContain('is a locally managed partner account');
    expect(asAdmin.text).toContain('If this is wrong, check the account with whois and in Entra.');
    expect(asAdmin.text).not.toMatch(/ask an admin/i);
  });

  it("refuses signInActivity by UPN with Graph's 400, and serves it by object id", async () => {
    const token = await sandboxToken(sandbox);
    const get = (path: string) => fetch(`${sandbox.url}/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } });
    const byUpn = await get(`/users/${encodeURIComponent('alice_fabrikam.com#EXT#@contoso.onmicrosoft.com')}?$select=id,signInActivity`);
    expect(byUpn.status).toBe(400);
    const body = (await byUpn.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('BadRequest');
    expect(body.error.message).toBe('Get By Key only supports UserId and the key has to be a valid Guid');
    expect((await get('/users/alice%40fabrikam.com?$select=signInActivity')).status).toBe(400);
    expect((await get(`/users/${encodeURIComponent('alice_fabrikam.com#EXT#@contoso.onmicrosoft.com')}?$select=id,displayName`)).status).toBe(200);
    const byId = await get('/users/e0000000-0000-4000-8000-000000000001?$select=id,signInActivity');
    expect(byId.status).toBe(200);
  });
});

describe('whois over HTTP against a second, unlicensed tenant with a UPN-suffix partner marker', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ fixture: loadFixture(path.resolve(__dirname, '../../fixtures/northwind.json')) });
    bot = await startBotOn(sandbox, { PARTNER_UPN_SUFFIXES: 'ext.northwindtraders.com', PARTNER_MARKER_ATTRIBUTE: 'none' });
    await bot.say(NORTHWIND_CALLER, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => sandbox.resetStats());

  it('recognises a synced partner by UPN suffix, and says the last sign-in needs a licence', async () => {
    const { text } = await ask(bot, NORTHWIND_CALLER, 'whois pquinn@ext.northwindtraders.com');
    expect(text).toContain('GUEST');
    expect(text).toContain('Paula Quinn');
    expect(text).toContain('marked as a partner by its UPN suffix @ext.northwindtraders.com');
    expect(text).toContain('no Microsoft Entra ID P1 or P2 licence');
    const stats = sandbox.stats();
    expect(stats.graphRoundTrips).toBe(1);
    expect(stats.requests.filter((r) => r.batchItem).map((r) => r.status)).toEqual([200, 403, 200, 200]);
  });

  it('flags a partner by UPN suffix who was synced as Member', async () => {
    const { text } = await ask(bot, NORTHWIND_CALLER, 'whois gholt@ext.northwindtraders.com');
    expect(text).toContain('Security gap');
    expect(text).toContain('its UPN suffix @ext.northwindtraders.com');
  });

  it('gives a pick list for an ambiguous display name, and each row shows that person', async () => {
    const { card, text } = await ask(bot, NORTHWIND_CALLER, 'whois Sam Taylor');
    expect(text).toContain('2 people match "Sam Taylor"');
    expect(text).toContain('Guest · sam@fabrikam.com · Fabrikam');
    expect(text).toContain('Member · sam.taylor@northwindtraders.com');
    const rows = executeActions(card);
    expect(rows.map((r) => r.verb)).toEqual(['user.show', 'user.show']);
    const guestRow = rows.find((r) => r.data.userId === '72000000-0000-4000-8000-000000000002');
    expect(guestRow).toBeDefined();

    sandbox.resetStats();
    const shown = await bot.click(NORTHWIND_CALLER, 'user.show', guestRow?.data ?? {});
    expect(shown.statusCode).toBe(200);
    expect(shown.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(validateAdaptiveCard(shown.value)).toEqual([]);
    const shownText = cardText(shown.value);
    expect(shownText).toContain('Sam Taylor');
    expect(shownText).toContain('Pending: not accepted yet');
    expect(sandbox.stats().graphRoundTrips).toBe(1);
  });

  it('refuses a pick-list click whose data was tampered with', async () => {
    const result = await bot.click(NORTHWIND_CALLER, 'user.show', { userId: "x' or 1 eq 1" });
    expect(result.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(result.value)).toContain('out of date or was changed');
  });

  it('renders a display name carrying Markdown and ${...} as text', async () => {
    const { card, text } = await ask(bot, NORTHWIND_CALLER, 'whois markdown.person@northwindtraders.com');
    expect(text).toContain('\\*\\*Urgent\\*\\* \\[Approve here\\](https://evil.example/approve) ${caller.name} \\_now\\_');
    expect(text).toContain("${if(true, 'x', 'y')}");
    expect(text).not.toContain('[Approve here](https://evil.example/approve)');
    expect(JSON.stringify(card)).not.toContain('Nora Admin');
  });

  it('shows a self-service sign-up that signs in with Google', async () => {
    const { text } = await ask(bot, NORTHWIND_CALLER, 'whois ivan.petrov@gmail.com');
    expect(text).toContain('Self-service sign-up');
    expect(text).toContain('A Google account');
  });
});
