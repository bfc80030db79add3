import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };

describe('apps, over HTTP against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox);
  });
  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('lists the App Proxy apps with external URL, SSO kind and roles, in one SP call plus one per app', async () => {
    await bot.say(MANAGER, 'whoami');
    sandbox.resetStats();
    const [reply] = await bot.say(MANAGER, 'apps');
    const text = cardText(cardOf(reply));
    expect(text).toContain('3 apps published through application proxy');
    expect(text).toContain('Contoso Expenses (SAML)');
    expect(text).toContain('https://timesheets-contoso.msappproxy.net/');
    expect(text).toContain('Single sign-on: Kerberos (KCD)');
    expect(text).toContain('Single sign-on: header-based');
    expect(text).toContain('User, msiam\\_access');
    expect(text).not.toContain('Contoso Partner Portal');
    const paths = sandbox.stats().requests.map((r) => r.path);
    expect(paths.filter((p) => p.includes('/servicePrincipals'))).toHaveLength(1);
    expect(paths.filter((p) => p.includes('/beta/applications'))).toHaveLength(3);
  });

  it('refuses a member without partner management rights', async () => {
    const [reply] = await bot.say(MEMBER, 'apps');
    const text = cardText(cardOf(reply));
    expect(text).not.toContain('Contoso Expenses');
    expect(text.toLowerCase()).toMatch(/partner manager|admin/);
  });
});
