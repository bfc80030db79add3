import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, executeData, startBotOn, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import { contosoFixture, startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
/** A partner account created in the cloud for a Litware consultant: internal credentials, Mail already her own address. */
const KIM = 'd0000000-0000-4000-8000-0000000000aa';

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

async function ask(bot: TestBot, user: TestUser, text: string): Promise<{ text: string; card: Record<string, unknown> }> {
  const [reply] = await bot.say(user, text);
  const card = cardOf(reply);
  if (!card) throw new Error(`no card in the reply to "${text}"`);
  expect(validateAdaptiveCard(card)).toEqual([]);
  return { text: cardText(card), card };
}

describe('signin and convert over HTTP against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    const fixture = contosoFixture();
    fixture.users.push({
      id: KIM,
      userPrincipalName: 'kpark@partners.contoso.com',
      displayName: 'Kim Park',
      userType: 'Guest',
      mail: 'kim.park@litware.com',
      companyName: 'Litware',
      accountEnabled: true,
    });
    sandbox = await startTestSandbox({ fixture });
    bot = await startBotOn(sandbox);
    for (const user of [ADMIN, MANAGER, MEMBER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => sandbox.resetStats());

  it("checks the four email-as-sign-in steps for a synced partner, each with its fact, and gives the tenanted URL", async () => {
    const { text } = await ask(bot, MANAGER, 'signin wmoran@fabrikam.com');
    expect(text).toContain('Email as sign-in for Wendy Moran (wmoran@fabrikam.com)');
    expect(text).toContain('1. Done: Synced from on-prem AD as a Guest');
    expect(text).toContain('Synced from AD as wmoran@partners.contoso.com (wmoran), UserType Guest.');
    expect(text).toContain('2. Done: Cloud UPN suffix is our verified domain');
    expect(text).toContain('partners.contoso.com is a verified domain of ours, federated');
    expect(text).toContain('3. Done: The apps they use trust Entra');
    expect(text).toContain('4. Done: They sign in through a tenanted endpoint');
    expect(text).toContain(`https://myapps.microsoft.com/?tenantid=${sandbox.state.tenant.id}`);
    expect(text).toContain("fabrikam.com belongs to Fabrikam's Microsoft Entra tenant");
    // The federation fact comes from Graph's federationConfiguration of our domain.
    expect(sandbox.stats().requests.some((r) => /\/domains\/partners\.contoso\.com\/federationConfiguration/i.test(r.path))).toBe(true);
  });

  it('says what is missing: a partner synced as Member, on a domain that is not federated, assigned to nothing', async () => {
    const { text } = await ask(bot, ADMIN, 'signin dvolkov@partners.contoso.com');
    expect(text).toContain('1. Missing: Synced from on-prem AD as a Guest');
    expect(text).toContain('UserType Member: the sync rule must make partners Guest');
    expect(text).toContain('3. Missing: The apps they use trust Entra');

    const invited = await ask(bot, ADMIN, 'signin alice@fabrikam.com');
    expect(invited.text).toContain('Not synced from AD: it is an invited B2B guest');
  });

  it('refuses bad input and people who may not ask, and answers an unknown address plainly', async () => {
    expect((await ask(bot, MEMBER, 'signin wmoran@fabrikam.com')).text).toContain('signin is for partner managers and admins');
    expect((await ask(bot, ADMIN, 'signin not-an-address')).text).toContain('That is not an email address.');
    expect((await ask(bot, ADMIN, 'signin a@b.com c@d.com')).text).toContain("Give the partner's email address, and only that.");
    expect((await ask(bot, ADMIN, 'signin nobody@nowhere-at-all.example')).text).toContain('No account here has the address nobody@nowhere-at-all.example');
  });

  it('refuses to convert a synced partner where Microsoft blocks it, naming onPremisesUserPrincipalName, and sends nothing', async () => {
    const { text } = await ask(bot, ADMIN, 'convert wmoran@fabrikam.com');
    expect(text).toContain('Microsoft blocks this conversion');
    expect(text).toContain('onPremisesUserPrincipalName (wmoran@partners.contoso.com)');
    expect(text).toContain('Nothing was changed.');
    const invited = await ask(bot, ADMIN, 'convert alice@fabrikam.com');
    expect(invited.text).toContain('already signs in with B2B credentials');
    const employee = await ask(bot, ADMIN, 'convert siobhan.obrien@outlook.com');
    expect(employee.text).toMatch(/Email \(User\.Mail\) is siobhan\.obrien@contoso\.com|not a partner account/);
    expect(sandbox.stats().requests.filter((r) => r.method === 'POST' && /\/invitations$/.test(r.path))).toHaveLength(0);
    expect((await ask(bot, MANAGER, 'convert kim.park@litware.com')).text).toContain('convert is for admins');
  });

  it('converts a cloud partner account after the confirmation: same object, pending B2B redemption, audited once', async () => {
    const asked = await ask(bot, ADMIN, 'convert kim.park@litware.com');
    expect(asked.text).toContain('Convert Kim Park to sign in with kim.park@litware.com?');
    expect(asked.text).toContain('their cloud sign-in moves to their home realm');
    expect(asked.text).toContain('The local password stops working in the cloud');
    expect(asked.text).toContain('one-way');
    expect(sandbox.state.users.get(KIM)?.externalUserState).toBeUndefined();
    const confirm = executeData(asked.card, 'confirm.accept');
    expect(confirm).toEqual({ confirmationId: expect.any(String) });

    const done = invokeText(await bot.click(ADMIN, 'confirm.accept', { ...confirm }));
    expect(done).toContain('Kim Park is invited to sign in with kim.park@litware.com.');
    expect(done).toContain('https://login.microsoftonline.com/redeem?rd=');
    const kim = sandbox.state.users.get(KIM);
    expect(kim?.externalUserState).toBe('PendingAcceptance');
    expect(kim?.userPrincipalName).toBe('kpark@partners.contoso.com');
    expect([...sandbox.state.users.values()].filter((u) => u.mail === 'kim.park@litware.com')).toHaveLength(1);
    const posts = sandbox.stats().requests.filter((r) => r.method === 'POST' && /\/invitations$/.test(r.path));
    expect(posts).toHaveLength(1);

    // Twice is refused by the plan, not sent again: the account now has B2B credentials.
    expect((await ask(bot, ADMIN, 'convert kim.park@litware.com')).text).toContain('already signs in with B2B credentials');
    const audit = await bot.bot.services.store.audit.list({ action: 'partner.convert' });
    expect(audit.filter((a) => a.outcome === 'success').map((a) => a.detail?.userId)).toEqual([KIM]);
  });

  it('treats a synced partner like a guest where Microsoft says they are the same, and says where they differ: no invitation to resend', async () => {
    const { text } = await ask(bot, ADMIN, 'resend wmoran@fabrikam.com');
    expect(text).toContain('wmoran@fabrikam.com is a locally managed partner account');
    expect(text).toContain('no invitation: there is nothing to resend');
    expect(text).toContain('an admin can run convert');
    const member = await ask(bot, ADMIN, 'resend adele.vance@contoso.com');
    expect(member.text).toContain('not invited, so there is no invitation to resend');
    expect(sandbox.stats().requests.filter((r) => r.method === 'POST' && /\/invitations$/.test(r.path))).toHaveLength(0);
  });
});
