import { parseFixture } from '../../../sandbox/fixture';
import { README_PERMISSIONS, REQUIREMENTS, requirementsFor, satisfies } from '../../../sandbox/graph/permissions';
import type { RunningSandbox } from '../../../sandbox/server';
import { contosoFixture, sandboxToken, startTestSandbox } from '../../helpers/sandbox';

const ADELE = 'a0000000-0000-4000-8000-000000000001';
const ADMINS = '9a000000-0000-4000-8000-000000000001';

function rolesOf(token: string): unknown {
  return (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { roles?: unknown }).roles;
}

describe('sandbox application permissions', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  afterEach(() => {
    sandbox.setGrantedPermissions([...README_PERMISSIONS]);
  });

  const get = async (token: string, path: string): Promise<Response> => fetch(`${sandbox.url}/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } });

  it("puts the README table's permissions in the token's roles by default", async () => {
    expect(rolesOf(await sandboxToken(sandbox))).toEqual([...README_PERMISSIONS]);
  });

  it("answers Graph's 403 body without the documented permission, and a token keeps the roles it was issued with", async () => {
    const before = await sandboxToken(sandbox);
    sandbox.setGrantedPermissions(README_PERMISSIONS.filter((p) => p !== 'Domain.Read.All'));
    const after = await sandboxToken(sandbox);
    expect(rolesOf(after)).not.toContain('Domain.Read.All');
    const refused = await get(after, '/domains');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: {
        code: 'Authorization_RequestDenied',
        message: 'Insufficient privileges to complete the operation.',
        innerError: { date: expect.any(String), 'request-id': expect.any(String), 'client-request-id': expect.any(String) },
      },
    });
    expect((await get(before, '/domains')).status).toBe(200);
    expect((await get(after, `/users/${ADELE}`)).status).toBe(200);
  });

  it('accepts a higher-privileged permission the page lists, and a ReadWrite permission for its Read one', async () => {
    sandbox.setGrantedPermissions(['Directory.Read.All']);
    const directory = await sandboxToken(sandbox);
    expect((await get(directory, `/users/${ADELE}`)).status).toBe(200);
    expect((await get(directory, '/domains')).status).toBe(200);
    expect((await get(directory, `/users/${ADELE}?$select=id,signInActivity`)).status).toBe(403);
    sandbox.setGrantedPermissions(['User.ReadWrite.All']);
    expect((await get(await sandboxToken(sandbox), `/users/${ADELE}`)).status).toBe(200);
  });

  it('needs both halves of a combined requirement: checkMemberGroups on a user wants User.Read.All and GroupMember.Read.All', async () => {
    sandbox.setGrantedPermissions(['User.Read.All']);
    const token = await sandboxToken(sandbox);
    const response = await fetch(`${sandbox.url}/v1.0/users/${ADELE}/checkMemberGroups`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ groupIds: [ADMINS] }),
    });
    expect(response.status).toBe(403);
  });

  it('checks $batch items one by one', async () => {
    sandbox.setGrantedPermissions(README_PERMISSIONS.filter((p) => p !== 'Application.Read.All'));
    const token = await sandboxToken(sandbox);
    const response = await fetch(`${sandbox.url}/v1.0/$batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: 'user', method: 'GET', url: `/users/${ADELE}?$select=id` },
          { id: 'apps', method: 'GET', url: '/servicePrincipals?$select=id' },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const { responses } = (await response.json()) as { responses: Array<{ id: string; status: number; body: { error?: { code: string } } }> };
    expect(responses.find((r) => r.id === 'user')?.status).toBe(200);
    const apps = responses.find((r) => r.id === 'apps');
    expect(apps?.status).toBe(403);
    expect(apps?.body.error?.code).toBe('Authorization_RequestDenied');
  });

  it('reads what an expansion adds with its own permission', () => {
    const call = (path: string) => {
      const url = new URL(path, 'https://x.invalid');
      return { method: 'GET', version: 'v1.0' as const, segments: url.pathname.split('/').filter(Boolean), query: url.searchParams, headers: {}, body: undefined };
    };
    expect(requirementsFor(call('/users?$filter=x&$expand=appRoleAssignments'))).toEqual([REQUIREMENTS.users, REQUIREMENTS.userAssignments]);
    expect(requirementsFor(call('/frobnicators'))).toEqual([]);
  });

  it("follows the include files' Application rows: sponsors want User.*, another user's memberOf wants Directory.*", async () => {
    sandbox.setGrantedPermissions(['Directory.Read.All']);
    const directory = await sandboxToken(sandbox);
    expect((await get(directory, `/users/${ADELE}/sponsors`)).status).toBe(403);
    expect((await get(directory, `/users/${ADELE}/memberOf`)).status).toBe(200);
    sandbox.setGrantedPermissions(['User.Read.All', 'GroupMember.Read.All']);
    const readme = await sandboxToken(sandbox);
    expect((await get(readme, `/users/${ADELE}/sponsors`)).status).toBe(200);
    expect((await get(readme, `/users/${ADELE}/memberOf`)).status).toBe(403);
    expect((await get(readme, `/users/${ADELE}/transitiveMemberOf`)).status).toBe(200);
  });

  it('follows the pages for federationConfiguration, and takes Application.ReadWrite.OwnedBy where they list it', () => {
    const call = (path: string, version: 'v1.0' | 'beta' = 'v1.0') => {
      const url = new URL(path, 'https://x.invalid');
      return { method: 'GET', version, segments: url.pathname.split('/').filter(Boolean), query: url.searchParams, headers: {}, body: undefined };
    };
    const allowed = (granted: string[], path: string, version?: 'v1.0' | 'beta') =>
      requirementsFor(call(path, version)).every((r) => satisfies(new Set(granted), r));
    expect(allowed(['Directory.Read.All'], '/domains/contoso.com/federationConfiguration')).toBe(false);
    expect(allowed(['Domain-InternalFederation.Read.All'], '/domains/contoso.com/federationConfiguration')).toBe(false);
    expect(allowed(['Domain.Read.All'], '/domains/contoso.com/federationConfiguration')).toBe(true);
    expect(allowed(['Application.ReadWrite.OwnedBy'], "/applications(appId='a1')", 'beta')).toBe(true);
    expect(allowed(['Application.ReadWrite.OwnedBy'], '/servicePrincipals/s1/appRoleAssignedTo')).toBe(true);
  });

  it('refuses a fixture that grants a permission name Graph does not have', () => {
    expect(() => parseFixture({ ...contosoFixture(), grantedPermissions: ['User.Read.Everything'] })).toThrow(/grantedPermissions\[0\]/);
  });
});
