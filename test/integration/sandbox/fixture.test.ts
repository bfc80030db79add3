import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_FIXTURE_PATH, loadFixture, parseFixture } from '../../../sandbox/fixture';
import { SandboxState } from '../../../sandbox/state';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected a validation error');
}

describe('sandbox fixture', () => {
  it('ships a valid, varied Contoso tenant', () => {
    const fixture = loadFixture(DEFAULT_FIXTURE_PATH);
    expect(fixture.tenant.displayName).toBe('Contoso');
    expect(fixture.tenant.hasPremiumLicense).toBe(true);
    const state = new SandboxState(fixture);
    const admins = state.transitiveMembers(fixture.roles.adminGroupId).filter((m) => m.kind === 'user');
    expect(admins.map((m) => m.value.displayName).sort()).toEqual(['Adele Vance', 'Nestor Wilke']);
    const managers = state.transitiveMembers(fixture.roles.managerGroupId).filter((m) => m.kind === 'user');
    expect(managers).toHaveLength(2);
    const guests = fixture.users.filter((u) => u.creationType === 'Invitation');
    expect(new Set(guests.map((g) => g.externalUserState))).toEqual(new Set(['Accepted', 'PendingAcceptance']));
    const issuers = new Set(guests.flatMap((g) => (g.identities ?? []).filter((i) => i.signInType === 'federated').map((i) => i.issuer)));
    expect(issuers).toEqual(new Set(['ExternalAzureAD', 'MicrosoftAccount', 'mail', 'google.com', 'https://idp.wingtiptoys.com/saml2/metadata']));
    expect(fixture.users.find((u) => u.onPremisesSamAccountName === 'wmoran')).toMatchObject({ userType: 'Guest', mail: 'wmoran@fabrikam.com' });
    expect(fixture.users.some((u) => u.accountEnabled === false)).toBe(true);
    expect(fixture.users.some((u) => u.displayName.includes("'"))).toBe(true);
    expect(state.findDomain('partners.contoso.com')?.federationConfiguration?.preferredAuthenticationProtocol).toBe('wsFed');
    const kerberos = fixture.applications.find((a) => a.onPremisesPublishing?.singleSignOnSettings?.singleSignOnMode === 'onPremisesKerberos');
    expect(kerberos?.onPremisesPublishing?.singleSignOnSettings?.kerberosSignOnSettings?.kerberosSignOnMappingAttributeType).toBe('userPrincipalName');
    expect(fixture.servicePrincipals.filter((sp) => sp.tags.includes('WindowsAzureActiveDirectoryOnPremApp'))).toHaveLength(3);
    expect(fixture.invitationPolicy).toEqual({ blockedDomains: ['mailinator.com', 'guerrillamail.com'] });
  });

  it('lists every problem, schema and references alike, each with its JSON path', () => {
    const raw = JSON.parse(fs.readFileSync(DEFAULT_FIXTURE_PATH, 'utf8')) as {
      tenant: { id: string; domains: Array<Record<string, unknown>> };
      roles: Record<string, string>;
      users: Array<Record<string, unknown>>;
      groups: Array<{ members: string[] }>;
      appRoleAssignments: Array<Record<string, unknown>>;
      external: Record<string, Record<string, unknown>>;
    };
    raw.tenant.id = 'not-a-guid';
    raw.users[1] = { ...raw.users[1], userType: 'Visitor' };
    raw.users[2] = { ...raw.users[2], userPrincipalName: 'adele.vance@contoso.com' };
    raw.users[3] = { ...raw.users[3], sponsors: ['00000000-0000-4000-8000-00000000dead'], shoeSize: 9 };
    raw.groups[0]?.members.push('00000000-0000-4000-8000-00000000beef');
    raw.roles.managerGroupId = 'a0000000-0000-4000-8000-000000000001';
    raw.tenant.domains[2] = { ...raw.tenant.domains[2], authenticationType: 'Managed' };
    raw.appRoleAssignments[0] = { ...raw.appRoleAssignments[0], appRoleId: '11111111-1111-4111-8111-111111111111' };
    raw.external['fabrikam.com'] = { ...raw.external['fabrikam.com'], tenantId: null };
    const message = errorOf(() => parseFixture(raw, 'broken.json'));
    expect(message).toMatch(/^Invalid sandbox fixture broken\.json \(\d+ problems\):/);
    for (const expected of [
      '$.tenant.id: must be a GUID',
      '$.users[1].userType:',
      '$.users[2].userPrincipalName: duplicate userPrincipalName adele.vance@contoso.com (also users[0])',
      '$.users[3].sponsors[0]: sponsor 00000000-0000-4000-8000-00000000dead is not a user or group in the fixture',
      '$.users[3]: Unrecognized key: "shoeSize"',
      '$.groups[0].members[2]: member 00000000-0000-4000-8000-00000000beef is not a user or group in the fixture',
      '$.roles.managerGroupId: a0000000-0000-4000-8000-000000000001 is not a group in the fixture',
      '$.tenant.domains[2].authenticationType: a domain with a federationConfiguration must be Federated',
      '$.appRoleAssignments[0].appRoleId: appRole 11111111-1111-4111-8111-111111111111 is not declared by servicePrincipal',
      '$.external["fabrikam.com"].tenantId: a Managed realm belongs to an Entra tenant: give its GUID',
    ]) {
      expect(message).toContain(expected);
    }
  });

  it('reports unreadable and non-JSON files clearly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-fixture-'));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{ "tenant": ');
    expect(errorOf(() => loadFixture(file))).toMatch(/^Invalid sandbox fixture .*bad\.json: not JSON/);
    expect(errorOf(() => loadFixture(path.join(dir, 'missing.json')))).toMatch(/^Cannot read sandbox fixture/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('needs the required parts', () => {
    const message = errorOf(() => parseFixture({ tenant: { id: '6e3c2d1a-9b8f-4a7e-b5c4-3d2e1f0a9b8c', displayName: 'X', domains: [] } }));
    expect(message).toContain('$.tenant.domains:');
    expect(message).toContain('$.roles:');
    expect(message).toContain('$.users:');
  });
});
