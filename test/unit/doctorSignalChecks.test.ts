import type { ConditionalAccessPolicy, SignInRecord } from '../../bot/graph/doctorSignals';
import type { UserSummary } from '../../bot/services/lookup';
import { verdictLine } from '../../bot/services/doctor/checks';
import { conditionalAccessCheck, guestTypeOf, recentSignInsCheck } from '../../bot/services/doctor/signalChecks';

const ALICE = 'e0000000-0000-4000-8000-000000000001';
const PARTNERS = '9a000000-0000-4000-8000-000000000004';
const APP = { appId: 'f2000000-0000-4000-8000-000000000002', displayName: 'Contoso Timesheets (IWA)' };

function guest(over: Partial<UserSummary> = {}): UserSummary {
  return {
    id: ALICE,
    displayName: 'Alice Smith',
    userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    mail: 'alice@fabrikam.com',
    userType: 'Guest',
    accountEnabled: true,
    source: { kind: 'invitedGuest' },
    warnings: [],
    invitation: { state: 'Accepted', since: '2025-03-01T10:00:00Z' },
    signInMethods: [{ kind: 'entra' }],
    appAccess: { available: true, apps: [], more: false },
    realmTarget: 'alice@fabrikam.com',
    ...over,
  };
}

function policy(over: Omit<Partial<ConditionalAccessPolicy>, 'users'> & { users?: Partial<ConditionalAccessPolicy['users']> } = {}): ConditionalAccessPolicy {
  const { users, ...rest } = over;
  return {
    id: 'ca000000-0000-4000-8000-000000000001',
    displayName: 'Block guests',
    state: 'enabled',
    includeApplications: ['All'],
    excludeApplications: [],
    builtInControls: ['block'],
    termsOfUse: [],
    ...rest,
    users: { includeUsers: [], excludeUsers: [], includeGroups: [], excludeGroups: [], includeRoles: [], excludeRoles: [], ...users },
  };
}

const groups = (...ids: string[]) => new Set(ids);

describe('conditionalAccessCheck', () => {
  it('is red for an enabled block that takes in the user by id, by All, by guest type, by the legacy value, or by a group', () => {
    const ways: Array<Partial<ConditionalAccessPolicy['users']>> = [
      { includeUsers: [ALICE.toUpperCase()] },
      { includeUsers: ['All'] },
      { includeGuestTypes: ['b2bCollaborationGuest'] },
      { includeUsers: ['GuestsOrExternalUsers'] },
      { includeGroups: [PARTNERS] },
    ];
    for (const users of ways) {
      const check = conditionalAccessCheck(guest(), APP, [policy({ users })], groups(PARTNERS));
      expect({ users, status: check.status }).toEqual({ users, status: 'red' });
      expect(check.fact).toContain('"Block guests" blocks Alice Smith on Contoso Timesheets (IWA)');
      expect(check.fix?.kind).toBe('explain');
    }
  });

  it('is green when an exclusion takes the user out: by id, by guest type, by the legacy value, by a group', () => {
    const exclusions: Array<Partial<ConditionalAccessPolicy['users']>> = [
      { excludeUsers: [ALICE] },
      { excludeGuestTypes: ['b2bCollaborationGuest', 'internalGuest'] },
      { excludeUsers: ['GuestsOrExternalUsers'] },
      { excludeGroups: [PARTNERS] },
    ];
    for (const users of exclusions) {
      const check = conditionalAccessCheck(guest(), APP, [policy({ users: { includeUsers: ['All'], ...users } })], groups(PARTNERS));
      expect({ users, status: check.status }).toEqual({ users, status: 'green' });
    }
  });

  it('leaves out disabled policies, other apps, an excluded app, another guest type, and a session-only policy', () => {
    const all = { includeUsers: ['All'] };
    const cases = [
      policy({ state: 'disabled', users: all }),
      policy({ includeApplications: ['f2000000-0000-4000-8000-000000000009'], users: all }),
      policy({ excludeApplications: [APP.appId], users: all }),
      policy({ users: { includeGuestTypes: ['internalGuest', 'b2bDirectConnectUser'] } }),
      policy({ builtInControls: [], users: all }),
    ];
    for (const p of cases) expect(conditionalAccessCheck(guest(), APP, [p], groups()).status).toBe('green');
  });

  it('without an app counts only policies on All apps', () => {
    const one = policy({ includeApplications: [APP.appId], users: { includeUsers: ['All'] } });
    expect(conditionalAccessCheck(guest(), undefined, [one], groups()).status).toBe('green');
    const every = policy({ users: { includeUsers: ['All'] }, excludeApplications: [APP.appId] });
    expect(conditionalAccessCheck(guest(), undefined, [every], groups())).toMatchObject({ status: 'red', fact: expect.stringContaining('on every app') });
  });

  it('is amber for MFA or terms of use, for report-only, and for a group policy when the groups could not be read', () => {
    const mfa = conditionalAccessCheck(guest(), APP, [policy({ displayName: 'MFA for all', builtInControls: ['mfa'], termsOfUse: ['tou-1'], users: { includeUsers: ['All'] } })], groups());
    expect(mfa).toMatchObject({ status: 'amber', fact: expect.stringContaining('"MFA for all" requires multifactor authentication and accepting the terms of use') });
    const report = conditionalAccessCheck(guest(), APP, [policy({ state: 'enabledForReportingButNotEnforced', users: { includeUsers: ['All'] } })], groups());
    expect(report).toMatchObject({ status: 'amber', fact: expect.stringContaining('is report-only: it would block access') });
    const unknownGroups = conditionalAccessCheck(guest(), APP, [policy({ users: { includeGroups: [PARTNERS] } })], undefined);
    expect(unknownGroups).toMatchObject({ status: 'amber', fact: expect.stringContaining('their groups could not be read') });
    const unknownExclusion = conditionalAccessCheck(guest(), APP, [policy({ users: { includeUsers: ['All'], excludeGroups: [PARTNERS] } })], undefined);
    expect(unknownExclusion.status).toBe('amber');
  });

  it('names the permission, the licence or the failure when the policies could not be read, never green', () => {
    expect(conditionalAccessCheck(guest(), APP, { unreadable: 'permission', permission: 'Policy.Read.All' }, undefined)).toMatchObject({ status: 'amber', fact: expect.stringContaining('it lacks Policy.Read.All') });
    expect(conditionalAccessCheck(guest(), APP, { unreadable: 'failed', reason: 'Graph answered 503' }, undefined)).toMatchObject({ status: 'amber', fact: expect.stringContaining('Graph answered 503') });
    expect(conditionalAccessCheck(undefined, APP, [], undefined).status).toBe('grey');
  });

  it('matches an account as the guest type Conditional Access sees', () => {
    expect(guestTypeOf(guest())).toBe('b2bCollaborationGuest');
    expect(guestTypeOf(guest({ userType: 'Member' }))).toBe('b2bCollaborationMember');
    expect(guestTypeOf(guest({ source: { kind: 'cloudOnly' }, userType: 'Guest' }))).toBe('internalGuest');
    expect(guestTypeOf(guest({ source: { kind: 'syncedMember' }, userType: 'Member' }))).toBeUndefined();
  });
});

function signIn(minutesAgo: number, errorCode: number, over: Partial<SignInRecord> = {}): SignInRecord {
  return { createdDateTime: new Date(Date.parse('2026-12-02T12:00:00Z') - minutesAgo * 60_000).toISOString(), appDisplayName: APP.displayName, errorCode, ...over };
}

describe('recentSignInsCheck', () => {
  it('is red for a refusal someone else must fix, in words, pointing to the row concerned', () => {
    const cases: Array<[number, string, string]> = [
      [50105, 'not assigned to the app', 'Assigned to the app'],
      [53003, 'blocked by Conditional Access', 'Conditional Access'],
      [50034, 'the account does not exist in the directory they signed in to', 'Where sign-in goes'],
      [90072, 'they must redeem the invitation first', 'Invitation redeemed'],
      [50057, 'the account is disabled', 'Account exists, enabled, UserType'],
    ];
    for (const [code, words, row] of cases) {
      const check = recentSignInsCheck(guest(), APP, [signIn(5, code)], 7);
      expect({ code, status: check.status }).toEqual({ code, status: 'red' });
      expect(check.fact).toContain(`AADSTS${code}, `);
      expect(check.fact).toContain(words);
      expect(check.fact).toContain(`(see ${row})`);
      expect(check.fix).toEqual({ kind: 'explain', text: `See the row "${row}" above: it says what to change.` });
    }
  });

  it('is amber for a challenge the guest can meet (MFA required, MFA registration)', () => {
    expect(recentSignInsCheck(guest(), APP, [signIn(5, 50076)], 7)).toMatchObject({ status: 'amber', fact: expect.stringContaining('multifactor authentication required') });
    expect(recentSignInsCheck(guest(), APP, [signIn(5, 50079)], 7)).toMatchObject({ status: 'amber', fact: expect.stringContaining('must register for multifactor authentication') });
  });

  it('is green when the newest attempt succeeded, listing earlier failures, and leaves out interrupts', () => {
    const check = recentSignInsCheck(guest(), APP, [signIn(1, 50140), signIn(2, 0), signIn(60, 50105)], 7);
    expect(check.status).toBe('green');
    expect(check.fact).toContain('The last sign-in to Contoso Timesheets (IWA) succeeded, 2026-12-02 11:58 UTC');
    expect(check.fact).toContain('Earlier failures: 2026-12-02 11:00 UTC to Contoso Timesheets (IWA): AADSTS50105');
    expect(check.fact).not.toContain('50140');
  });

  it('shows an unknown code with Graph\'s failureReason, and no attempt as grey', () => {
    const unknown = recentSignInsCheck(guest(), APP, [signIn(5, 123456, { failureReason: 'Something odd.' })], 7);
    expect(unknown).toMatchObject({ status: 'red', fact: expect.stringContaining('AADSTS123456, Something odd.') });
    expect(unknown.fix).toBeUndefined();
    expect(recentSignInsCheck(guest(), APP, [signIn(1, 50140)], 7)).toMatchObject({ status: 'grey', fact: 'No sign-in to Contoso Timesheets (IWA) in the last 7 days.' });
  });

  it('names the licence or the permission when the log could not be read', () => {
    expect(recentSignInsCheck(guest(), APP, { unreadable: 'licence' }, 7)).toMatchObject({ status: 'amber', fact: expect.stringContaining('Microsoft Entra ID P1 or P2 licence') });
    expect(recentSignInsCheck(guest(), APP, { unreadable: 'permission', permission: 'AuditLog.Read.All' }, 7)).toMatchObject({ status: 'amber', fact: expect.stringContaining('it lacks AuditLog.Read.All') });
  });

  it('feeds the verdict: a red Conditional Access row is named when nothing earlier is red', () => {
    const ca = conditionalAccessCheck(guest(), APP, [policy({ users: { includeUsers: ['All'] } })], groups());
    expect(verdictLine([ca], 'Alice Smith', APP.displayName)).toContain('Conditional Access: "Block guests" blocks Alice Smith');
  });
});
