import { userAppAccessFrom, type UserAppAccessFacts } from '../../bot/graph/userAppAccess';
import type { DirectoryUser } from '../../bot/graph/users';
import { LookupService, summarize } from '../../bot/services/lookup';
import { InMemoryRealmLookup, InMemoryUserDirectory } from '../helpers/testServices';

const NO_APPS: UserAppAccessFacts = { available: true, apps: [], more: false };
const RULES = { markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: ['partners.contoso.com'] };

function user(fields: Partial<DirectoryUser>): DirectoryUser {
  return { id: 'd0000000-0000-4000-8000-000000000009', identities: [], onPremisesExtensionAttributes: {}, sponsors: [], ...fields } as DirectoryUser;
}

describe('where an account comes from', () => {
  it('reads the partner marker case-insensitively, from the attribute or the UPN suffix', () => {
    const byAttribute = summarize(user({ onPremisesSyncEnabled: true, userType: 'Guest', onPremisesExtensionAttributes: { extensionAttribute1: ' PARTNER ' } }), new Map(), RULES, NO_APPS);
    expect(byAttribute.source).toEqual({ kind: 'syncedPartner', markedBy: { attribute: 'extensionAttribute1', value: ' PARTNER ' } });
    const bySuffix = summarize(user({ onPremisesSyncEnabled: true, userType: 'Guest', onPremisesUserPrincipalName: 'x@EU.Partners.Contoso.com' }), new Map(), RULES, NO_APPS);
    expect(bySuffix.source).toEqual({ kind: 'syncedPartner', markedBy: { upnSuffix: 'partners.contoso.com' } });
    expect(bySuffix.warnings).toEqual([]);
  });

  it('flags a marked partner synced as Member, and a synced Guest without a marker', () => {
    const member = summarize(user({ onPremisesSyncEnabled: true, userType: 'Member', userPrincipalName: 'd@partners.contoso.com' }), new Map(), RULES, NO_APPS);
    expect(member.warnings).toEqual([{ kind: 'partnerSyncedAsMember', markedBy: 'its UPN suffix @partners.contoso.com' }]);
    const unmarked = summarize(user({ onPremisesSyncEnabled: true, userType: 'Guest', userPrincipalName: 'g@contoso.com' }), new Map(), RULES, NO_APPS);
    expect(unmarked.warnings).toEqual([{ kind: 'syncedGuestWithoutMarker' }]);
  });

  it('derives invited, self-service and cloud-only accounts from creationType and sync state', () => {
    expect(summarize(user({ creationType: 'Invitation', onPremisesSyncEnabled: true }), new Map(), RULES, NO_APPS).source.kind).toBe('invitedGuest');
    expect(summarize(user({ creationType: 'EmailVerified' }), new Map(), RULES, NO_APPS).source.kind).toBe('emailVerified');
    expect(summarize(user({ creationType: 'SelfServiceSignUp' }), new Map(), RULES, NO_APPS).source.kind).toBe('selfServiceSignUp');
    expect(summarize(user({}), new Map(), RULES, NO_APPS).source.kind).toBe('cloudOnly');
  });

  it('normalises "Pending Acceptance" and names each sign-in method', () => {
    const guest = summarize(
      user({
        userType: 'Guest',
        creationType: 'Invitation',
        externalUserState: 'Pending Acceptance',
        identities: [
          { signInType: 'federated', issuer: 'https://idp.wingtiptoys.com/saml2/metadata', issuerAssignedId: undefined },
          { signInType: 'federated', issuer: 'facebook.com', issuerAssignedId: undefined },
          { signInType: 'userPrincipalName', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: 'x#EXT#@contoso.onmicrosoft.com' },
        ],
      }),
      { available: false, reason: 'noLicence' },
      RULES,
      NO_APPS,
    );
    expect(guest.invitation?.state).toBe('PendingAcceptance');
    expect(guest.signInMethods).toEqual([{ kind: 'federatedIdp', issuer: 'https://idp.wingtiptoys.com/saml2/metadata' }, { kind: 'facebook' }]);
    expect(guest.lastSignIn).toEqual({ available: false, reason: 'noLicence' });
  });
});

describe('LookupService.checkRealm', () => {
  const wendy = user({ id: 'd0000000-0000-4000-8000-000000000001', displayName: 'Wendy Moran', userPrincipalName: 'wmoran@partners.contoso.com', mail: 'wmoran@fabrikam.com', onPremisesSyncEnabled: true, userType: 'Guest' });

  it('reports the home-realm problem only for a synced holder of an address in a domain that is not ours', async () => {
    const realm = new InMemoryRealmLookup({
      'fabrikam.com': { kind: 'managedTenant', organizationName: 'Fabrikam', sentence: 'Fabrikam', missing: [] },
      'partners.contoso.com': { kind: 'ownFederated', sentence: 'ours', missing: [] },
    });
    const lookup = new LookupService(new InMemoryUserDirectory([wendy]), realm, RULES);
    const report = await lookup.checkRealm('wmoran@fabrikam.com');
    expect(report.homeRealmProblem?.user.displayName).toBe('Wendy Moran');
    expect(report.homeRealmProblem?.upnRealm?.kind).toBe('ownFederated');
    expect((await lookup.checkRealm('fabrikam.com')).homeRealmProblem).toBeUndefined();
    expect((await lookup.checkRealm('someone@fabrikam.com')).homeRealmProblem).toBeUndefined();
  });

  it('still gives the verdict when the owner check fails, and says so', async () => {
    const directory = new InMemoryUserDirectory();
    directory.ownersOfAddress = () => Promise.reject(new Error('Graph is down'));
    const report = await new LookupService(directory, new InMemoryRealmLookup(), RULES).checkRealm('a@b.example');
    expect(report.verdict.kind).toBe('consumerOrUnknown');
    expect(report.ownerCheckFailed).toBe(true);
  });

  it('keeps the answer budget when the owner lookup never answers: the verdict, and the owner check marked not done', async () => {
    const directory = new InMemoryUserDirectory();
    directory.ownersOfAddress = () => new Promise(() => undefined);
    let fire: () => void = () => undefined;
    const clock = {
      now: () => 0,
      timer: () => ({ elapsed: new Promise<void>((resolve) => (fire = resolve)), cancel: () => undefined }),
    };
    const answer = new LookupService(directory, new InMemoryRealmLookup(), RULES, { answerMs: 2000, clock }).checkRealm('a@b.example');
    await new Promise((resolve) => setImmediate(resolve));
    fire();
    const report = await answer;
    expect(report.verdict.kind).toBe('consumerOrUnknown');
    expect(report.ownerCheckFailed).toBe(true);
  });
});

describe("a user's on-prem app access from the whois batch", () => {
  const USER_ID = 'd0000000-0000-4000-8000-000000000009';
  const apps = {
    status: 200,
    body: { value: [{ id: 'SP-1', displayName: 'Expenses', appRoles: [{ id: 'r1', displayName: 'Submitter' }] }, { id: 'sp-2', displayName: 'Wiki', appRoles: [] }] },
  };
  const assignments = (list: { id: string; appRoleId: string; resourceId: string; principalId?: string }[]) => ({
    status: 200,
    body: { value: [{ id: USER_ID, appRoleAssignments: list.map((a) => ({ principalId: USER_ID, ...a })) }] },
  });

  it("keeps App Proxy apps only, names each role, calls the all-zero role default access and marks a group's assignment", () => {
    const facts = userAppAccessFrom(
      USER_ID,
      assignments([
        { id: 'a1', appRoleId: 'r1', resourceId: 'sp-1' },
        { id: 'a2', appRoleId: '00000000-0000-0000-0000-000000000000', resourceId: 'sp-2', principalId: 'group-1' },
        { id: 'a3', appRoleId: 'r9', resourceId: 'sp-9-not-app-proxy' },
      ]),
      apps,
    );
    expect(facts).toEqual({
      available: true,
      apps: [
        { appName: 'Expenses', roleName: 'Submitter', throughGroup: false },
        { appName: 'Wiki', roleName: 'Default access', throughGroup: true },
      ],
      more: false,
    });
  });

  it('says a list of 20 may be cut short, since Graph expands at most 20', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ id: `a${i}`, appRoleId: 'r1', resourceId: 'sp-1' }));
    expect(userAppAccessFrom(USER_ID, assignments(many), apps)).toMatchObject({ available: true, more: true });
  });

  it.each([
    [403, 'noPermission'],
    [429, 'throttled'],
    [500, 'unavailable'],
  ])('degrades to a reason when Graph answers %i', (status, reason) => {
    expect(userAppAccessFrom(USER_ID, { status, body: {} }, apps)).toEqual({ available: false, reason });
    expect(userAppAccessFrom(USER_ID, assignments([]), { status, body: {} })).toEqual({ available: false, reason });
  });

  it('says unavailable, not empty, when the answer is not what Graph sends', () => {
    expect(userAppAccessFrom(USER_ID, { status: 200, body: { value: 'nonsense' } }, apps)).toEqual({ available: false, reason: 'unavailable' });
  });
});
