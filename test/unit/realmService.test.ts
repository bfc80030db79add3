import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OwnDomain, OwnFederation } from '../../bot/graph/domains';
import { HttpLoginEndpoints } from '../../bot/adapters/loginEndpoints';
import { InvalidRealmInputError, RealmService, type OwnDomainReader } from '../../bot/services/realm';
import { systemClock } from '../../bot/services/realmPorts';

/** A stand-in login host over real HTTP: answers per path, counts requests, can be slow or send garbage. */
class LoginHost {
  readonly hits: string[] = [];
  delayMs = 0;
  answers: Record<string, { status: number; body: string }> = {};
  private server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    this.hits.push(path);
    const key = Object.keys(this.answers).find((k) => path.includes(k));
    const answer = key ? this.answers[key] : { status: 400, body: JSON.stringify({ error: 'invalid_tenant', error_codes: [90002] }) };
    setTimeout(() => {
      res.writeHead(answer?.status ?? 500, { 'content-type': 'application/json' });
      res.end(answer?.body ?? '');
    }, this.delayMs);
  });
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

class InMemoryDomains implements OwnDomainReader {
  calls = 0;
  fail = false;
  constructor(
    private readonly domains: OwnDomain[] = [{ id: 'contoso.com', authenticationType: 'Managed', isVerified: true }],
    private readonly federations: Record<string, OwnFederation> = {},
  ) {}
  async list(): Promise<OwnDomain[]> {
    this.calls += 1;
    if (this.fail) throw new Error('Graph is down');
    return this.domains;
  }
  async federation(domain: string): Promise<OwnFederation | undefined> {
    return this.federations[domain];
  }
}

const FABRIKAM_REALM = JSON.stringify({ NameSpaceType: 'Managed', DomainName: 'fabrikam.com', FederationBrandName: 'Fabrikam', cloud_instance_name: 'microsoftonline.com' });
const FABRIKAM_OPENID = JSON.stringify({ issuer: 'https://login.microsoftonline.com/2f6e8c14-3b5d-4e7a-9c1f-8a2b4d6e0f13/v2.0' });

describe('RealmService', () => {
  let login: LoginHost;

  beforeEach(async () => {
    login = await new LoginHost().start();
  });

  afterEach(async () => {
    await login.stop();
  });

  function service(domains = new InMemoryDomains(), options: { answerMs?: number; cacheMs?: number; now?: () => number } = {}) {
    const clock = options.now ? { ...systemClock, now: options.now } : systemClock;
    return new RealmService(domains, new HttpLoginEndpoints({ loginBaseUrl: login.url, requestTimeoutMs: 3000 }), {
      cacheMs: options.cacheMs ?? 60_000,
      answerMs: options.answerMs ?? 2000,
      clock,
    });
  }

  it('does not crash on a realm answer that is not JSON, and says what is missing', async () => {
    login.answers = { userrealm: { status: 200, body: '{"NameSpaceType": "Managed", oops' }, 'fabrikam.com/v2.0': { status: 200, body: FABRIKAM_OPENID } };
    const verdict = await service().resolve('alice@fabrikam.com');
    expect(verdict.kind).toBe('managedTenant');
    expect(verdict.tenantId).toBe('2f6e8c14-3b5d-4e7a-9c1f-8a2b4d6e0f13');
    expect(verdict.missing).toEqual(['where Entra sends the sign-in (home realm discovery: the request failed (answered 200 with something that is not JSON))']);
    expect(verdict.sentence).toContain('I could not check whether it sends sign-ins to its own identity provider');
  });

  it('does not crash on JSON of the wrong shape', async () => {
    login.answers = { userrealm: { status: 200, body: '{"NameSpaceType": 42}' }, 'openid-configuration': { status: 200, body: '[]' } };
    const verdict = await service().resolve('someone.example');
    expect(verdict.kind).toBe('consumerOrUnknown');
    expect(verdict.missing.join('\n')).toContain('answered with a realm I could not read');
    expect(verdict.sentence).toContain('did not answer');
  });

  it('shares one set of requests between concurrent questions about one domain, then answers from the cache', async () => {
    login.delayMs = 100;
    login.answers = { userrealm: { status: 200, body: FABRIKAM_REALM }, 'fabrikam.com/v2.0': { status: 200, body: FABRIKAM_OPENID } };
    const domains = new InMemoryDomains();
    const realm = service(domains);
    const verdicts = await Promise.all(['a@fabrikam.com', 'b@fabrikam.com', 'FABRIKAM.com', 'fabrikam.com'].map((q) => realm.resolve(q)));
    expect(verdicts.every((v) => v.kind === 'managedTenant' && v.missing.length === 0)).toBe(true);
    expect(login.hits).toHaveLength(2);
    await realm.resolve('c@fabrikam.com');
    expect(login.hits).toHaveLength(2);
    expect(domains.calls).toBe(1);
  });

  it('asks again once the cache entry has expired', async () => {
    login.answers = { userrealm: { status: 200, body: FABRIKAM_REALM }, 'fabrikam.com/v2.0': { status: 200, body: FABRIKAM_OPENID } };
    let now = 1_000_000;
    const realm = service(new InMemoryDomains(), { cacheMs: 1000, now: () => now });
    await realm.resolve('fabrikam.com');
    now += 1001;
    await realm.resolve('fabrikam.com');
    expect(login.hits).toHaveLength(4);
  });

  it('answers within the deadline when the login host is slow, and a later question finds the answer', async () => {
    login.delayMs = 600;
    login.answers = { userrealm: { status: 200, body: FABRIKAM_REALM }, 'fabrikam.com/v2.0': { status: 200, body: FABRIKAM_OPENID } };
    const realm = service(new InMemoryDomains(), { answerMs: 200 });
    const started = Date.now();
    const first = await realm.resolve('fabrikam.com');
    expect(Date.now() - started).toBeLessThan(450);
    expect(first.missing).toHaveLength(1);
    expect(first.missing[0]).toContain('home realm discovery: no answer within 0.2 s');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const second = await realm.resolve('fabrikam.com');
    expect(second.missing).toEqual([]);
    expect(second.organizationName).toBe('Fabrikam');
    expect(login.hits).toHaveLength(2);
  });

  it('says when our own domain list could not be read, and does not cache that', async () => {
    login.answers = { userrealm: { status: 200, body: FABRIKAM_REALM }, 'fabrikam.com/v2.0': { status: 200, body: FABRIKAM_OPENID } };
    const domains = new InMemoryDomains();
    domains.fail = true;
    const realm = service(domains);
    const verdict = await realm.resolve('fabrikam.com');
    expect(verdict.kind).toBe('managedTenant');
    expect(verdict.missing).toEqual(['whether this is one of our own domains (Microsoft Graph: the request failed (Graph is down))']);
    domains.fail = false;
    expect((await realm.resolve('fabrikam.com')).missing).toEqual([]);
  });

  it('answers for our own federated domain from Graph alone, even when the login host is slow', async () => {
    login.delayMs = 1500;
    const domains = new InMemoryDomains([{ id: 'partners.contoso.com', authenticationType: 'Federated', isVerified: true }], {
      'partners.contoso.com': { passiveSignInUri: 'https://sts.contoso.com/adfs/ls/', preferredAuthenticationProtocol: 'wsFed' },
    });
    const started = Date.now();
    const verdict = await service(domains, { answerMs: 1000 }).resolve('wmoran@partners.contoso.com');
    expect(Date.now() - started).toBeLessThan(500);
    expect(verdict.kind).toBe('ownFederated');
    expect(verdict.federation).toEqual({ brand: undefined, protocol: 'WS-Federation', idpHost: 'sts.contoso.com' });
    expect(verdict.missing).toEqual([]);
  });

  it('refuses input that is neither an address nor a domain', async () => {
    await expect(service().resolve('not a domain')).rejects.toBeInstanceOf(InvalidRealmInputError);
    expect(login.hits).toHaveLength(0);
  });
});
