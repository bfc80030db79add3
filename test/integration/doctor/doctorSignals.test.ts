import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { contosoFixture, startTestSandbox } from '../../helpers/sandbox';

const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };

type Card = Record<string, unknown>;

/** A row's verdict word and its fact line, by heading. */
function row(text: string, heading: string): { verdict: string; fact: string } | undefined {
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(Fine|Blocks access|Check this|Not applicable): ${escaped}\\n([^\\n]*)`).exec(text);
  return m ? { verdict: m[1] ?? '', fact: m[2] ?? '' } : undefined;
}

async function ask(bot: TestBot, text: string): Promise<{ card: Card; text: string }> {
  const [reply] = await bot.say(MANAGER, text);
  const card = cardOf(reply);
  if (!card) throw new Error(`no card in the reply to "${text}"`);
  expect(validateAdaptiveCard(card)).toEqual([]);
  return { card, text: cardText(card) };
}

describe('doctor: the Conditional Access and recent sign-ins rows against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox);
    await bot.say(MANAGER, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => sandbox.resetStats());

  it('is red for a policy that blocks this guest everywhere, named, with the blocked sign-in pointing to it, in 4 round trips', async () => {
    const { text } = await ask(bot, 'doctor erik@lakeshore-consulting.net');
    const ca = row(text, 'Conditional Access');
    expect(ca?.verdict).toBe('Blocks access');
    expect(ca?.fact).toContain('"Block Erik Lindqvist everywhere (incident 4711)" blocks Erik Lindqvist on every app');
    expect(text).toContain('The bot changes no Conditional Access policy');
    const signIns = row(text, 'Recent sign-ins');
    expect(signIns?.verdict).toBe('Blocks access');
    expect(signIns?.fact).toContain('AADSTS53003, blocked by Conditional Access (see Conditional Access)');
    expect(text).toContain('Verdict: blocked');
    expect(sandbox.stats().graphRoundTrips).toBeLessThanOrEqual(4);
  });

  it('matches a policy by guest type and app, and one by group membership, within 7 round trips with an app', async () => {
    const { text } = await ask(bot, 'doctor alice@fabrikam.com Contoso Wiki');
    const ca = row(text, 'Conditional Access');
    expect(ca?.verdict).toBe('Blocks access');
    expect(ca?.fact).toContain('"Block B2B guests from Contoso Wiki" blocks');
    // Alice is in All Partners, which the MFA policy takes in for every app.
    expect(ca?.fact).toContain('"Require MFA for partners" requires multifactor authentication');
    expect(sandbox.stats().graphRoundTrips).toBeLessThanOrEqual(7);
  });

  it('is amber for a control the guest must satisfy, green where no policy applies, and never counts a disabled policy', async () => {
    const alice = await ask(bot, 'doctor alice@fabrikam.com Contoso Expenses');
    expect(row(alice.text, 'Conditional Access')?.verdict).toBe('Check this');
    // Dana is in no policy's groups; the disabled policy for all guests would block her.
    const dana = await ask(bot, 'doctor dana.reyes@outlook.com');
    expect(row(dana.text, 'Conditional Access')).toEqual({ verdict: 'Fine', fact: expect.stringContaining('No enabled policy blocks Dana Reyes on every app') });
  });

  it('explains the last failed sign-ins in words, skips interrupts, and points to the row concerned', async () => {
    const dana = await ask(bot, 'doctor dana.reyes@outlook.com Contoso Timesheets');
    const signIns = row(dana.text, 'Recent sign-ins');
    expect(signIns?.verdict).toBe('Blocks access');
    expect(signIns?.fact).toContain('to Contoso Timesheets (IWA): AADSTS50105, not assigned to the app (see Assigned to the app)');
    expect(signIns?.fact).not.toContain('50140');
    expect(row(dana.text, 'Assigned to the app')?.verdict).toBe('Blocks access');

    const fiona = await ask(bot, 'doctor fiona.grant@gmail.com Contoso Expenses');
    const mfa = row(fiona.text, 'Recent sign-ins');
    expect(mfa?.verdict).toBe('Check this');
    expect(mfa?.fact).toContain('AADSTS50076, multifactor authentication required (see Conditional Access)');

    const alice = await ask(bot, 'doctor alice@fabrikam.com Contoso Expenses');
    expect(row(alice.text, 'Recent sign-ins')).toEqual({ verdict: 'Fine', fact: expect.stringContaining('The last sign-in to Contoso Expenses (SAML) succeeded') });

    // The sign-in log is read for this app only: Dana's Timesheets failure is not on her Expenses card.
    const other = await ask(bot, 'doctor dana.reyes@outlook.com Contoso Expenses');
    expect(row(other.text, 'Recent sign-ins')?.verdict).toBe('Not applicable');
  });

  it('finds the fixture\'s disabled guest red, with the sign-in that failed for it pointing to the account row', async () => {
    const { text } = await ask(bot, 'doctor gustav@fabrikam.com');
    expect(row(text, 'Account exists, enabled, UserType')?.verdict).toBe('Blocks access');
    expect(row(text, 'Recent sign-ins')?.fact).toContain('AADSTS50057, the account is disabled (see Account exists, enabled, UserType)');
    expect(text).toContain("Gustav Berg (disabled)'s account");
  });

  it('shows a hostile policy name as text, report-only as amber', async () => {
    const { card, text } = await ask(bot, 'doctor carla.diaz@wingtiptoys.com');
    const ca = row(text, 'Conditional Access');
    expect(ca?.verdict).toBe('Check this');
    expect(ca?.fact).toContain('is report-only: it would block access');
    expect(JSON.stringify(card)).not.toContain('[Approve here](https://evil.example/approve)');
    expect(text).toContain('\\[Approve here\\]');
  });
});

describe('doctor without Policy.Read.All, and on a tenant without Entra ID P1/P2', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    const fixture = contosoFixture();
    fixture.tenant.hasPremiumLicense = false;
    fixture.grantedPermissions = fixture.grantedPermissions.filter((p) => p !== 'Policy.Read.All');
    sandbox = await startTestSandbox({ fixture });
    bot = await startBotOn(sandbox);
    await bot.say(MANAGER, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('is amber with the permission and the licence named, never green, never a crash', async () => {
    const { text } = await ask(bot, 'doctor erik@lakeshore-consulting.net');
    expect(row(text, 'Conditional Access')).toEqual({ verdict: 'Check this', fact: expect.stringContaining('it lacks Policy.Read.All') });
    expect(row(text, 'Recent sign-ins')).toEqual({ verdict: 'Check this', fact: expect.stringContaining('needs a Microsoft Entra ID P1 or P2 licence') });
    expect(row(text, 'Account exists, enabled, UserType')?.verdict).toBe('Fine');
  });
});

describe('doctor without AuditLog.Read.All', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    const fixture = contosoFixture();
    fixture.grantedPermissions = fixture.grantedPermissions.filter((p) => p !== 'AuditLog.Read.All');
    sandbox = await startTestSandbox({ fixture });
    bot = await startBotOn(sandbox);
    await bot.say(MANAGER, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('says the sign-in log needs AuditLog.Read.All, and still judges Conditional Access', async () => {
    const { text } = await ask(bot, 'doctor erik@lakeshore-consulting.net');
    expect(row(text, 'Recent sign-ins')).toEqual({ verdict: 'Check this', fact: expect.stringContaining('it lacks AuditLog.Read.All') });
    expect(row(text, 'Conditional Access')?.verdict).toBe('Blocks access');
  });
});
