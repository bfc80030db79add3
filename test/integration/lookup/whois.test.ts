import path from 'node:path';
import { loadFixture } from '../../../sandbox/fixture';
import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, executeActions, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const CALLER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000003', name: 'Zoë Krüger-Łukasiewicz' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
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
    bot = await startBotOn(sandbox);
    await bot.say(CALLER, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => sandbox.resetStats());

  it('shows a synced member in one Graph round trip, selecting exactly what the card shows', async () => {
    const { text } = await ask(bot, CALLER, 'whois alex.wilber@contoso.com');
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
    expect(items[2]?.path).toContain('$expand=appRoleAssignments($select=id,appRoleId,resourceId,principalId)');
    expect(items[3]?.path).toContain("tags/any(t:t eq 'WindowsAzureActiveDirectoryOnPremApp')");
    expect(text).toContain('Contoso Wiki (header-based): Default access');
  });

  it('shows a locally managed partner synced as Guest, marked by extensionAttribute1, with sponsors and a Check realm button', async () => {
    const { card, text } = await ask(bot, CALLER, 'usertype wmoran@partners.contoso.com');
    expect(text).toContain('GUEST');
    expect(text).toContain('Locally managed partner account, synced from our on-prem Active Directory');
    expect(text).toContain('extensionAttribute1 = "Partner"');
    expect(text).toContain('Megan Bowen');
    expect(text).toContain('the email is in fabrikam.com');
    expect(text).toContain('On-prem app access');
    expect(text).toContain('Contoso Timesheets (IWA): Timesheet User');
    expect(text).not.toContain('Security gap');
    const buttons = executeActions(card);
    expect(buttons.map((b) => b.title)).toEqual(['Check realm']);
    expect(buttons[0]?.data).toEqual({ emailOrDomain: 'wmoran@fabrikam.com', userId: 'd0000000-0000-4000-8000-000000000001' });
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

  it('shows an accepted invited guest by #EXT# UPN, percent-encoded in the path, in one round trip', async () => {
    const { text } = await ask(bot, CALLER, 'whois alice_fabrikam.com#EXT#@contoso.onmicrosoft.com');
    expect(text).toContain('Invited B2B guest');
    expect(text).toContain('Accepted on 2024-05-02 14:11 UTC');
    expect(text).toContain("Their own organization's Microsoft Entra account");
    expect(text).toContain('Last sign-in');
    expect(text).toContain('2025-01-08 09:30 UTC');
    expect(text).toContain('Contoso Expenses (SAML): User (through a group)');
    const stats = sandbox.stats();
    expect(stats.graphRoundTrips).toBe(1);
    expect(stats.requests.filter((r) => r.batchItem).every((r) => r.status === 200)).toBe(true);
    expect(stats.requests.find((r) => r.batchItem)?.path).toContain('/v1.0/users/alice_fabrikam.com#EXT#@contoso.onmicrosoft.com?');
  });

  it('shows a pending invited guest found by their own email', async () => {
    const { text } = await ask(bot, CALLER, 'whois <a href="mailto:bob@tailspintoys.com">bob@tailspintoys.com</a>');
    expect(text).toContain('Bob Kelly');
    expect(text).toContain('Pending: not accepted yet (invited or reset 2025-01-12 16:05 UTC)');
    expect(text).toContain('Nothing yet: the invitation has not been redeemed');
    expect(sandbox.stats().graphRoundTrips).toBe(1);
  });

  it('shows a guest who signs in with a Microsoft account, by object id in one round trip', async () => {
    const { text } = await ask(bot, CALLER, 'whois E0000000-0000-4000-8000-000000000003');
    expect(text).toContain('Dana Reyes');
    expect(text).toContain('A personal Microsoft account');
    expect(text).toContain('Sponsors');
    expect(sandbox.stats().graphRoundTrips).toBe(1);
  });

  it('shows a guest who signs in with an email one-time passcode', async () => {
    const { text } = await ask(bot, CALLER, 'whois erik@lakeshore-consulting.net');
    expect(text).toContain('Erik Lindqvist');
    expect(text).toContain('A one-time passcode sent to their email');
    expect(text).toContain('Sponsors');
    expect(text).toContain('None');
  });

  it("names a guest's SAML IdP and a group sponsor", async () => {
    const { text } = await ask(bot, CALLER, 'whois carla.diaz@wingtiptoys.com');
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
      const { text } = await ask(bot, CALLER, 'whois wmoran@partners.contoso.com');
      expect(text).toContain('Wendy Moran');
      expect(text).toContain('Not available: the bot may not read app assignments here (it needs Application.Read.All).');
    } finally {
      sandbox.setFaults([]);
    }
  });

  it('says why the last sign-in is missing when the bot lacks AuditLog.Read.All', async () => {
    sandbox.setFaults([{ pathPattern: 'signInActivity', appliesTo: 'batchItem', status: 403 }]);
    try {
      const { text } = await ask(bot, CALLER, 'whois alice@fabrikam.com');
      expect(text).toContain('Alice Smith');
      expect(text).toContain('the bot lacks the AuditLog.Read.All permission');
    } finally {
      sandbox.setFaults([]);
    }
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
