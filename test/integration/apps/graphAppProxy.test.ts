import { DEFAULT_ACCESS_ROLE_ID, GraphAppProxy, PUBLISHING_READS_IN_FLIGHT } from '../../../bot/graph/appProxy';
import { DirectoryUnavailableError } from '../../../bot/graph/errors';
import { AppAccessService } from '../../../bot/services/appAccess';
import type { RunningSandbox } from '../../../sandbox/server';
import { contosoFixture, sandboxGraphClient, sandboxToken, startTestSandbox } from '../../helpers/sandbox';

const SAML_SP = 'f3000000-0000-4000-8000-000000000001';
const WIKI_SP = 'f3000000-0000-4000-8000-000000000003';
const PORTAL_SP = 'f3000000-0000-4000-8000-000000000004';
const GUEST = 'e0000000-0000-4000-8000-000000000001';
/** Assigned to the SAML app with its User role; GUEST is a direct member. */
const FINANCE_PORTAL_USERS = '9a000000-0000-4000-8000-000000000005';
const SAML_USER_ROLE = '18d14569-c3bd-439b-9a66-3a2aee01d14f';
const SAML_MSIAM_ROLE = 'b9632174-c057-4f7e-951b-be3adc52bfe6';

describe('GraphAppProxy against the sandbox', () => {
  let sandbox: RunningSandbox;
  let proxy: GraphAppProxy;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    proxy = new GraphAppProxy(sandboxGraphClient(sandbox).client);
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('lists only App Proxy apps, with external URL, SSO kind and user roles', async () => {
    const apps = await proxy.listApps();
    expect(apps.map((a) => [a.displayName, a.ssoKind, a.externalUrl])).toEqual([
      ['Contoso Expenses (SAML)', 'saml', 'https://expenses-contoso.msappproxy.net/'],
      ['Contoso Timesheets (IWA)', 'kerberos', 'https://timesheets-contoso.msappproxy.net/'],
      ['Contoso Wiki (header-based)', 'headerBased', 'https://wiki-contoso.msappproxy.net/'],
    ]);
    expect(apps[0]?.roles.map((r) => r.displayName)).toEqual(['User', 'msiam_access']);
    expect(apps[1]?.kerberosSpn).toBe('HTTP/timesheets.corp.contoso.com');
    expect(apps[2]?.roles).toEqual([]);
  });

  it('does not treat a non-proxy service principal as an app', async () => {
    await expect(proxy.getApp(PORTAL_SP)).resolves.toBeUndefined();
    await expect(proxy.getApp('f3000000-0000-4000-8000-0000000000ff')).resolves.toBeUndefined();
    await expect(proxy.getApp(WIKI_SP)).resolves.toMatchObject({ displayName: 'Contoso Wiki (header-based)', ssoKind: 'headerBased' });
  });

  it('lists owners as approvers', async () => {
    await expect(proxy.listOwners('f3000000-0000-4000-8000-000000000002')).resolves.toEqual([
      expect.objectContaining({ id: 'a0000000-0000-4000-8000-000000000001' }),
      expect.objectContaining({ id: 'a0000000-0000-4000-8000-000000000002' }),
    ]);
  });

  it('assigns, treats "already exists" as done, lists and removes', async () => {
    const first = await proxy.assign(SAML_SP, GUEST, SAML_MSIAM_ROLE);
    expect(first.alreadyExisted).toBe(false);
    const again = await proxy.assign(SAML_SP, GUEST, SAML_MSIAM_ROLE);
    expect(again).toEqual({ assignment: first.assignment, alreadyExisted: true });
    const onTheApp = (await proxy.listUserAssignments(GUEST)).filter((a) => a.resourceId === SAML_SP);
    // Graph lists the assignments of the groups the user is a direct member of with the user's own.
    expect(onTheApp.map((a) => [a.principalId, a.appRoleId])).toEqual([
      [FINANCE_PORTAL_USERS, SAML_USER_ROLE],
      [GUEST, SAML_MSIAM_ROLE],
    ]);
    await proxy.unassign(SAML_SP, first.assignment.id);
    await proxy.unassign(SAML_SP, first.assignment.id);
    expect((await proxy.listUserAssignments(GUEST)).some((a) => a.id === first.assignment.id)).toBe(false);
  });

  it('refuses a role the app does not declare, and the default role on an app that has roles', async () => {
    await expect(proxy.assign(SAML_SP, GUEST, DEFAULT_ACCESS_ROLE_ID)).rejects.toBeInstanceOf(DirectoryUnavailableError);
    const wiki = await proxy.assign(WIKI_SP, GUEST, DEFAULT_ACCESS_ROLE_ID);
    expect(wiki.assignment.appRoleId).toBe(DEFAULT_ACCESS_ROLE_ID);
  });

  it("lists a user's App Proxy assignments (for whois), leaving other apps out, and refuses Kerberos apps without on-prem", async () => {
    const service = new AppAccessService(proxy);
    const wendy = await service.listUserAppAccess('d0000000-0000-4000-8000-000000000001');
    expect(wendy.map((a) => [a.app.displayName, a.role?.displayName])).toEqual([['Contoso Timesheets (IWA)', 'Timesheet User']]);
    await expect(service.listUserAppAccess('e0000000-0000-4000-8000-000000000006')).resolves.toEqual([]);
    const apps = await service.listApps();
    const kerberos = apps.find((a) => a.ssoKind === 'kerberos');
    const saml = apps.find((a) => a.ssoKind === 'saml');
    expect(kerberos && service.grantBlocker(kerberos)).toContain('no on-prem directory is configured');
    expect(saml && service.grantBlocker(saml)).toBeUndefined();
  });

  it("answers Graph's error shapes", async () => {
    const token = await sandboxToken(sandbox);
    const get = (path: string) => fetch(`${sandbox.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const v1 = await get(`/v1.0/applications/f1000000-0000-4000-8000-000000000001?$select=onPremisesPublishing`);
    expect(v1.status).toBe(400);
    await expect(v1.json()).resolves.toMatchObject({ error: { code: 'BadRequest', message: expect.stringContaining("Could not find a property named 'onPremisesPublishing'") } });
    const beta = await get(`/beta/applications/f1000000-0000-4000-8000-000000000001?$select=onPremisesPublishing`);
    await expect(beta.json()).resolves.toMatchObject({ onPremisesPublishing: { externalUrl: 'https://expenses-contoso.msappproxy.net/' } });
    const post = (body: unknown) =>
      fetch(`${sandbox.url}/v1.0/servicePrincipals/${SAML_SP}/appRoleAssignedTo`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const dup = await post({ principalId: '9a000000-0000-4000-8000-000000000005', resourceId: SAML_SP, appRoleId: SAML_USER_ROLE });
    expect(dup.status).toBe(400);
    await expect(dup.json()).resolves.toMatchObject({ error: { code: 'Request_BadRequest', message: 'Permission being assigned already exists on the object' } });
    const del = await fetch(`${sandbox.url}/v1.0/servicePrincipals/${SAML_SP}/appRoleAssignedTo/nope`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(del.status).toBe(404);
  });

  it('reads every page: a tenant with more App Proxy apps than Graph puts on one page, and a user with many assignments', async () => {
    const fixture = contosoFixture();
    const hex = (i: number) => i.toString(16).padStart(12, '0');
    const [templateApp] = fixture.applications;
    const [templateSp] = fixture.servicePrincipals;
    if (!templateApp || !templateSp) throw new Error('the fixture has no app to copy');
    for (let i = 1; i <= 1005; i++) {
      const appId = `f4000000-0000-4000-8000-${hex(i)}`;
      const spId = `f5000000-0000-4000-8000-${hex(i)}`;
      fixture.applications.push({ ...templateApp, id: `f6000000-0000-4000-8000-${hex(i)}`, appId, displayName: `Proxy app ${i}` });
      fixture.servicePrincipals.push({ ...templateSp, id: spId, appId, displayName: `Proxy app ${i}`, tags: ['WindowsAzureActiveDirectoryOnPremApp'], appRoles: [], owners: [] });
      if (i <= 150) fixture.appRoleAssignments.push({ id: `manyAssignments${i}`, principalId: GUEST, resourceId: spId, appRoleId: DEFAULT_ACCESS_ROLE_ID });
    }
    const big = await startTestSandbox({ fixture });
    try {
      const bigProxy = new GraphAppProxy(sandboxGraphClient(big).client);
      big.resetStats();
      const apps = await bigProxy.listApps();
      expect(apps).toHaveLength(1008);
      const listCalls = big.stats().requests.filter((r) => r.path.includes('/servicePrincipals?'));
      expect(listCalls).toHaveLength(2); // 999, then the rest through @odata.nextLink
      // One publishing read per app, but never all 1008 at once: that is what Graph throttles.
      expect(big.stats().requests.filter((r) => r.path.startsWith('/beta/applications'))).toHaveLength(1008);
      expect(big.stats().peakGraphInFlight).toBeLessThanOrEqual(PUBLISHING_READS_IN_FLIGHT);
      expect((await bigProxy.listUserAssignments(GUEST)).filter((a) => a.principalId === GUEST)).toHaveLength(150);
    } finally {
      await big.close();
    }
    // Over a thousand HTTPS round trips, paced four at a time: on a busy machine that takes longer than jest's default.
  }, 180_000);
});
