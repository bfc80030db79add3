import type { RunningSandbox } from '../../../sandbox/server';
import { scaledFixture } from '../../../bench/scaleFixture';
import { cardOf, cardText, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { GraphAppProxy } from '../../../bot/graph/appProxy';
import { AppProxyCache } from '../../../bot/graph/appProxyCache';
import { contosoFixture, sandboxGraphClient, startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const EXTRA_APPS = 40;

/** Calls per kind from the sandbox counters since the last reset. */
function counted(sandbox: RunningSandbox) {
  const requests = sandbox.stats().requests;
  return {
    roundTrips: sandbox.stats().graphRoundTrips,
    spLists: requests.filter((r) => r.path.includes('/servicePrincipals?')).length,
    publishingReads: requests.filter((r) => r.path.startsWith('/beta/applications')).length,
  };
}

describe('App Proxy settings are cached, so repeated apps and whois do not grow with the number of apps', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ fixture: scaledFixture(contosoFixture(), { extraUsers: 0, extraApps: EXTRA_APPS }) });
    bot = await startBotOn(sandbox);
    await bot.say(ADMIN, 'whoami');
  });
  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('reads each app once on the first apps, and only the service principal list on the second', async () => {
    sandbox.resetStats();
    const [first] = await bot.say(ADMIN, 'apps');
    expect(cardText(cardOf(first))).toContain(`${3 + EXTRA_APPS} apps published through application proxy`);
    const cold = counted(sandbox);
    expect(cold.spLists).toBe(1);
    expect(cold.publishingReads).toBe(3 + EXTRA_APPS);

    sandbox.resetStats();
    const [second] = await bot.say(ADMIN, 'apps');
    expect(cardText(cardOf(second))).toBe(cardText(cardOf(first)));
    expect(counted(sandbox)).toEqual({ roundTrips: 1, spLists: 1, publishingReads: 0 });
  });

  it('leaves the on-prem app listing out of the second whois batch', async () => {
    sandbox.resetStats();
    const [first] = await bot.say(ADMIN, 'whois megan.bowen@contoso.com');
    const listed = sandbox.stats().requests.filter((r) => r.batchItem && r.path.includes('/servicePrincipals?')).length;
    sandbox.resetStats();
    const [second] = await bot.say(ADMIN, 'whois megan.bowen@contoso.com');
    expect(cardText(cardOf(second))).toBe(cardText(cardOf(first)));
    expect(sandbox.stats().graphRoundTrips).toBe(1);
    expect(sandbox.stats().requests.filter((r) => r.batchItem && r.path.includes('/servicePrincipals?'))).toHaveLength(0);
    // The first whois of this file may already have found the listing cached by nothing: it read it then.
    expect(listed).toBe(1);
  });

  it('reads the one app a request acts on afresh (the documented per-app read), and again once the TTL is over', async () => {
    let clock = 0;
    const cache = new AppProxyCache({ ttlMs: 600_000, maxApps: 1000, now: () => clock });
    const apps = new GraphAppProxy(sandboxGraphClient(sandbox).client, cache);
    const listed = await apps.listApps();
    const target = listed.find((a) => a.ssoKind === 'kerberos');
    if (!target) throw new Error('the fixture has no Kerberos app');
    sandbox.resetStats();
    await apps.listApps();
    expect(counted(sandbox).publishingReads).toBe(0);
    expect(await apps.getApp(target.servicePrincipalId)).toMatchObject({ kerberosSpn: target.kerberosSpn });
    expect(counted(sandbox).publishingReads).toBe(1);

    clock += 600_000;
    sandbox.resetStats();
    await apps.listApps();
    expect(counted(sandbox).publishingReads).toBe(listed.length);
  });

  it('does not keep a failed read: the next listing asks again', async () => {
    const cache = new AppProxyCache({ ttlMs: 600_000, maxApps: 1000 });
    const apps = new GraphAppProxy(sandboxGraphClient(sandbox).client, cache);
    sandbox.setFaults([{ method: 'GET', pathPattern: '^/beta/applications', status: 403 }]);
    try {
      const refused = await apps.listApps();
      expect(refused.filter((a) => a.publishingUnreadable).length).toBeGreaterThan(0);
    } finally {
      sandbox.setFaults([]);
    }
    sandbox.resetStats();
    const listed = await apps.listApps();
    expect(listed.filter((a) => a.publishingUnreadable)).toEqual([]);
    expect(counted(sandbox).publishingReads).toBe(listed.length);
  });
});
