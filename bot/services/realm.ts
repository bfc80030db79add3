import { z } from 'zod';
import type { OwnDomain, OwnFederation } from '../graph/domains';
import type { RealmKind, RealmLookup, RealmVerdict } from './realmVerdict';
import { parseRealmInput, type DomainName, type EmailAddress } from './userRef';

/** Our own domains, from Graph. GraphDomains implements it; tests may pass an in-memory one. */
export interface OwnDomainReader {
  list(): Promise<OwnDomain[]>;
  federation(domain: string): Promise<OwnFederation | undefined>;
}

export interface RealmServiceOptions {
  /** login.microsoftonline.com, a national cloud's login host, or the sandbox. */
  loginBaseUrl: string;
  /** How long a complete answer for a domain is reused. */
  cacheMs: number;
  /** The answer is given within this time with what is known; slower parts are listed as missing. */
  answerMs: number;
  /** How long a login request may run in the background (its result still fills the cache). Default 10 s. */
  requestTimeoutMs?: number;
  /** For an operator's log: a part that failed, and why. */
  onProblem?: (part: string, detail: string) => void;
  now?: () => number;
}

export class InvalidRealmInputError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'InvalidRealmInputError';
  }
}

type Part<T> = { state: 'pending' } | { state: 'ok'; value: T } | { state: 'failed'; reason: string };

const UserRealmSchema = z.looseObject({
  NameSpaceType: z.enum(['Managed', 'Federated', 'Unknown']),
  DomainName: z.string().nullish(),
  FederationBrandName: z.string().nullish(),
  federation_protocol: z.string().nullish(),
  AuthURL: z.string().nullish(),
  IsViral: z.union([z.boolean(), z.string()]).nullish(),
  MicrosoftAccount: z.union([z.number(), z.string()]).nullish(),
});
type UserRealm = z.infer<typeof UserRealmSchema>;

const OpenIdSchema = z.looseObject({ issuer: z.string() });
const StsErrorSchema = z.looseObject({ error: z.string().optional(), error_codes: z.array(z.number()).optional() });
const TENANT_IN_ISSUER = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/?$/i;

interface OwnFacts {
  domain?: OwnDomain;
  /** Only for our federated domains. */
  federation?: Part<OwnFederation | undefined>;
}

/** What is being found out about one domain. Parts fill in as answers arrive; the verdict reads whatever is there. */
class Probe {
  own: Part<OwnFacts> = { state: 'pending' };
  realm: Part<UserRealm> = { state: 'pending' };
  tenant: Part<string | null> = { state: 'pending' };
  /** The address whose Microsoft-account flag the realm answer carries. */
  msaAddress?: string;
  done: Promise<void> = Promise.resolve();
  /** Settles when our own domain list has answered (and, for our federated domains, their federation). */
  ownDone: Promise<void> = Promise.resolve();

  /** One of our own domains needs no login endpoint: the answer is ready as soon as Graph has spoken. */
  ownAnswerReady(): boolean {
    return this.own.state === 'ok' && this.own.value.domain !== undefined && (this.own.value.federation?.state ?? 'ok') !== 'pending';
  }

  complete(): boolean {
    const ownDone = this.own.state === 'ok' && (this.own.value.federation === undefined || this.own.value.federation.state === 'ok');
    return ownDone && this.realm.state === 'ok' && this.tenant.state === 'ok';
  }
}

/** Whether an address has a Microsoft account; `answered` is false when the endpoint could not be asked. */
interface MsaAnswer {
  answered: boolean;
  hasAccount?: boolean;
}

interface CacheEntry<T> {
  value: T;
  expiresAt?: number;
}

const PROTOCOL_NAMES: Record<string, string> = {
  wstrust: 'WS-Federation',
  wsfed: 'WS-Federation',
  saml20: 'SAML 2.0',
  saml: 'SAML 2.0',
};

function protocolName(protocol: string | null | undefined): string | undefined {
  if (!protocol) return undefined;
  return PROTOCOL_NAMES[protocol.toLowerCase()] ?? protocol;
}

function hostOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/** MSIdentityTools reads MicrosoftAccount 0 as "has a Microsoft account" and 1 as "has none". */
function microsoftAccountFlag(value: number | string | null | undefined): boolean | undefined {
  if (value === 0 || value === '0') return true;
  if (value === 1 || value === '1') return false;
  return undefined;
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  if (error instanceof Error && error.name === 'DirectoryUnavailableError') return error.message;
  return error instanceof Error ? `the request failed (${error.message})` : 'the request failed';
}

/**
 * Home realm discovery for an address or domain: Entra's userrealm v2.1 and the domain's openid-configuration (both
 * unauthenticated), and our own domains and their federation from Graph. Answers are cached per domain and concurrent
 * lookups of one domain share the same requests. An answer is always given within `answerMs`: what is not known by then
 * is listed in `missing`, and the requests keep running so that the next question finds them in the cache.
 */
export class RealmService implements RealmLookup {
  private readonly probes = new Map<string, CacheEntry<Probe>>();
  private readonly msa = new Map<string, CacheEntry<Promise<MsaAnswer>>>();
  private ownDomains: CacheEntry<Promise<OwnDomain[]>> | undefined;
  private readonly now: () => number;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly domains: OwnDomainReader,
    private readonly options: RealmServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** Throws InvalidRealmInputError for input that is neither an address nor a domain; never for endpoint trouble. */
  async resolve(emailOrDomain: string): Promise<RealmVerdict> {
    const parsed = parseRealmInput(emailOrDomain);
    if (!parsed.ok) throw new InvalidRealmInputError(parsed.problem);
    const { domain, email } = parsed.value;
    const deadline = this.now() + this.options.answerMs;
    const probe = this.probeFor(domain, email);
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - this.now()));
    });
    try {
      const ownReady = probe.ownDone.then(() => (probe.ownAnswerReady() ? undefined : new Promise<void>(() => undefined)));
      await Promise.race([probe.done, ownReady, timeUp]);
      let msa: MsaAnswer | undefined;
      if (email && this.kindOf(probe) === 'consumerOrUnknown' && probe.realm.state === 'ok') {
        msa =
          probe.msaAddress === email.address
            ? { answered: true, hasAccount: microsoftAccountFlag(probe.realm.value.MicrosoftAccount) }
            : await Promise.race([this.microsoftAccount(email), timeUp.then((): MsaAnswer => ({ answered: false }))]);
      }
      return this.verdict(domain, email, probe, msa);
    } finally {
      clearTimeout(timer);
    }
  }

  private probeFor(domain: DomainName, email: EmailAddress | undefined): Probe {
    const cached = this.probes.get(domain.ascii);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt > this.now())) return cached.value;
    const probe = new Probe();
    const entry: CacheEntry<Probe> = { value: probe };
    this.probes.set(domain.ascii, entry);
    probe.msaAddress = email?.address;
    probe.ownDone = this.findOwn(probe, domain);
    probe.done = Promise.all([probe.ownDone, this.findRealm(probe, domain, email), this.findTenant(probe, domain)]).then(() => {
      if (probe.complete()) entry.expiresAt = this.now() + this.options.cacheMs;
      else if (this.probes.get(domain.ascii) === entry) this.probes.delete(domain.ascii);
    });
    this.evictExpired();
    return probe;
  }

  private async findOwn(probe: Probe, domain: DomainName): Promise<void> {
    try {
      const own = (await this.ownDomainList()).find((d) => d.id === domain.ascii);
      if (!own || own.authenticationType !== 'Federated') {
        probe.own = { state: 'ok', value: { domain: own } };
        return;
      }
      const facts: OwnFacts = { domain: own, federation: { state: 'pending' } };
      probe.own = { state: 'ok', value: facts };
      try {
        facts.federation = { state: 'ok', value: await this.domains.federation(domain.ascii) };
      } catch (error) {
        facts.federation = { state: 'failed', reason: describeFailure(error, this.requestTimeoutMs) };
        this.options.onProblem?.('federationConfiguration', facts.federation.reason);
      }
    } catch (error) {
      probe.own = { state: 'failed', reason: describeFailure(error, this.requestTimeoutMs) };
      this.options.onProblem?.('domains', probe.own.reason);
    }
  }

  private ownDomainList(): Promise<OwnDomain[]> {
    const cached = this.ownDomains;
    if (cached && (cached.expiresAt === undefined || cached.expiresAt > this.now())) return cached.value;
    const value = this.domains.list();
    const entry: CacheEntry<Promise<OwnDomain[]>> = { value };
    this.ownDomains = entry;
    value.then(
      () => {
        entry.expiresAt = this.now() + this.options.cacheMs;
      },
      () => {
        if (this.ownDomains === entry) this.ownDomains = undefined;
      },
    );
    return value;
  }

  private async fetchJson(url: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.requestTimeoutMs) });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      throw new Error(`answered ${response.status} with something that is not JSON`);
    }
  }

  private userRealmUrl(login: string, checkMsa: boolean): string {
    return `${this.options.loginBaseUrl}/common/userrealm/${encodeURIComponent(login)}?api-version=2.1${checkMsa ? '&checkForMicrosoftAccount=true' : ''}`;
  }

  private async fetchUserRealm(login: string, checkMsa: boolean): Promise<UserRealm> {
    const { status, body } = await this.fetchJson(this.userRealmUrl(login, checkMsa));
    if (status !== 200) throw new Error(`answered ${status}`);
    const realm = UserRealmSchema.safeParse(body);
    if (!realm.success) throw new Error('answered with a realm I could not read');
    return realm.data;
  }

  private async findRealm(probe: Probe, domain: DomainName, email: EmailAddress | undefined): Promise<void> {
    try {
      probe.realm = { state: 'ok', value: await this.fetchUserRealm(email?.address ?? `someone@${domain.ascii}`, email !== undefined) };
      if (email) this.rememberMsa(email.address, Promise.resolve({ answered: true, hasAccount: microsoftAccountFlag(probe.realm.value.MicrosoftAccount) }));
    } catch (error) {
      probe.realm = { state: 'failed', reason: describeFailure(error, this.requestTimeoutMs) };
      this.options.onProblem?.('userrealm', probe.realm.reason);
    }
  }

  private async findTenant(probe: Probe, domain: DomainName): Promise<void> {
    try {
      const { status, body } = await this.fetchJson(`${this.options.loginBaseUrl}/${encodeURIComponent(domain.ascii)}/v2.0/.well-known/openid-configuration`);
      if (status === 200) {
        const issuer = OpenIdSchema.safeParse(body).data?.issuer;
        const tenantId = issuer ? TENANT_IN_ISSUER.exec(issuer)?.[1] : undefined;
        if (!tenantId) throw new Error('answered without a tenant id in its issuer');
        probe.tenant = { state: 'ok', value: tenantId.toLowerCase() };
        return;
      }
      const sts = StsErrorSchema.safeParse(body).data;
      if (status === 400 && (sts?.error === 'invalid_tenant' || sts?.error_codes?.includes(90002))) {
        probe.tenant = { state: 'ok', value: null };
        return;
      }
      throw new Error(`answered ${status}`);
    } catch (error) {
      probe.tenant = { state: 'failed', reason: describeFailure(error, this.requestTimeoutMs) };
      this.options.onProblem?.('openid-configuration', probe.tenant.reason);
    }
  }

  private rememberMsa(address: string, value: Promise<MsaAnswer>): void {
    const entry: CacheEntry<Promise<MsaAnswer>> = { value };
    this.msa.set(address, entry);
    void value.then((answer) => {
      if (!answer.answered) this.msa.delete(address);
      else entry.expiresAt = this.now() + this.options.cacheMs;
    });
  }

  /** Whether one address has a Microsoft account: asked per address, since the domain's cached answer cannot tell. */
  private microsoftAccount(email: EmailAddress): Promise<MsaAnswer> {
    const cached = this.msa.get(email.address);
    if (cached && (cached.expiresAt === undefined || cached.expiresAt > this.now())) return cached.value;
    const value = this.fetchUserRealm(email.address, true).then(
      (realm): MsaAnswer => ({ answered: true, hasAccount: microsoftAccountFlag(realm.MicrosoftAccount) }),
      (): MsaAnswer => ({ answered: false }),
    );
    this.rememberMsa(email.address, value);
    return value;
  }

  private evictExpired(): void {
    if (this.probes.size < 500) return;
    const now = this.now();
    for (const [key, entry] of this.probes) if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.probes.delete(key);
    for (const [key, entry] of this.msa) if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.msa.delete(key);
  }

  private kindOf(probe: Probe): RealmKind {
    if (probe.own.state === 'ok' && probe.own.value.domain) {
      return probe.own.value.domain.authenticationType === 'Federated' ? 'ownFederated' : 'ownManaged';
    }
    if (probe.realm.state === 'ok') {
      const realm = probe.realm.value;
      if (realm.NameSpaceType === 'Federated') return 'federated';
      if (realm.NameSpaceType === 'Managed' && !isViral(realm)) return 'managedTenant';
      return 'consumerOrUnknown';
    }
    if (probe.tenant.state === 'ok' && probe.tenant.value) return 'managedTenant';
    return 'consumerOrUnknown';
  }

  private verdict(domain: DomainName, email: EmailAddress | undefined, probe: Probe, msa: MsaAnswer | undefined): RealmVerdict {
    const microsoftAccount = msa?.hasAccount;
    const kind = this.kindOf(probe);
    const missing: string[] = [];
    const realm = probe.realm.state === 'ok' ? probe.realm.value : undefined;
    const tenantId = probe.tenant.state === 'ok' ? (probe.tenant.value ?? undefined) : undefined;
    const isOwn = kind === 'ownManaged' || kind === 'ownFederated';
    const why = (part: Part<unknown>): string => (part.state === 'failed' ? part.reason : `no answer within ${(this.options.answerMs / 1000).toString()} s`);

    if (probe.own.state !== 'ok') missing.push(`whether this is one of our own domains (Microsoft Graph: ${why(probe.own)})`);
    if (!isOwn && probe.realm.state !== 'ok') missing.push(`where Entra sends the sign-in (home realm discovery: ${why(probe.realm)})`);
    if ((kind === 'managedTenant' || kind === 'federated') && probe.tenant.state !== 'ok') {
      missing.push(`the organization's tenant id (openid-configuration: ${why(probe.tenant)})`);
    }
    const federationPart = probe.own.state === 'ok' ? probe.own.value.federation : undefined;
    const ownFederation = federationPart?.state === 'ok' ? federationPart.value : undefined;
    if (kind === 'ownFederated' && federationPart && federationPart.state !== 'ok') {
      missing.push(`our federation settings for this domain (Microsoft Graph: ${why(federationPart)})`);
    }
    if (msa && !msa.answered) {
      missing.push('whether this address has a Microsoft account');
    }

    const verdict: RealmVerdict = {
      domain: domain.unicode,
      ...(domain.unicode !== domain.ascii ? { asciiDomain: domain.ascii } : {}),
      kind,
      sentence: '',
      missing,
    };
    const brand = realm?.FederationBrandName ?? undefined;
    if (brand) verdict.organizationName = brand;
    if (tenantId) verdict.tenantId = tenantId;
    if (kind === 'federated' && realm) {
      verdict.federation = { brand, protocol: protocolName(realm.federation_protocol), idpHost: hostOf(realm.AuthURL) };
    }
    if (kind === 'ownFederated') {
      verdict.federation = {
        brand: ownFederation?.displayName ?? brand,
        protocol: protocolName(ownFederation?.preferredAuthenticationProtocol ?? realm?.federation_protocol),
        idpHost: hostOf(ownFederation?.passiveSignInUri) ?? hostOf(realm?.AuthURL),
      };
    }
    if (microsoftAccount !== undefined) verdict.microsoftAccount = microsoftAccount;
    verdict.sentence = sentenceFor(verdict, email, realm, probe.realm.state === 'ok' || isOwn);
    return verdict;
  }
}

function possessive(name: string): string {
  return name.endsWith('s') ? `${name}'` : `${name}'s`;
}

function isViral(realm: UserRealm): boolean {
  return realm.IsViral === true || (typeof realm.IsViral === 'string' && realm.IsViral.toLowerCase() === 'true');
}

/** The domain as people should read it, with the punycode form beside it so a look-alike domain shows. */
export function shownDomain(v: Pick<RealmVerdict, 'domain' | 'asciiDomain'>): string {
  return v.asciiDomain ? `${v.domain} (${v.asciiDomain})` : v.domain;
}

function sentenceFor(v: RealmVerdict, email: EmailAddress | undefined, realm: UserRealm | undefined, realmKnown: boolean): string {
  const who = email ? `${email.local}@${v.domain}` : `someone with an address in ${shownDomain(v)}`;
  const subject = email ? `A guest who signs in as ${who}` : 'A guest with an address in this domain';
  const org = v.organizationName ?? 'their organization';
  switch (v.kind) {
    case 'managedTenant':
      if (!realmKnown) {
        return `${shownDomain(v)} belongs to a Microsoft Entra tenant${v.tenantId ? ` (${v.tenantId})` : ''}. I could not check whether it sends sign-ins to its own identity provider.`;
      }
      return `${shownDomain(v)} belongs to ${possessive(org)} Microsoft Entra tenant${v.tenantId ? ` (${v.tenantId})` : ''}. ${subject} uses their own ${v.organizationName ?? 'work'} account; their organization's sign-in rules, such as MFA, apply.`;
    case 'federated': {
      const idp = v.federation?.idpHost ? ` at ${v.federation.idpHost}` : '';
      const protocol = v.federation?.protocol ? ` over ${v.federation.protocol}` : '';
      return `${shownDomain(v)} is federated: Entra sends the sign-in to ${possessive(org)} own identity provider${idp}${protocol}. ${subject} signs in there with their ${v.organizationName ?? 'organization'} account.`;
    }
    case 'consumerOrUnknown': {
      if (!realmKnown) {
        return `I could not find out where a sign-in for ${shownDomain(v)} goes: Entra's home realm discovery did not answer. Try again in a minute.`;
      }
      const viral = realm && isViral(realm) ? ' It only has an unmanaged (self-service) Entra directory, which no admin has taken over.' : '';
      const base = `${shownDomain(v)} has no Microsoft Entra organization of its own.${viral} A guest with this address redeems the invitation with a Microsoft account, or with an email one-time passcode if they have none.`;
      if (email && v.microsoftAccount === true) return `${base} ${who} has a Microsoft account, so they will sign in with it.`;
      if (email && v.microsoftAccount === false) return `${base} ${who} has no Microsoft account, so they will get a one-time passcode by email.`;
      return base;
    }
    case 'ownManaged':
      return `${shownDomain(v)} is one of our addresses: it is a managed domain of our own tenant. Someone with this address is one of our own users and signs in with their account here; they do not need an invitation.`;
    case 'ownFederated': {
      const idp = v.federation?.idpHost ? ` at ${v.federation.idpHost}` : '';
      const protocol = v.federation?.protocol ? ` (${v.federation.protocol})` : '';
      return `${shownDomain(v)} is one of our own domains, federated with our on-premises identity provider${idp}${protocol}. A partner who signs in with an email in this domain is sent to our IdP and signs in with the account we manage for them in Active Directory: this is how locally managed partners use their email as sign-in.`;
    }
  }
}
