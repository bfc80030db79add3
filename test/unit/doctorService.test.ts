import type { Assignment, Owner, ProxyApp } from '../../bot/graph/appProxy';
import type { Role } from '../../bot/identity/policy';
import { DoctorService, type DoctorPorts } from '../../bot/services/doctor/doctorService';
import type { UserSummary, WhoisResult } from '../../bot/services/lookup';

const OWNER = 'c0000000-0000-4000-8000-000000000009';
const GUEST = 'e0000000-0000-4000-8000-000000000001';
const APP: ProxyApp = {
  servicePrincipalId: 'f3000000-0000-4000-8000-000000000001',
  appId: 'a3000000-0000-4000-8000-000000000001',
  displayName: 'Expense Portal',
  ssoKind: 'saml',
  preAuthentication: 'aadPreAuthentication',
  publishingEnabled: true,
  roles: [{ id: 'r1', displayName: 'User' }],
};
const USER: UserSummary = {
  id: GUEST,
  displayName: 'Raj',
  mail: 'raj@fabrikam.com',
  userPrincipalName: 'raj_fabrikam.com#EXT#@contoso.onmicrosoft.com',
  userType: 'Guest',
  accountEnabled: true,
  source: { kind: 'invitedGuest' },
  warnings: [],
  invitation: { state: 'Accepted' },
  signInMethods: [{ kind: 'entra' }],
  appAccess: { available: true, apps: [], more: false },
  realmTarget: 'raj@fabrikam.com',
};

function ports(over: { owners?: Owner[]; assignments?: () => Promise<Assignment[]> } = {}) {
  const whois = jest.fn(async (): Promise<WhoisResult> => ({ kind: 'found', user: USER }));
  const value: DoctorPorts = {
    lookup: { whois, checkRealm: async (q) => ({ query: q, verdict: { domain: 'fabrikam.com', kind: 'managedTenant', sentence: 'Fabrikam.', missing: [] } }) },
    apps: { listApps: async () => [APP], listOwners: async () => over.owners ?? [], listUserAssignments: over.assignments ?? (async () => []) },
    grants: { findFor: async () => [] },
    signInUrl: 'https://myapps.microsoft.com/?tenantid=t',
    now: () => new Date('2026-12-02T12:00:00Z'),
  };
  return { value, whois };
}

const caller = (roles: Role[]) => ({ aadObjectId: OWNER, roles });

describe('DoctorService', () => {
  it("lets an app's owner without a role run it on their app", async () => {
    const { value } = ports({ owners: [{ id: OWNER }] });
    const outcome = await new DoctorService(value).diagnose(caller([]), 'raj@fabrikam.com', 'Expense Portal');
    expect(outcome.kind).toBe('report');
    if (outcome.kind === 'report') expect(outcome.report.verdict).toBe('Raj is not assigned to Expense Portal: request access.');
  });

  it('refuses someone who owns neither the app nor a role, before anything about the person is read', async () => {
    const { value, whois } = ports({ owners: [{ id: 'a0000000-0000-4000-8000-000000000001', displayName: 'Adele' }] });
    const outcome = await new DoctorService(value).diagnose(caller([]), 'raj@fabrikam.com', 'Expense Portal');
    expect(outcome).toMatchObject({ kind: 'notAllowed', owners: [{ displayName: 'Adele' }] });
    expect(whois).not.toHaveBeenCalled();
  });

  it('gives an owner no app list for a name that is not exact', async () => {
    const { value } = ports({ owners: [{ id: OWNER }] });
    expect(await new DoctorService(value).diagnose(caller([]), 'raj@fabrikam.com', 'Expnse')).toEqual({ kind: 'unknownApp', query: 'Expnse' });
    expect((await new DoctorService(value).diagnose(caller(['manager']), 'raj@fabrikam.com', 'Expnse')).kind).toBe('pickApp');
  });

  it('makes a failed assignments read amber with the reason, and the rest of the chain still checked', async () => {
    const { value } = ports({ assignments: () => Promise.reject(new Error('Listing the user\'s app assignments: 403')) });
    const outcome = await new DoctorService(value).diagnose(caller(['manager']), 'raj@fabrikam.com', 'Expense Portal');
    if (outcome.kind !== 'report') throw new Error(outcome.kind);
    const byId = Object.fromEntries(outcome.report.checks.map((c) => [c.id, c]));
    expect(byId.assigned).toMatchObject({ status: 'amber', fact: expect.stringContaining('403') });
    expect(byId.preAuthentication?.status).toBe('green');
    expect(outcome.report.checks.some((c) => c.status === 'red')).toBe(false);
  });
});
