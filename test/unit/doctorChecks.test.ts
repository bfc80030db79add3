import type { ProxyApp } from '../../bot/graph/appProxy';
import type { InspectedShadowAccount } from '../../bot/onprem/shadowAccounts';
import type { RealmReport, UserSummary } from '../../bot/services/lookup';
import type { AccessRequestRecord } from '../../bot/store';
import {
  accountCheck,
  assignedCheck,
  delegatedLoginCheck,
  grantCheck,
  invitationCheck,
  preAuthenticationCheck,
  shadowAccountCheck,
  signInCheck,
  singleSignOnCheck,
  verdictLine,
  type DoctorCheck,
} from '../../bot/services/doctor/checks';

const NOW = new Date('2026-12-02T12:00:00Z');
const DAY = 24 * 3600 * 1000;
const OU = 'OU=Guests,DC=corp,DC=contoso,DC=com';

function guest(over: Partial<UserSummary> = {}): UserSummary {
  return {
    id: 'e0000000-0000-4000-8000-000000000001',
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

const synced = (over: Partial<UserSummary> = {}): UserSummary =>
  guest({ source: { kind: 'syncedPartner', markedBy: { upnSuffix: 'partners.contoso.com' } }, invitation: undefined, onPremises: { samAccountName: 'wmoran' }, ...over });

function app(over: Partial<ProxyApp> = {}): ProxyApp {
  return {
    servicePrincipalId: 'f3000000-0000-4000-8000-000000000002',
    appId: 'a3000000-0000-4000-8000-000000000002',
    displayName: 'Contoso Timesheets (IWA)',
    ssoKind: 'kerberos',
    kerberosSpn: 'HTTP/timesheets.corp.contoso.com',
    kerberosMapping: 'userPrincipalName',
    preAuthentication: 'aadPreAuthentication',
    publishingEnabled: true,
    roles: [{ id: 'r1', displayName: 'Timesheet User' }],
    ...over,
  };
}

function grant(over: Partial<AccessRequestRecord>): AccessRequestRecord {
  return {
    id: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
    state: 'granted',
    requesterObjectId: 'b0000000-0000-4000-8000-000000000001',
    requesterName: 'Megan Bowen',
    guestObjectId: guest().id,
    guestUpn: guest().userPrincipalName ?? '',
    guestDisplayName: 'Alice Smith',
    guestOnPremSynced: false,
    servicePrincipalId: app().servicePrincipalId,
    appDisplayName: app().displayName,
    appRoleId: 'r1',
    ssoKind: 'kerberos',
    durationDays: 30,
    justification: 'project',
    approverSource: 'owners',
    approverObjectIds: [],
    approvalMessages: [],
    approvalDeadline: NOW,
    grantProgress: {},
    createdAt: new Date(NOW.getTime() - 20 * DAY),
    updatedAt: NOW,
    version: 1,
    ...over,
  } as AccessRequestRecord;
}

function realm(over: Partial<RealmReport['verdict']> = {}, report: Partial<RealmReport> = {}): RealmReport {
  return { query: 'alice@fabrikam.com', verdict: { domain: 'fabrikam.com', kind: 'managedTenant', sentence: 'Fabrikam signs its people in with Entra.', missing: [], ...over }, ...report };
}

const shadow = (over: Partial<InspectedShadowAccount> = {}): InspectedShadowAccount => ({
  dn: `CN=Alice Smith,${OU}`,
  sAMAccountName: 'g-alice',
  userPrincipalName: guest().userPrincipalName ?? '',
  enabled: true,
  lockedOut: false,
  ...over,
});

const may = { resend: true, resetRedemption: true, request: true };

describe('access doctor checks', () => {
  describe('account', () => {
    it('is red with an invite command when nobody has the address', () => {
      const check = accountCheck(undefined, 'nobody@fabrikam.com');
      expect(check.status).toBe('red');
      expect(check.fix).toEqual({ kind: 'command', text: 'invite nobody@fabrikam.com', why: 'Invite them as a guest' });
    });
    it('is red for a disabled account, with where to enable it', () => {
      expect(accountCheck(guest({ accountEnabled: false }), 'x').status).toBe('red');
      expect(accountCheck(synced({ accountEnabled: false }), 'x').fix).toEqual({ kind: 'explain', text: expect.stringContaining('on-prem AD') });
    });
    it('is amber for a partner synced as Member and when Graph did not say enabled', () => {
      expect(accountCheck(guest({ warnings: [{ kind: 'partnerSyncedAsMember', markedBy: 'x' }] }), 'x').status).toBe('amber');
      expect(accountCheck(guest({ accountEnabled: undefined }), 'x').status).toBe('amber');
    });
    it('is green for an enabled guest, naming the UserType', () => {
      const check = accountCheck(guest(), 'x');
      expect(check).toMatchObject({ status: 'green', fact: expect.stringContaining('UserType Guest') });
    });
  });

  describe('invitation', () => {
    it('is red with Resend while pending, and says who can when the caller cannot', () => {
      const pending = guest({ invitation: { state: 'PendingAcceptance', since: '2026-11-30T08:00:00Z' } });
      expect(invitationCheck(pending, may)).toMatchObject({ status: 'red', fix: { kind: 'resend', email: 'alice@fabrikam.com' }, fact: expect.stringContaining('2026-11-30') });
      expect(invitationCheck(pending, { ...may, resend: false }).fix?.kind).toBe('explain');
    });
    it('is amber with Reset redemption when accepted but no identity is left', () => {
      expect(invitationCheck(guest({ signInMethods: [] }), may)).toMatchObject({ status: 'amber', fix: { kind: 'resetRedemption' } });
      expect(invitationCheck(guest({ signInMethods: [] }), { ...may, resetRedemption: false }).fix?.kind).toBe('explain');
    });
    it('is green when accepted, grey for an account of ours, amber when unknown', () => {
      expect(invitationCheck(guest(), may).status).toBe('green');
      expect(invitationCheck(synced(), may).status).toBe('grey');
      expect(invitationCheck(guest({ invitation: { state: 'unknown' } }), may).status).toBe('amber');
    });
  });

  describe('where sign-in goes', () => {
    const url = 'https://myapps.microsoft.com/?tenantid=t';
    it('is red for the home-realm problem, with the signin checklist and the tenanted URL', () => {
      const report = realm({ organizationName: 'Northwind' }, { homeRealmProblem: { user: { id: 'd', displayName: 'Raj' } } });
      const check = signInCheck(synced({ realmTarget: 'raj@northwind.com' }), report, url);
      expect(check).toMatchObject({ status: 'red', fix: { kind: 'command', text: 'signin raj@northwind.com' } });
      expect(check.fact).toContain(url);
    });
    it('is red for a synced partner whose address is not in one of our domains', () => {
      expect(signInCheck(synced(), realm(), url).status).toBe('red');
      expect(signInCheck(synced(), realm({ kind: 'ownFederated' }), url).status).toBe('green');
    });
    it('is amber when the verdict is incomplete or realm did not answer, green otherwise', () => {
      expect(signInCheck(guest(), realm({ missing: ['userrealm'] }), url)).toMatchObject({ status: 'amber', fix: { kind: 'checkRealm' } });
      expect(signInCheck(guest(), undefined, url).status).toBe('amber');
      expect(signInCheck(guest(), realm(), url)).toMatchObject({ status: 'green', fact: 'Fabrikam signs its people in with Entra.' });
    });
  });

  describe('assigned to the app', () => {
    it('is red with Request access prefilled when nothing is assigned', () => {
      expect(assignedCheck(app(), guest(), [], undefined, { request: true })).toMatchObject({
        status: 'red',
        fix: { kind: 'requestAccess', servicePrincipalId: app().servicePrincipalId, partner: 'alice@fabrikam.com' },
      });
      expect(assignedCheck(app(), guest(), [], undefined, { request: false }).fix?.kind).toBe('explain');
    });
    it('names the role, the group and the grant end when assigned', () => {
      const check = assignedCheck(app(), guest(), [{ roleName: 'Timesheet User', viaGroup: 'All partners' }, { roleName: 'Approver' }], grant({ expiresAt: new Date('2027-01-31T00:00:00Z') }), { request: true });
      expect(check.status).toBe('green');
      expect(check.fact).toBe("Assigned: Timesheet User through the group All partners; Approver, directly; the bot's grant ends 2027-01-31.");
    });
    it('is amber with the reason when the assignments could not be read', () => {
      expect(assignedCheck(app(), guest(), { unreadable: 'Graph said 403' }, undefined, { request: true })).toMatchObject({ status: 'amber', fact: expect.stringContaining('403') });
    });
  });

  describe("the bot's grant", () => {
    it('is green while live, amber with Extend within 7 days of its end', () => {
      expect(grantCheck(app(), guest(), [grant({ expiresAt: new Date(NOW.getTime() + 30 * DAY) })], true, NOW, { request: true }).status).toBe('green');
      expect(grantCheck(app(), guest(), [grant({ expiresAt: new Date(NOW.getTime() + 3 * DAY) })], true, NOW, { request: true })).toMatchObject({ status: 'amber', fix: { kind: 'extend' } });
    });
    it('is red with request again when the last grant expired or was revoked and nothing else gives access', () => {
      const expired = grant({ state: 'expired', endedAt: new Date('2026-11-01T00:00:00Z') });
      expect(grantCheck(app(), guest(), [expired], false, NOW, { request: true })).toMatchObject({ status: 'red', fact: expect.stringContaining('expired on 2026-11-01'), fix: { kind: 'requestAccess' } });
      expect(grantCheck(app(), guest(), [grant({ state: 'revoked' })], false, NOW, { request: true }).fact).toContain('was revoked');
      expect(grantCheck(app(), guest(), [expired], true, NOW, { request: true }).status).toBe('grey');
    });
    it('is amber while a request waits, grey when the bot never granted', () => {
      expect(grantCheck(app(), guest(), [grant({ state: 'pending' })], false, NOW, { request: true }).status).toBe('amber');
      expect(grantCheck(app(), guest(), [], true, NOW, { request: true }).status).toBe('grey');
    });
  });

  describe('App Proxy pre-authentication and single sign-on', () => {
    it('is green for Entra pre-authentication, amber for passthrough, red when publishing is off', () => {
      expect(preAuthenticationCheck(app()).status).toBe('green');
      expect(preAuthenticationCheck(app({ preAuthentication: 'passthru' }))).toMatchObject({ status: 'amber', fix: { kind: 'explain' } });
      expect(preAuthenticationCheck(app({ publishingEnabled: false })).status).toBe('red');
      expect(preAuthenticationCheck(app({ preAuthentication: undefined })).status).toBe('amber');
    });
    it('is amber with the reason when the publishing settings were unreadable', () => {
      const unreadable = app({ publishingUnreadable: 'I could not read the App Proxy settings: 403.' });
      expect(preAuthenticationCheck(unreadable)).toMatchObject({ status: 'amber', fact: unreadable.publishingUnreadable });
      expect(singleSignOnCheck(unreadable).status).toBe('amber');
    });
    it('explains each SSO mode, amber for none', () => {
      expect(singleSignOnCheck(app()).fact).toContain('HTTP/timesheets.corp.contoso.com');
      expect(singleSignOnCheck(app({ ssoKind: 'saml' })).status).toBe('green');
      expect(singleSignOnCheck(app({ ssoKind: 'headerBased' })).status).toBe('green');
      expect(singleSignOnCheck(app({ ssoKind: 'none' })).status).toBe('amber');
    });
  });

  describe('Kerberos shadow account', () => {
    const found = (over: Partial<InspectedShadowAccount> = {}) => ({ kind: 'found' as const, account: shadow(over), guestOu: OU });
    it('is grey for a non-Kerberos app and for a synced partner', () => {
      expect(shadowAccountCheck(app({ ssoKind: 'saml' }), guest(), undefined, may).status).toBe('grey');
      expect(shadowAccountCheck(app(), synced(), undefined, may).status).toBe('grey');
    });
    it('is amber when no on-prem directory is configured or the search failed', () => {
      expect(shadowAccountCheck(app(), guest(), { kind: 'notConfigured' }, may).status).toBe('amber');
      expect(shadowAccountCheck(app(), guest(), { kind: 'failed', reason: 'LDAP down' }, may)).toMatchObject({ status: 'amber', fact: expect.stringContaining('LDAP down') });
    });
    it('is red when missing or disabled, with Request access (its grant creates or re-enables it)', () => {
      expect(shadowAccountCheck(app(), guest(), { kind: 'missing' }, may)).toMatchObject({ status: 'red', fix: { kind: 'requestAccess' } });
      expect(shadowAccountCheck(app(), guest(), found({ enabled: false }), may)).toMatchObject({ status: 'red', fix: { kind: 'requestAccess' } });
    });
    it.each([
      ['locked out', { lockedOut: true }, 'locked out'],
      ['outside the OU', { dn: 'CN=Alice,OU=Elsewhere,DC=corp,DC=contoso,DC=com' }, `outside ${OU}`],
      ['a UPN other than the guest\'s', { userPrincipalName: 'alice@corp.contoso.com' }, "is not the guest's UPN"],
      ['a sAMAccountName over 20', { sAMAccountName: 'g-abcdefghijklmnopqrstu' }, 'longer than 20'],
    ])('is red for %s, with what an AD admin fixes', (_name, over, words) => {
      const check = shadowAccountCheck(app(), guest(), found(over), may);
      expect(check.status).toBe('red');
      expect(check.fact).toContain(words);
      expect(check.fix?.kind).toBe('explain');
    });
    it('is green when every property holds', () => {
      expect(shadowAccountCheck(app(), guest(), found(), may).status).toBe('green');
    });
  });

  describe('Kerberos delegated login identity', () => {
    it('must be the UPN for an invited guest, may be any on-prem identity for a synced partner', () => {
      expect(delegatedLoginCheck(app(), guest()).status).toBe('green');
      expect(delegatedLoginCheck(app({ kerberosMapping: 'onPremisesSAMAccountName' }), guest())).toMatchObject({ status: 'red', fix: { kind: 'explain', text: expect.stringContaining('User principal name') } });
      expect(delegatedLoginCheck(app({ kerberosMapping: 'onPremisesSAMAccountName' }), synced()).status).toBe('green');
      expect(delegatedLoginCheck(app({ kerberosMapping: undefined }), guest()).status).toBe('amber');
      expect(delegatedLoginCheck(app({ ssoKind: 'saml' }), guest()).status).toBe('grey');
    });
  });

  describe('the verdict line', () => {
    const green = (id: DoctorCheck['id']): DoctorCheck => ({ id, status: 'green', fact: 'ok' });
    it('names the first red check in chain order, whatever the order given', () => {
      const checks: DoctorCheck[] = [{ id: 'delegatedLogin', status: 'red', fact: 'mapping' }, { id: 'assigned', status: 'red', fact: 'none' }, green('account')];
      expect(verdictLine(checks, 'Raj', 'Expense Portal')).toBe('Raj is not assigned to Expense Portal: request access.');
    });
    it('says when nothing blocks, and points at an amber one otherwise', () => {
      expect(verdictLine([green('account')], 'Raj', undefined)).toBe('Nothing found that stops Raj signing in.');
      expect(verdictLine([green('account'), { id: 'preAuthentication', status: 'amber', fact: 'Passthrough.' }], 'Raj', 'X')).toContain('check this first');
    });
  });
});
