import { Attribute, Change, type Client } from 'ldapts';
import type { OnPremSettings, PartnerMarkerConfig } from '../../../bot/config';
import { escapeDnValue } from '../../../bot/onprem/ldapEscape';
import { OnPremDirectoryError } from '../../../bot/onprem/ldapConnection';
import { PartnerAccounts, parsePartnerAccountRef, sidToString, type PartnerAccount } from '../../../bot/onprem/partnerAccounts';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { describeWithService } from '../../helpers/services';

const RULES: PartnerMarkerConfig = { markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: ['partners.contoso.test'] };

interface Seed {
  cn: string;
  sam: string;
  upn: string;
  mail?: string;
  proxy?: string[];
  marker?: string;
  uac?: number;
  accountExpires?: string;
  consistencyGuid?: Buffer;
}

describeWithService('Samba AD DC', sambaMissingReason(), 'partner accounts read from a real Samba AD DC over LDAPS', () => {
  let dc: RunningDc;
  let admin: Client;
  let settings: OnPremSettings;
  let partners: PartnerAccounts;
  const ou = (base: string): string => `OU=PartnerAccountsTest,${base}`;

  async function seed(s: Seed): Promise<string> {
    const dn = `CN=${escapeDnValue(s.cn)},${ou(dc.baseDn)}`;
    const values: [string, string[] | Buffer[]][] = [
      ['objectClass', ['top', 'person', 'organizationalPerson', 'user']],
      ['cn', [s.cn]],
      ['sAMAccountName', [s.sam]],
      ['userPrincipalName', [s.upn]],
      ['displayName', [s.cn]],
      ['userAccountControl', [String(s.uac ?? 512)]],
    ];
    if (s.mail) values.push(['mail', [s.mail]]);
    if (s.proxy) values.push(['proxyAddresses', s.proxy]);
    if (s.marker) values.push(['extensionAttribute1', [s.marker]]);
    if (s.accountExpires) values.push(['accountExpires', [s.accountExpires]]);
    if (s.consistencyGuid) values.push(['mS-DS-ConsistencyGuid', [s.consistencyGuid]]);
    await admin.add(dn, [
      ...values.map(([type, v]) => new Attribute({ type, values: v })),
      new Attribute({ type: 'unicodePwd', values: [Buffer.from('"Partn3r!Pass-2026"', 'utf16le')] }),
    ]);
    return dn;
  }

  beforeAll(async () => {
    dc = await startSambaDc();
    admin = await dc.connect();
    settings = {
      url: dc.url,
      bindDn: dc.bindDn,
      bindPassword: dc.bindPassword,
      guestOu: dc.guestOu,
      caFile: dc.caFile,
      tlsServername: dc.tlsServername,
      tlsInsecure: false,
      linkAttribute: 'msDS-cloudExtensionAttribute1',
      timeoutMs: 5000,
      partnerSearchBase: ou(dc.baseDn),
    };
    await admin.add(ou(dc.baseDn), { objectClass: ['top', 'organizationalUnit'], ou: 'PartnerAccountsTest' });
    await seed({ cn: 'Wendy Moran', sam: 'wmoran', upn: 'wmoran@corp.contoso.test', mail: 'wmoran@fabrikam.com', proxy: ['SMTP:wmoran@fabrikam.com', 'smtp:wendy@fabrikam.com'], marker: 'Partner' });
    await seed({ cn: 'Suffix Only', sam: 'sonly', upn: 'sonly@partners.contoso.test' });
    await seed({ cn: 'Eve Employee', sam: 'eemployee', upn: 'eve@corp.contoso.test', mail: 'eve@contoso.test' });
    await seed({ cn: 'Moran, Wendy + "Jr" #2\\x', sam: 'wmoran-special', upn: 'special@partners.contoso.test', marker: 'partner' });
    await seed({ cn: ' Leading Space', sam: 'leading', upn: 'leading@partners.contoso.test', uac: 514 });
    await seed({ cn: 'Zoë Ångström-Łukasz 日本', sam: 'zoe', upn: 'zoë@partners.contoso.test', mail: 'zoe@fabrikam.com' });
    await seed({ cn: 'Twenty Chars', sam: 'abcdefghij0123456789', upn: 'twenty@partners.contoso.test', accountExpires: '133000000000000000' });
    await seed({ cn: 'Anchored', sam: 'anchored', upn: 'anchored@partners.contoso.test', consistencyGuid: Buffer.from('00112233445566778899aabbccddeeff', 'hex') });
    partners = new PartnerAccounts(settings, RULES);
  }, 90_000);

  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  async function found(text: string): Promise<PartnerAccount> {
    const result = await partners.find(parsePartnerAccountRef(text));
    if (result.kind !== 'found') throw new Error(`expected one account for ${text}, got ${result.kind}`);
    return result.account;
  }

  it('finds one account by sAMAccountName, UPN, mail, a secondary proxy address and objectSid, with every attribute the join needs', async () => {
    const bySam = await found('wmoran');
    expect(bySam).toMatchObject({
      sAMAccountName: 'wmoran',
      userPrincipalName: 'wmoran@corp.contoso.test',
      mail: 'wmoran@fabrikam.com',
      disabled: false,
      locked: false,
      accountExpires: 'never',
      markerValue: 'Partner',
      partner: { attribute: 'extensionAttribute1', value: 'Partner' },
    });
    expect(bySam.objectSid).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
    expect(bySam.objectGuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Buffer.from(bySam.immutableId, 'base64')).toHaveLength(16);
    expect(bySam.immutableId).toBe(bySam.objectGuidBase64);
    expect(bySam.consistencyGuid).toBeUndefined();
    expect(bySam.proxyAddresses.sort()).toEqual(['SMTP:wmoran@fabrikam.com', 'smtp:wendy@fabrikam.com']);
    for (const ref of ['wmoran@corp.contoso.test', 'WMORAN@fabrikam.com', 'wendy@fabrikam.com', bySam.objectSid]) {
      expect((await found(ref)).dn).toBe(bySam.dn);
    }
  });

  it('reads the sid the DC assigned exactly as ldbsearch shows it (string form round trip)', async () => {
    const { searchEntries } = await admin.search(ou(dc.baseDn), { filter: '(sAMAccountName=wmoran)', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    const raw = searchEntries[0]?.objectSid;
    expect(Buffer.isBuffer(raw)).toBe(true);
    expect((await found('wmoran')).objectSid).toBe(sidToString(raw as Buffer));
  });

  it('uses ms-DS-ConsistencyGuid as the immutable id when it is set', async () => {
    const a = await found('anchored');
    expect(a.consistencyGuid).toBe(Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64'));
    expect(a.immutableId).toBe(a.consistencyGuid);
    expect(a.immutableId).not.toBe(a.objectGuidBase64);
  });

  it('applies the partner rule: marker (any case), UPN suffix, or neither', async () => {
    expect((await found('sonly')).partner).toEqual({ upnSuffix: 'partners.contoso.test' });
    expect((await found('eemployee')).partner).toBeUndefined();
    expect((await found('wmoran-special')).partner).toEqual({ attribute: 'extensionAttribute1', value: 'partner' });
  });

  it('handles DN-special characters, a leading space, non-ASCII names and a 20-character sAMAccountName', async () => {
    const special = await found('wmoran-special');
    expect(special.displayName).toBe('Moran, Wendy + "Jr" #2\\x');
    expect(special.dn).toMatch(/^CN=Moran\\, Wendy \\\+ /);
    expect((await found('leading')).disabled).toBe(true);
    const zoe = await found('zoë@partners.contoso.test');
    expect(zoe.displayName).toBe('Zoë Ångström-Łukasz 日本');
    const twenty = await found('abcdefghij0123456789');
    expect(twenty.accountExpires).toEqual(new Date('2022-06-18T04:26:40.000Z'));
    expect(() => parsePartnerAccountRef('abcdefghij0123456789x')).toThrow(/20 characters/);
  });

  it('escapes filter values: a * or ) in the query matches nothing instead of everything', async () => {
    expect((await partners.find(parsePartnerAccountRef('*@partners.contoso.test'))).kind).toBe('notFound');
    expect((await partners.find(parsePartnerAccountRef('w*)(sAMAccountName=*@x'))).kind).toBe('notFound');
    expect(() => parsePartnerAccountRef('w*')).toThrow(/cannot be a sAMAccountName/);
  });

  it('reports a locked account (lockoutTime now, as the DC sets it on a lockout)', async () => {
    const dn = `CN=${escapeDnValue('Eve Employee')},${ou(dc.baseDn)}`;
    const now = String((BigInt(Date.now()) + 11_644_473_600_000n) * 10_000n);
    await admin.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'lockoutTime', values: [now] }) }));
    const eve = await found('eemployee');
    expect(eve.locked).toBe(true);
  });

  it('scans the search base with paging for every account the rule marks, and nothing else', async () => {
    const all = await partners.scanPartners();
    expect(all.map((a) => a.sAMAccountName).sort()).toEqual(['abcdefghij0123456789', 'anchored', 'leading', 'sonly', 'wmoran', 'wmoran-special', 'zoe']);
  });

  it('finds the AD accounts behind the keys Entra holds', async () => {
    const eve = await found('eemployee');
    const wendy = await found('wmoran');
    const anchored = await found('anchored');
    const hits = await partners.findBySyncedKeys({ sids: [eve.objectSid, 'S-1-5-21-1-2-3-999999'], immutableIds: [anchored.immutableId, wendy.objectGuidBase64, 'not base64'] });
    expect(hits.map((a) => a.sAMAccountName).sort()).toEqual(['anchored', 'eemployee', 'wmoran']);
  });

  it('says clearly when the search base does not exist', async () => {
    const missing = new PartnerAccounts({ ...settings, partnerSearchBase: `OU=Nowhere,${dc.baseDn}` }, RULES);
    await expect(missing.scanPartners()).rejects.toThrow(OnPremDirectoryError);
    await expect(missing.scanPartners()).rejects.toThrow(/OU=Nowhere,DC=corp,DC=contoso,DC=test does not exist.*ONPREM_PARTNER_SEARCH_BASE/);
  });

  it('defaults the search base to the domain root', () => {
    const { partnerSearchBase: _unused, ...withoutBase } = settings;
    expect(new PartnerAccounts(withoutBase, RULES).searchBase).toBe(dc.baseDn);
  });
});
