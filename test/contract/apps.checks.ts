import { randomUUID } from 'node:crypto';
import { GraphAppProxy, type ProxyApp } from '../../bot/graph/appProxy';
import { GraphUsers } from '../../bot/graph/users';
import { NotRun, recordRequests, type Check, type Target } from './harness';

async function firstApp(t: Target): Promise<ProxyApp> {
  const [app] = await new GraphAppProxy(t.graph).listApps();
  if (!app) throw new NotRun('the tenant has no App Proxy application');
  return app;
}

function userId(t: Target): string {
  const id = t.state.get('user.id');
  if (!id) throw new Error('no member user was found to read');
  return id;
}

/** App Proxy apps, their owners and role assignments. */
export function appChecks(check: Check): void {
  check("GET /servicePrincipals?$filter=tags/any(t:t eq 'WindowsAzureActiveDirectoryOnPremApp') + GET /beta/applications(appId='…')?$select=onPremisesPublishing", 'App Proxy apps listed; publishing settings read one application at a time by its appId key, on beta', async (t) => {
    const { result, requests } = await recordRequests(() => new GraphAppProxy(t.graph).listApps());
    const list = requests.find((r) => r.url.pathname.endsWith('/servicePrincipals'));
    expect(list?.url.searchParams.get('$filter')).toBe("tags/any(t:t eq 'WindowsAzureActiveDirectoryOnPremApp')");
    const reads = requests.filter((r) => r.url.pathname.includes('/applications('));
    expect(reads).toHaveLength(result.length);
    for (const read of reads) {
      expect(read.url.pathname).toMatch(/^\/beta\/applications\(appId='[^']+'\)$/);
      expect(read.url.searchParams.get('$select')).toBe('onPremisesPublishing');
    }
    return 'listed; one beta read per app by appId';
  });

  check("GET /beta/applications(appId='…')?$select=onPremisesPublishing", 'a Kerberos app yields its SPN (singleSignOnSettings.kerberosSignOnSettings), which the shadow-account step needs', async (t) => {
    const kerberos = (await new GraphAppProxy(t.graph).listApps()).filter((a) => a.ssoKind === 'kerberos');
    if (kerberos.length === 0) throw new NotRun('the tenant has no App Proxy application with Kerberos sign-on');
    expect(kerberos.every((a) => typeof a.kerberosSpn === 'string' && a.kerberosSpn.length > 0)).toBe(true);
    return 'every Kerberos app has its SPN';
  });

  check('GET /servicePrincipals/{id}?$select=…,tags', 'one app by id; an unknown id is 404, read as none', async (t) => {
    const app = await firstApp(t);
    const proxy = new GraphAppProxy(t.graph);
    expect((await proxy.getApp(app.servicePrincipalId))?.appId).toBe(app.appId);
    expect(await proxy.getApp(randomUUID())).toBeUndefined();
    return 'found; unknown none';
  });

  check('GET /servicePrincipals/{id}/owners', "the owners' id, displayName and userPrincipalName parse", async (t) => {
    const owners = await new GraphAppProxy(t.graph).listOwners((await firstApp(t)).servicePrincipalId);
    expect(owners.every((o) => typeof o.id === 'string')).toBe(true);
    return 'parsed';
  });

  check('GET /users/{id}/appRoleAssignments?$select=…', "a user's assignments (with their groups') parse", async (t) => {
    const assignments = await new GraphAppProxy(t.graph).listUserAssignments(userId(t));
    expect(assignments.every((a) => typeof a.resourceId === 'string' && typeof a.appRoleId === 'string')).toBe(true);
    return 'parsed';
  });

  check('POST /$batch → GET /users/{id}/ownedObjects/microsoft.graph.servicePrincipal', "an app owner's whois reads only the apps they own", async (t) => {
    const id = userId(t);
    const lookup = await new GraphUsers(t.graph).whois({ kind: 'objectId', value: id }, { sponsors: false, lastSignIn: false, appAccess: { scope: 'ownedBy', ownerId: id } });
    expect(lookup.appAccess?.available).toBe(true);
    return 'owned apps read';
  });

  check('POST /servicePrincipals/{id}/appRoleAssignedTo + DELETE …/appRoleAssignedTo/{id}', "assign (201), again (400 'already exists', the existing one returned), remove (204), remove again (404, read as already gone)", async (t) => {
    const proxy = new GraphAppProxy(t.graph);
    const app = await firstApp(t);
    const role = app.roles[0];
    if (!role) throw new Error(`${app.displayName} declares no user role`);
    const principal = userId(t);
    const made = await proxy.assign(app.servicePrincipalId, principal, role.id);
    expect(made.alreadyExisted).toBe(false);
    const again = await proxy.assign(app.servicePrincipalId, principal, role.id);
    expect(again).toMatchObject({ alreadyExisted: true, assignment: { id: made.assignment.id } });
    expect(await proxy.unassign(app.servicePrincipalId, made.assignment.id)).toBe(true);
    expect(await proxy.unassign(app.servicePrincipalId, made.assignment.id)).toBe(false);
    return 'assigned, already, removed, already gone';
  }, { sandboxOnly: "writes to an application's assignments are outside a tenant run's write scope (one group, one invite domain)" });
}
