import type { PartnerMarkerConfig } from '../../bot/config';
import type { EntraPartnerUser, SyncKey } from '../../bot/graph/partnerUsers';
import type { UserAppAccessFacts } from '../../bot/graph/userAppAccess';
import type { PartnerAccount, PartnerAccountLookup, PartnerAccountRef, SyncedKeys } from '../../bot/onprem/partnerAccounts';
import { partnerRecord, SyncedUserIndex, dnsDomainOf, addressesOf, knownAddresses, sharedAddress } from '../../bot/services/partners/partnerStates';
import { PartnerSyncService, type PartnerAccountReader, type PartnerUserReader } from '../../bot/services/partners/partnerSync';
import { partnersCsv } from '../../bot/services/partners/partnersService';

const RULES: PartnerMarkerConfig = { markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: ['partners.contoso.com'] };
const NOW = new Date('2026-12-02T12:00:00Z');
const BASE = 'OU=Partners,DC=corp,DC=contoso,DC=com';

let n = 0;
function account(over: Partial<PartnerAccount> = {}): PartnerAccount {
  n++;
  return {
    dn: `CN=A${n},${BASE}`,
    objectSid: `S-1-5-21-1-2-3-${1000 + n}`,
    objectGuid: '',
    immutableId: Buffer.alloc(16, n).toString('base64'),
    objectGuidBase64: Buffer.alloc(16, n).toString('base64'),
    userPrincipalName: `p${n}@partners.contoso.com`,
    sAMAccountName: `p${n}`,
    proxyAddresses: [],
    userAccountControl: 512,
    disabled: false,
    locked: false,
    accountExpires: 'never',
    markerValue: 'Partner',
    partner: { attribute: 'extensionAttribute1', value: 'Partner' },
    ...over,
  };
}

function entra(over: Partial<EntraPartnerUser> = {}): EntraPartnerUser {
  n++;
  return {
    id: `d0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    displayName: undefined,
    userPrincipalName: undefined,
    mail: undefined,
    creationType: undefined,
    externalUserState: undefined,
    onPremisesSecurityIdentifier: undefined,
    onPremisesImmutableId: undefined,
    onPremisesUserPrincipalName: undefined,
    onPremisesSamAccountName: undefined,
    onPremisesDomainName: undefined,
    onPremisesDistinguishedName: undefined,
    onPremisesLastSyncDateTime: undefined,
    otherMails: [],
    proxyAddresses: [],
    identities: [],
    onPremisesExtensionAttributes: {},
    userType: 'Guest',
    accountEnabled: true,
    onPremisesSyncEnabled: true,
    ...over,
  };
}

describe('the join of AD accounts to Entra users', () => {
  it('tries objectSid, then the immutable id (ms-DS-ConsistencyGuid, then objectGUID), then UPN, then sAMAccountName + domain', () => {
    const a = account({ consistencyGuid: 'Y29uc2lzdGVuY3lndWlkMTI=' });
    const bySid = entra({ onPremisesSecurityIdentifier: a.objectSid.toLowerCase() });
    const byConsistency = entra({ onPremisesImmutableId: a.consistencyGuid ?? '' });
    const byGuid = entra({ onPremisesImmutableId: a.objectGuidBase64 });
    const byUpn = entra({ onPremisesUserPrincipalName: a.userPrincipalName?.toUpperCase() ?? '' });
    const bySam = entra({ onPremisesSamAccountName: a.sAMAccountName, onPremisesDomainName: 'corp.contoso.com' });
    expect(new SyncedUserIndex([bySam, byUpn, byGuid, byConsistency, bySid]).join(a, 'corp.contoso.com')).toEqual({ user: bySid, key: 'objectSid' });
    expect(new SyncedUserIndex([bySam, byUpn, byGuid, byConsistency]).join(a, 'corp.contoso.com')).toEqual({ user: byConsistency, key: 'immutableId' });
    expect(new SyncedUserIndex([bySam, byUpn, byGuid]).join(a, 'corp.contoso.com')).toEqual({ user: byGuid, key: 'immutableId' });
    expect(new SyncedUserIndex([bySam, byUpn]).join(a, 'corp.contoso.com')).toEqual({ user: byUpn, key: 'userPrincipalName' });
    expect(new SyncedUserIndex([bySam]).join(a, 'corp.contoso.com')).toEqual({ user: bySam, key: 'sAMAccountName' });
    expect(new SyncedUserIndex([bySam]).join(a, 'other.contoso.com')).toBeUndefined();
  });

  it('reads the DNS domain from a DN and every address an account is known by', () => {
    expect(dnsDomainOf('OU=Partners,DC=corp,DC=Contoso,DC=com')).toBe('corp.contoso.com');
    expect(addressesOf({ mail: 'A@x.com', proxyAddresses: ['SMTP:a@x.com', 'smtp:b@x.com', 'X500:/o=x'], otherMails: ['c@y.com'] }).sort()).toEqual(['a@x.com', 'b@x.com', 'c@y.com']);
  });
});

describe('the address matcher that makes two accounts one person', () => {
  it('knows an account by mail, SMTP proxy addresses of either prefix case and otherMails, once each, case ignored', () => {
    expect(knownAddresses({ mail: 'Kim@Wingtip.com', proxyAddresses: ['SMTP:kim@wingtip.com', 'smtp:K.Chen@wingtip.com', 'X500:/o=x/cn=kim', 'SIP:kim@wingtip.com'], otherMails: ['kim@home.example'] })).toEqual([
      { address: 'kim@wingtip.com', source: 'mail' },
      { address: 'k.chen@wingtip.com', source: 'proxyAddresses' },
      { address: 'kim@home.example', source: 'otherMails' },
    ]);
    expect(knownAddresses({ proxyAddresses: ['SMTP: spaced@wingtip.com'] })).toEqual([{ address: 'spaced@wingtip.com', source: 'proxyAddresses' }]);
  });

  it('finds the shared address through mail, proxyAddresses or otherMails, and says where each side holds it', () => {
    const ad = { mail: 'kim@wingtip.com', proxyAddresses: ['SMTP:kim@wingtip.com', 'smtp:kchen@partners.contoso.com'] };
    expect(sharedAddress(ad, { mail: 'KIM@wingtip.com', proxyAddresses: [] })).toEqual({ address: 'kim@wingtip.com', first: 'mail', second: 'mail' });
    expect(sharedAddress(ad, { mail: 'kim.chen@other.com', otherMails: ['Kim@Wingtip.com'], proxyAddresses: [] })).toEqual({ address: 'kim@wingtip.com', first: 'mail', second: 'otherMails' });
    expect(sharedAddress({ mail: 'kchen@partners.contoso.com', proxyAddresses: ['smtp:kim.alias@wingtip.com'] }, { mail: 'kim@home.example', proxyAddresses: ['SMTP:KIM.ALIAS@wingtip.com'] })).toEqual({
      address: 'kim.alias@wingtip.com',
      first: 'proxyAddresses',
      second: 'proxyAddresses',
    });
    // A shared mail wins over an earlier alias match, so the card names the most telling one.
    expect(sharedAddress({ mail: 'a@x.com', proxyAddresses: ['smtp:b@x.com'] }, { mail: 'a@x.com', proxyAddresses: ['smtp:b@x.com'] })).toMatchObject({ address: 'a@x.com', first: 'mail', second: 'mail' });
  });

  it('never matches on an X500 or SIP proxy address, an address inside another, or nothing', () => {
    expect(sharedAddress({ proxyAddresses: ['X500:/o=contoso/cn=kim'] }, { proxyAddresses: ['X500:/o=contoso/cn=kim'] })).toBeUndefined();
    expect(sharedAddress({ proxyAddresses: ['SIP:kim@wingtip.com'] }, { mail: 'kim@wingtip.com', proxyAddresses: [] })).toBeUndefined();
    expect(sharedAddress({ mail: 'kim@wingtip.com', proxyAddresses: [] }, { mail: 'akim@wingtip.com', proxyAddresses: ['smtp:kim@wingtip.co'] })).toBeUndefined();
    expect(sharedAddress({ proxyAddresses: [] }, { proxyAddresses: [] })).toBeUndefined();
  });
});

describe('the six states', () => {
  it('a partner synced as Member is a security gap, with the sync rule it should have and the member access it has now', () => {
    const r = partnerRecord({ account: account(), entra: entra({ userType: 'Member' }), matchedBy: 'objectSid' }, RULES, NOW);
    expect(r.state).toBe('securityGap');
    expect(r.sentence).toContain('UserType = IIF([extensionAttribute1] = "Partner", "Guest", "Member")');
    expect(r.sentence).toContain("a member's access");
    const bySuffix = partnerRecord({ account: account({ partner: { upnSuffix: 'partners.contoso.com' } }), entra: entra({ userType: 'Member' }) }, RULES, NOW);
    expect(bySuffix.sentence).toContain('IIF(InStr([userPrincipalName], "@partners.contoso.com") > 0, "Guest", "Member")');
  });

  it('disabled or expired in AD but enabled in Entra; not when Entra is disabled too', () => {
    expect(partnerRecord({ account: account({ disabled: true }), entra: entra() }, RULES, NOW).state).toBe('disabledOnPrem');
    const expired = partnerRecord({ account: account({ accountExpires: new Date('2026-11-30T00:00:00Z') }), entra: entra() }, RULES, NOW);
    expect(expired.state).toBe('disabledOnPrem');
    expect(expired.sentence).toContain('expired in AD on 2026-11-30');
    expect(partnerRecord({ account: account({ accountExpires: new Date('2027-01-01T00:00:00Z') }), entra: entra() }, RULES, NOW).state).toBe('consistent');
    expect(partnerRecord({ account: account({ disabled: true }), entra: entra({ accountEnabled: false }) }, RULES, NOW).state).toBe('consistent');
  });

  it('two identities say which one sign-in uses and which holds which app access', () => {
    const apps = (name: string): UserAppAccessFacts => ({ available: true, apps: [{ appName: name, roleName: 'User', throughGroup: false }], more: false });
    const twin = entra({ onPremisesSyncEnabled: false, creationType: 'Invitation', mail: 'k@wingtip.com', userPrincipalName: 'k_wingtip.com#EXT#@contoso.onmicrosoft.com', identities: [{ signInType: 'federated', issuer: 'mail', issuerAssignedId: undefined }] });
    const r = partnerRecord({ account: account({ mail: 'k@wingtip.com' }), entra: entra({ userPrincipalName: 'k@partners.contoso.com' }), twin, appAccess: { synced: apps('Timesheets'), twin: apps('Expenses') } }, RULES, NOW);
    expect(r.state).toBe('twoIdentities');
    expect(r.sentence).toContain('Signing in as k@wingtip.com uses the invited guest, who signs in with a one-time passcode');
    expect(r.sentence).toContain('the synced account holds Timesheets (User); the invited guest holds Expenses (User)');
  });

  it('a synced Guest whose AD account the rule does not mark, found or not', () => {
    const unmarked = partnerRecord({ account: account({ partner: undefined, markerValue: 'Employee' }), entra: entra() }, RULES, NOW);
    expect(unmarked.state).toBe('guestNotMarked');
    expect(unmarked.sentence).toContain('extensionAttribute1 is "Employee"');
    expect(partnerRecord({ entra: entra() }, RULES, NOW).sentence).toContain('not under the search base');
  });

  it('a partner with no Entra user is not in Entra yet; one with a Guest is consistent', () => {
    expect(partnerRecord({ account: account() }, RULES, NOW).state).toBe('notInEntra');
    expect(partnerRecord({ account: account(), entra: entra() }, RULES, NOW).state).toBe('consistent');
  });
});

class FakeAd implements PartnerAccountReader {
  readonly searchBase = BASE;
  constructor(
    private readonly partners: PartnerAccount[],
    private readonly others: PartnerAccount[] = [],
  ) {}
  async find(_ref: PartnerAccountRef): Promise<PartnerAccountLookup> {
    return { kind: 'notFound' };
  }
  async scanPartners(): Promise<PartnerAccount[]> {
    return this.partners;
  }
  async findBySyncedKeys(keys: SyncedKeys): Promise<PartnerAccount[]> {
    return this.others.filter((a) => keys.sids?.includes(a.objectSid));
  }
}

class FakeEntra implements PartnerUserReader {
  readonly asked: { key: SyncKey; values: number }[] = [];
  constructor(private readonly users: EntraPartnerUser[]) {}
  async listGuests(): Promise<EntraPartnerUser[]> {
    return this.users.filter((u) => u.userType === 'Guest');
  }
  async findByKey(key: SyncKey, values: readonly string[]): Promise<EntraPartnerUser[]> {
    this.asked.push({ key, values: values.length });
    const set = new Set(values.map((v) => v.toLowerCase()));
    return this.users.filter((u) => set.has((u[key] ?? '').toLowerCase()));
  }
  async findByAddresses(): Promise<EntraPartnerUser[]> {
    return [];
  }
  async appAccessOf(ids: readonly string[]): Promise<Map<string, UserAppAccessFacts>> {
    return new Map(ids.map((id) => [id.toLowerCase(), { available: true, apps: [], more: false }]));
  }
}

describe('the scan', () => {
  it('asks Graph only about the partners the guest listing did not settle, key by key', async () => {
    const guestPartner = account();
    const member = account();
    const unsynced = account();
    const stray = account({ partner: undefined });
    const users = [
      entra({ onPremisesSecurityIdentifier: guestPartner.objectSid }),
      entra({ userType: 'Member', onPremisesUserPrincipalName: member.userPrincipalName ?? '' }),
      entra({ onPremisesSecurityIdentifier: stray.objectSid }),
    ];
    const fake = new FakeEntra(users);
    const scan = await new PartnerSyncService(new FakeAd([guestPartner, member, unsynced], [stray]), fake, RULES, () => NOW).scan();
    expect(scan.counts).toMatchObject({ consistent: 1, securityGap: 1, notInEntra: 1, guestNotMarked: 1 });
    expect(scan.records.map((r) => r.state)).toEqual(['securityGap', 'guestNotMarked', 'notInEntra', 'consistent']);
    // The SID look-up covers the two open partners; once the member is found by UPN, sAMAccountName is asked for the last one only.
    expect(fake.asked).toEqual([
      { key: 'onPremisesSecurityIdentifier', values: 2 },
      { key: 'onPremisesImmutableId', values: 2 },
      { key: 'onPremisesUserPrincipalName', values: 2 },
      { key: 'onPremisesSamAccountName', values: 1 },
    ]);
  });
});

describe('the scan finds two identities', () => {
  const invited = (over: Partial<EntraPartnerUser>): EntraPartnerUser =>
    entra({ onPremisesSyncEnabled: false, creationType: 'Invitation', identities: [{ signInType: 'federated', issuer: 'ExternalAzureAD', issuerAssignedId: undefined }], ...over });

  it("through the invited guest's otherMails and through proxyAddresses on either side, and not by a partial address", async () => {
    const byOtherMails = account({ mail: 'lena@northwind.example' });
    const byAdProxy = account({ mail: 'omar@partners.contoso.com', proxyAddresses: ['SMTP:omar@partners.contoso.com', 'smtp:Omar.Haddad@tailspin.example'] });
    const bySyncedProxy = account({ mail: 'ines@partners.contoso.com' });
    const alone = account({ mail: 'paul@litware.example' });
    const users = [
      entra({ onPremisesSecurityIdentifier: byOtherMails.objectSid }),
      entra({ onPremisesSecurityIdentifier: byAdProxy.objectSid }),
      entra({ onPremisesSecurityIdentifier: bySyncedProxy.objectSid, proxyAddresses: ['SMTP:ines@partners.contoso.com', 'smtp:ines@adatum.example'] }),
      entra({ onPremisesSecurityIdentifier: alone.objectSid }),
      invited({ mail: 'lena.k@northwind.example', otherMails: ['LENA@northwind.example'], userPrincipalName: 'lena.k_northwind.example#EXT#@contoso.onmicrosoft.com' }),
      invited({ mail: 'omar.haddad@tailspin.example', proxyAddresses: ['SMTP:omar.haddad@tailspin.example'], userPrincipalName: 'omar.haddad_tailspin.example#EXT#@contoso.onmicrosoft.com' }),
      invited({ mail: 'ines@adatum.example', userPrincipalName: 'ines_adatum.example#EXT#@contoso.onmicrosoft.com' }),
      invited({ mail: 'xpaul@litware.example', otherMails: ['paul@litware.exampl'] }),
    ];
    const scan = await new PartnerSyncService(new FakeAd([byOtherMails, byAdProxy, bySyncedProxy, alone]), new FakeEntra(users), RULES, () => NOW).scan();
    expect(scan.counts).toMatchObject({ twoIdentities: 3, consistent: 1 });
    const sentenceOf = (a: PartnerAccount): string => scan.records.find((r) => r.account === a)?.sentence ?? '';
    expect(sentenceOf(byOtherMails)).toContain("both with lena@northwind.example (the AD account's mail, the invited guest's otherMails)");
    expect(sentenceOf(byOtherMails)).toContain('Signing in as lena.k@northwind.example uses the invited guest');
    expect(sentenceOf(byAdProxy)).toContain("both with omar.haddad@tailspin.example (the AD account's proxyAddresses, the invited guest's mail)");
    expect(sentenceOf(bySyncedProxy)).toContain("both with ines@adatum.example (the synced account's proxyAddresses, the invited guest's mail)");
    expect(scan.records.find((r) => r.account === alone)?.state).toBe('consistent');
  });
});

describe('the CSV export', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    const csv = partnersCsv([partnerRecord({ account: account({ sAMAccountName: '=HYPERLINK("https://evil")', mail: '+cmd|calc' }) }, RULES, NOW)]);
    expect(csv).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(csv).toContain(`"'=HYPERLINK(""https://evil"")"`);
    expect(csv).not.toMatch(/(^|,)\+cmd/m);
    expect(csv.split('\r\n')[0]).toMatch(/^State,sAMAccountName,/);
  });
});
