import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const CALLER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
const WENDY = 'd0000000-0000-4000-8000-000000000001';

async function ask(bot: TestBot, text: string): Promise<string> {
  const [reply] = await bot.say(CALLER, text);
  const card = cardOf(reply);
  if (!card) throw new Error(`no card in the reply to "${text}"`);
  expect(validateAdaptiveCard(card)).toEqual([]);
  return cardText(card);
}

describe('realm over HTTP against the sandbox login endpoints and Graph', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    // The production budget: realm's own answer time is derived from it (1.5 s for a 2 s budget).
    bot = await startBotOn(sandbox, { TURN_BUDGET_MS: '2000' });
    await bot.say(CALLER, 'help');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  beforeEach(() => {
    sandbox.resetStats();
    sandbox.setFaults([]);
  });

  it("names a managed Entra tenant with its tenant id from openid-configuration", async () => {
    const text = await ask(bot, 'realm alice@fabrikam.com');
    expect(text).toContain("fabrikam.com belongs to Fabrikam's Microsoft Entra tenant (2f6e8c14-3b5d-4e7a-9c1f-8a2b4d6e0f13)");
    expect(text).toContain('uses their own Fabrikam account');
    expect(text).not.toContain('Home realm problem');
    const login = sandbox.stats().login.map((l) => l.path);
    expect(login).toContain('/common/userrealm/alice@fabrikam.com?api-version=2.1&checkForMicrosoftAccount=true');
    expect(login).toContain('/fabrikam.com/v2.0/.well-known/openid-configuration');
  });

  it("sends a federated domain to the partner's IdP, naming brand, host and protocol", async () => {
    const text = await ask(bot, 'homerealm bob@tailspintoys.com');
    expect(text).toContain("Entra sends the sign-in to Tailspin Toys' own identity provider at fs.tailspintoys.com over WS-Federation");
    expect(text).toContain('4a8d2e6f-1c3b-4d5e-8f7a-9b0c1d2e3f4a');
  });

  it('says a consumer or unknown domain redeems with a Microsoft account or a one-time passcode, and which one applies', async () => {
    const unknown = await ask(bot, 'realm lakeshore-consulting.net');
    expect(unknown).toContain('lakeshore-consulting.net has no Microsoft Entra organization of its own');
    expect(unknown).toContain('Microsoft account, or with an email one-time passcode');
    expect(unknown).not.toContain('Incomplete answer');

    const withMsa = await ask(bot, 'realm dana.reyes@outlook.com');
    expect(withMsa).toContain('dana.reyes@outlook.com has a Microsoft account, so they will sign in with it');
    const withoutMsa = await ask(bot, 'realm fiona.grant@gmail.com');
    expect(withoutMsa).toContain('fiona.grant@gmail.com has no Microsoft account, so they will get a one-time passcode by email');
  });

  it('says one of our managed domains is one of our addresses', async () => {
    const text = await ask(bot, 'realm someone@CONTOSO.com');
    expect(text).toContain('contoso.com is one of our addresses');
  });

  it('explains our own federated domain: partners signing in with it go to our IdP (seed-004)', async () => {
    const text = await ask(bot, 'realm partners.contoso.com');
    expect(text).toContain('one of our own domains, federated with our on-premises identity provider at sts.contoso.com (WS-Federation)');
    expect(text).toContain('this is how locally managed partners use their email as sign-in');
    const graph = sandbox.stats().requests.map((r) => r.path);
    expect(graph).toContain('/v1.0/domains/partners.contoso.com/federationConfiguration');
  });

  it("explains the home-realm problem of a synced local account whose mail belongs to another tenant, with the fix", async () => {
    const text = await ask(bot, 'realm wmoran@fabrikam.com');
    expect(text).toContain('Home realm problem');
    expect(text).toContain('Wendy Moran exists here as a synced local account (wmoran@partners.contoso.com)');
    expect(text).toContain("will be sent to Fabrikam's tenant, and the local credentials we manage won't work there");
    expect(text).toContain('Federate the cloud UPN suffix with our on-prem IdP: done, partners.contoso.com is federated with sts.contoso.com');
    expect(text).toContain('through a tenanted endpoint');
  });

  it("answers the whois card's Check realm button with the realm card and a way back", async () => {
    const result = await bot.click(CALLER, 'realm.check', { emailOrDomain: 'wmoran@fabrikam.com', userId: WENDY });
    expect(result.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(validateAdaptiveCard(result.value)).toEqual([]);
    expect(cardText(result.value)).toContain('Home realm problem');
    expect(JSON.stringify(result.value)).toContain(`"userId":"${WENDY}"`);
    const refused = await bot.click(CALLER, 'realm.check', { emailOrDomain: 'not a domain' });
    expect(String(refused.value)).toContain('out of date or was changed');
  });

  it('shows a non-ASCII domain in Unicode and punycode', async () => {
    const text = await ask(bot, 'realm anna@bücher.example');
    expect(text).toContain('bücher.example (xn--bcher-kva.example)');
    expect(text).toContain('xn--bcher-kva.example');
    expect(text).not.toContain('Incomplete answer');
  });

  it('explains what to type for input that is not an address or domain', async () => {
    expect(await ask(bot, 'realm')).toContain('Tell me which email address or domain to check');
    expect(await ask(bot, 'realm fabrikam')).toContain('is not a domain name');
    expect(await ask(bot, 'realm a@b.com c@d.com')).toContain('one email address or domain at a time');
    expect(sandbox.stats().loginRoundTrips).toBe(0);
  });

  it('answers within 2 s with what is known when the login endpoint is slow, and says what is missing', async () => {
    sandbox.setFaults([{ target: 'login', pathPattern: 'userrealm|wingtiptoys', latencyMs: 4000 }]);
    const started = Date.now();
    const text = await ask(bot, 'realm carla@wingtiptoys.com');
    expect(Date.now() - started).toBeLessThan(2600);
    expect(text).toContain('Incomplete answer');
    expect(text).toContain('where Entra sends the sign-in (home realm discovery: no answer within 1.5 s)');
  });

  it('answers, without crashing, when the login endpoint is down or sends something that is not JSON', async () => {
    sandbox.setFaults([{ target: 'login', pathPattern: 'userrealm', status: 503 }]);
    const down = await ask(bot, 'realm someone@northwindtraders.com');
    expect(down).toContain('Incomplete answer');
    expect(down).toContain('home realm discovery: the request failed (answered 503)');

    sandbox.setFaults([{ target: 'login', pathPattern: 'userrealm|treyresearch', status: 500, body: '<html>not json {' }]);
    const garbled = await ask(bot, 'realm someone@treyresearch.net');
    expect(garbled).toContain('Incomplete answer');
    expect(garbled).toContain('something that is not JSON');
  });

  it('caches a domain, so asking again costs no login or Graph round trip', async () => {
    await ask(bot, 'realm alice@fabrikam.com');
    sandbox.resetStats();
    await ask(bot, 'realm fabrikam.com');
    expect(sandbox.stats().loginRoundTrips).toBe(0);
  });
});
