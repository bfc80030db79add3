import { GraphPartnerUsers } from '../../../bot/graph/partnerUsers';
import type { PartnerAccount, PartnerAccountLookup, PartnerAccountRef, SyncedKeys } from '../../../bot/onprem/partnerAccounts';
import { PartnerSyncService, type PartnerAccountReader } from '../../../bot/services/partners/partnerSync';
import type { FixtureUser } from '../../../sandbox/fixture';
import type { RunningSandbox } from '../../../sandbox/server';
import { contosoFixture, sandboxGraphClient, sandboxToken, startTestSandbox } from '../../helpers/sandbox';

/**
 * Two identities found through otherMails and through proxyAddresses, with the Entra side read by the bot's own Graph
 * adapter over HTTP from the sandbox (which refuses every filter Graph refuses). The AD side is held in memory: the
 * Samba suite (partnersCommand.test.ts) covers the LDAP reads, and a shared DC must keep its seven seeded accounts.
 */
const BASE = 'OU=Partners,DC=corp,DC=contoso,DC=com';
const RULES = { markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: ['partners.contoso.com'] };
const NOW = new Date('2026-12-02T12:00:00Z');

function account(sam: string, sid: string, over: Partial<PartnerAccount> = {}): PartnerAccount {
  return {
    dn: `CN=${sam},${BASE}`,
    objectSid: sid,
    objectGuid: '',
    immutableId: Buffer.from(sam.padEnd(16, '.')).toString('base64'),
    objectGuidBase64: Buffer.from(sam.padEnd(16, '.')).toString('base64'),
    userPrincipalName: `${sam}@partners.contoso.com`,
    sAMAccountName: sam,
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

/** Lena is known to her invited guest only by its otherMails; Omar's invited address is a secondary SMTP proxy address in AD. */
const LENA = account('lkoch', 'S-1-5-21-900-901-902-3101', { mail: 'lena.koch@northwind.example' });
const OMAR = account('ohaddad', 'S-1-5-21-900-901-902-3102', { mail: 'ohaddad@partners.contoso.com', proxyAddresses: ['SMTP:ohaddad@partners.contoso.com', 'smtp:Omar.Haddad@Tailspin.example'] });

class HeldAd implements PartnerAccountReader {
  readonly searchBase = BASE;
  constructor(private readonly accounts: PartnerAccount[]) {}
  async find(ref: PartnerAccountRef): Promise<PartnerAccountLookup> {
    const hit = this.accounts.find((a) => a.sAMAccountName === ref.value);
    return hit ? { kind: 'found', account: hit } : { kind: 'notFound' };
  }
  async scanPartners(): Promise<PartnerAccount[]> {
    return this.accounts;
  }
  async findBySyncedKeys(_keys: SyncedKeys): Promise<PartnerAccount[]> {
    return [];
  }
}

function synced(id: string, a: PartnerAccount, over: Partial<FixtureUser> = {}): FixtureUser {
  return {
    id,
    userPrincipalName: a.userPrincipalName ?? '',
    displayName: a.sAMAccountName,
    accountEnabled: true,
    userType: 'Guest',
    mail: a.mail ?? null,
    onPremisesSyncEnabled: true,
    onPremisesSecurityIdentifier: a.objectSid,
    onPremisesSamAccountName: a.sAMAccountName,
    onPremisesUserPrincipalName: a.userPrincipalName ?? null,
    onPremisesDomainName: 'corp.contoso.com',
    ...over,
  };
}

function invited(id: string, mail: string, over: Partial<FixtureUser> = {}): FixtureUser {
  return {
    id,
    userPrincipalName: `${mail.replace('@', '_')}#EXT#@contoso.onmicrosoft.com`,
    displayName: `${mail} (invited)`,
    accountEnabled: true,
    userType: 'Guest',
    mail,
    otherMails: [mail],
    proxyAddresses: [`SMTP:${mail}`],
    creationType: 'Invitation',
    externalUserState: 'Accepted',
    identities: [{ signInType: 'federated', issuer: 'ExternalAzureAD', issuerAssignedId: null }],
    ...over,
  };
}

describe('two identities through otherMails and proxyAddresses, against the sandbox', () => {
  let sandbox: RunningSandbox;
  let service: PartnerSyncService;

  beforeAll(async () => {
    const fixture = contosoFixture();
    fixture.users.push(
      synced('d1000000-0000-4000-8000-000000000001', LENA),
      // Lena was invited with another address; the one she shares with her AD account is only in otherMails.
      invited('e1000000-0000-4000-8000-000000000001', 'lena.k@northwind.example', { otherMails: ['lena.k@northwind.example', 'Lena.Koch@northwind.example'] }),
      synced('d1000000-0000-4000-8000-000000000002', OMAR, { proxyAddresses: ['SMTP:ohaddad@partners.contoso.com'] }),
      invited('e1000000-0000-4000-8000-000000000002', 'omar.haddad@tailspin.example'),
    );
    sandbox = await startTestSandbox({ fixture });
    service = new PartnerSyncService(new HeldAd([LENA, OMAR]), new GraphPartnerUsers(sandboxGraphClient(sandbox).client), RULES, () => NOW);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('the scan finds both people, says which attribute matched, and sends only default queries', async () => {
    sandbox.resetStats();
    const scan = await service.scan();
    const lena = scan.records.find((r) => r.account === LENA);
    const omar = scan.records.find((r) => r.account === OMAR);
    expect(lena?.state).toBe('twoIdentities');
    expect(lena?.twin?.id).toBe('e1000000-0000-4000-8000-000000000001');
    expect(lena?.sentence).toContain("both with lena.koch@northwind.example (the AD account's mail, the invited guest's otherMails)");
    expect(lena?.sentence).toContain('Signing in as lena.k@northwind.example uses the invited guest');
    expect(omar?.state).toBe('twoIdentities');
    expect(omar?.twin?.id).toBe('e1000000-0000-4000-8000-000000000002');
    expect(omar?.sentence).toContain("both with omar.haddad@tailspin.example (the AD account's proxyAddresses, the invited guest's mail)");
    const requests = sandbox.stats().requests;
    expect(requests.every((r) => r.status < 400)).toBe(true);
    // The twins come from the guest listing: the scan itself sends no address filter at all.
    expect(requests.some((r) => /otherMails|proxyAddresses\/any/.test(r.path.split('$select')[0] ?? ''))).toBe(false);
  });

  it('partners <account> finds the twin through the otherMails and proxyAddresses lambdas, one address per batch item', async () => {
    sandbox.resetStats();
    const lena = await service.detail({ kind: 'sAMAccountName', value: 'lkoch' }, 'lkoch');
    expect(lena.kind === 'found' ? lena.record.twin?.id : undefined).toBe('e1000000-0000-4000-8000-000000000001');
    const omar = await service.detail({ kind: 'sAMAccountName', value: 'ohaddad' }, 'ohaddad');
    expect(omar.kind === 'found' ? omar.record.state : undefined).toBe('twoIdentities');
    expect(omar.kind === 'found' ? omar.record.twin?.id : undefined).toBe('e1000000-0000-4000-8000-000000000002');
    const lookups = sandbox.stats().requests.filter((r) => r.batchItem && r.path.includes('otherMails/any'));
    expect(lookups.length).toBeGreaterThan(0);
    for (const r of lookups) {
      expect(r.status).toBe(200);
      expect(r.path).toMatch(/otherMails\/any\(m:m eq '[^']+'\) or proxyAddresses\/any\(p:p eq 'smtp:[^']+'\)/);
    }
  });

  it('refuses, as Graph does, the lambda forms that are advanced queries when sent without the advanced parameters', async () => {
    const token = await sandboxToken(sandbox);
    const ask = async (filter: string, advanced = false): Promise<number> => {
      const url = `${sandbox.url}/v1.0/users?$filter=${encodeURIComponent(filter)}&$select=id${advanced ? '&$count=true' : ''}`;
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...(advanced ? { ConsistencyLevel: 'eventual' } : {}) } });
      return res.status;
    };
    expect(await ask("otherMails/any(m:m eq 'lena.koch@northwind.example')")).toBe(200);
    expect(await ask("proxyAddresses/any(p:p eq 'smtp:omar.haddad@tailspin.example')")).toBe(200);
    expect(await ask("proxyAddresses/any(p:startsWith(p,'smtp:omar'))")).toBe(200);
    expect(await ask("otherMails/any(m:endsWith(m,'@northwind.example'))")).toBe(400);
    expect(await ask("otherMails/any(m:endsWith(m,'@northwind.example'))", true)).toBe(200);
    expect(await ask("proxyAddresses/any(p:p ne 'smtp:x@y.example')")).toBe(400);
  });
});
