import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, executeActions, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000003', name: 'Zoë Krüger-Łukasiewicz' };
const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';

type Card = Record<string, unknown>;

/** The rows of a doctor card: "Fine: Account exists…" → its verdict word, by heading. */
function rows(text: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const m of text.matchAll(/(Fine|Blocks access|Check this|Not applicable): ([^\n]+)/g)) found[m[2] ?? ''] = m[1] ?? '';
  return found;
}

describe('doctor over HTTP against the Contoso sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  async function ask(user: TestUser, text: string): Promise<{ card: Card; text: string }> {
    const [reply] = await bot.say(user, text);
    const card = cardOf(reply);
    if (!card) throw new Error(`no card in the reply to "${text}"`);
    expect(validateAdaptiveCard(card)).toEqual([]);
    return { card, text: cardText(card) };
  }

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox);
    await bot.say(MANAGER, 'help');
    await bot.say(ADMIN, 'help');
    await bot.say(MEMBER, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => sandbox.resetStats());

  it('finds a pending invitation red, offers Resend, and stays within 4 Graph round trips without an app', async () => {
    const { card, text } = await ask(MANAGER, 'doctor bob@tailspintoys.com');
    const verdicts = rows(text);
    expect(verdicts['Account exists, enabled, UserType']).toBe('Fine');
    expect(verdicts['Invitation redeemed']).toBe('Blocks access');
    expect(text).toContain('Verdict: blocked');
    expect(text).toContain('Bob Kelly has not redeemed the invitation: resend it.');
    const resend = executeActions(card).find((b) => b.verb === 'invite.resend');
    expect(resend).toMatchObject({ title: 'Resend invitation', data: { email: 'bob@tailspintoys.com' } });
    expect(sandbox.stats().graphRoundTrips).toBeLessThanOrEqual(4);
  });

  it('answers the why alias for an accepted guest with the sign-in realm, nothing red', async () => {
    const { text } = await ask(MANAGER, 'why alice@fabrikam.com');
    const verdicts = rows(text);
    expect(verdicts['Invitation redeemed']).toBe('Fine');
    expect(verdicts['Where sign-in goes']).toBeDefined();
    expect(text).not.toContain('Blocks access');
  });

  it('is red with invite to send for an address nobody has', async () => {
    const { text } = await ask(MANAGER, 'doctor nobody@tailspintoys.com');
    expect(rows(text)['Account exists, enabled, UserType']).toBe('Blocks access');
    expect(text).toContain('send "invite nobody@tailspintoys.com"');
  });

  it('finds the home-realm problem of a synced partner whose email is elsewhere, with the signin checklist', async () => {
    const { text } = await ask(MANAGER, 'doctor rpatel@contoso.com');
    expect(rows(text)['Where sign-in goes']).toBe('Blocks access');
    expect(text).toContain('signin raj.patel@northwindtraders.com');
  });

  it('checks the whole chain on a Kerberos app: not assigned is red with Request access prefilled, within 7 round trips', async () => {
    const { card, text } = await ask(MANAGER, 'doctor alice@fabrikam.com Contoso Timesheets');
    const verdicts = rows(text);
    expect(verdicts['Assigned to the app']).toBe('Blocks access');
    expect(verdicts["The bot's grant"]).toBe('Not applicable');
    expect(verdicts['App Proxy pre-authentication']).toBe('Fine');
    expect(verdicts['Single sign-on mode']).toBe('Fine');
    // The sandbox bot has no on-prem directory: said, never green.
    expect(verdicts['Kerberos: shadow account in on-prem AD']).toBe('Check this');
    expect(text).toContain('no on-prem directory is configured');
    expect(verdicts['Kerberos: delegated login identity']).toBe('Fine');
    expect(text).toContain('Alice Smith (Fabrikam) is not assigned to Contoso Timesheets (IWA): request access.');
    const request = executeActions(card).find((b) => b.verb === 'access.request');
    expect(request?.data).toEqual({ servicePrincipalId: TIMESHEETS, partner: 'alice@fabrikam.com' });
    expect(sandbox.stats().graphRoundTrips).toBeLessThanOrEqual(7);
  });

  it('names the group an assignment comes through, and the direct one of a synced partner on a Kerberos app', async () => {
    const viaGroup = await ask(MANAGER, 'doctor alice@fabrikam.com for Contoso Expenses');
    expect(rows(viaGroup.text)['Assigned to the app']).toBe('Fine');
    expect(viaGroup.text).toContain('through the group Finance Portal Users');
    expect(rows(viaGroup.text)['Kerberos: shadow account in on-prem AD']).toBe('Not applicable');
    const direct = await ask(MANAGER, 'doctor wmoran@partners.contoso.com Timesheets');
    expect(direct.text).toContain('Timesheet User, directly');
    expect(rows(direct.text)['Kerberos: shadow account in on-prem AD']).toBe('Not applicable');
  });

  it('Check again re-runs the same question from the card, with the app', async () => {
    const { card } = await ask(MANAGER, 'doctor alice@fabrikam.com Contoso Timesheets');
    const again = executeActions(card).find((b) => b.verb === 'doctor.run');
    expect(again?.data).toEqual({ user: 'e0000000-0000-4000-8000-000000000001', servicePrincipalId: TIMESHEETS });
    const clicked = await bot.click(MANAGER, 'doctor.run', again?.data ?? {});
    expect(cardText(clicked.value)).toContain('Why can\'t Alice Smith (Fabrikam) open Contoso Timesheets (IWA)?');
  });

  it('is on whois for partner managers, and on each app in apps, which asks whom to check', async () => {
    const whois = await ask(MANAGER, 'whois alice@fabrikam.com');
    expect(executeActions(whois.card).find((b) => b.verb === 'doctor.run')).toMatchObject({ title: "Why can't they sign in?", data: { user: 'e0000000-0000-4000-8000-000000000001' } });
    const memberWhois = await ask(MEMBER, 'whois alice@fabrikam.com');
    expect(executeActions(memberWhois.card).map((b) => b.verb)).not.toContain('doctor.run');

    const apps = await ask(MANAGER, 'apps');
    const button = executeActions(apps.card).find((b) => b.verb === 'doctor.run' && b.data?.servicePrincipalId === TIMESHEETS);
    expect(button).toBeDefined();
    const asked = await bot.click(MANAGER, 'doctor.run', button?.data ?? {});
    expect(cardText(asked.value)).toContain('Who cannot sign in to Contoso Timesheets (IWA)?');
    const answered = await bot.click(MANAGER, 'doctor.run', { ...(button?.data ?? {}), user: 'alice@fabrikam.com' });
    expect(cardText(answered.value)).toContain('is not assigned to Contoso Timesheets (IWA)');
  });

  it('refuses a member without an app, and on an app they do not own, reading nothing about the person', async () => {
    const none = await ask(MEMBER, 'doctor alice@fabrikam.com');
    expect(none.text).toContain('Only partner managers and admins may run the doctor without naming an app');
    sandbox.resetStats();
    const notOwner = await ask(MEMBER, 'doctor alice@fabrikam.com Contoso Timesheets (IWA)');
    expect(notOwner.text).toContain('Only partner managers, admins and the owners of Contoso Timesheets (IWA)');
    expect(sandbox.stats().requests.some((r) => r.path.includes('alice'))).toBe(false);
  });

  it('says what was wrong with an unknown app, an ambiguous app, and hostile text', async () => {
    const unknown = await ask(MANAGER, 'doctor alice@fabrikam.com Zzyzx Qqq');
    expect(unknown.text).toContain('No app is called "Zzyzx Qqq"');
    const ambiguous = await ask(MANAGER, 'doctor alice@fabrikam.com Contoso');
    expect(ambiguous.text).toContain('Several apps match "Contoso"');
    const hostile = await ask(MANAGER, 'doctor alice@fabrikam.com [Approve here](https://evil.example/approve)');
    expect(JSON.stringify(hostile.card)).not.toContain('[Approve here](https://evil.example/approve)');
    expect(hostile.text).toContain('\\[Approve here\\]');
    const badUser = await ask(MANAGER, 'doctor x');
    expect(badUser.text).toContain('Type at least two letters');
  });
});
