import type { OwnDomain, OwnFederation } from '../graph/domains';
import { LoginEndpointTimeoutError, systemClock, type Clock, type LoginEndpoints, type UserRealmAnswer } from './realmPorts';
import type { RealmLookup, RealmVerdict } from './realmVerdict';
import { kindOf, verdictFor, type MsaAnswer, type OwnFacts, type Part, type RealmParts } from './realmVerdicts';
import { parseRealmInput, type DomainName, type EmailAddress } from './userRef';

/** Our own domains, from Graph. GraphDomains implements it; tests may pass an in-memory one. */
export interface OwnDomainReader {
  list(): Promise<OwnDomain[]>;
  federation(domain: string): Promise<OwnFederation | undefined>;
}

export interface RealmServiceOptions {
  /** How long a complete answer for a domain is reused. */
  cacheMs: number;
  /** The answer is given within this time with what is known; slower parts are listed as missing. */
  answerMs: number;
  /** For an operator's log: a part that failed, and why. */
  onProblem?: (part: string, detail: string) => void;
  clock?: Clock;
}

export class InvalidRealmInputError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'InvalidRealmInputError';
  }
}

/** What is being found out about one domain. Parts fill in as answers arrive; the verdict reads whatever is there. */
class Probe implements RealmParts {
  own: Part<OwnFacts> = { state: 'pending' };
  realm: Part<UserRealmAnswer> = { state: 'pending' };
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

interface CacheEntry<T> {
  value: T;
  expiresAt?: number;
}

function describeFailure(error: unknown): string {
  if (error instanceof LoginEndpointTimeoutError) return error.message;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  if (error instanceof Error && error.name === 'DirectoryUnavailableError') return error.message;
  return error instanceof Error ? `the request failed (${error.message})` : 'the request failed';
}

/**
 * Home realm discovery for an address or domain: Entra's userrealm and the domain's tenant (through the login endpoints
 * port), and our own domains and their federation from Graph. Answers are cached per domain and concurrent lookups of one
 * domain share the same requests. An answer is always given within `answerMs`: what is not known by then is listed in
 * `missing`, and the requests keep running so that the next question finds them in the cache.
 */
export class RealmService implements RealmLookup {
  private readonly probes = new Map<string, CacheEntry<Probe>>();
  private readonly msa = new Map<string, CacheEntry<Promise<MsaAnswer>>>();
  private ownDomains: CacheEntry<Promise<OwnDomain[]>> | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly domains: OwnDomainReader,
    private readonly login: LoginEndpoints,
    private readonly options: RealmServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  private now(): number {
    return this.clock.now();
  }

  /** Throws InvalidRealmInputError for input that is neither an address nor a domain; never for endpoint trouble. */
  async resolve(emailOrDomain: string): Promise<RealmVerdict> {
    const parsed = parseRealmInput(emailOrDomain);
    if (!parsed.ok) throw new InvalidRealmInputError(parsed.problem);
    const { domain, email } = parsed.value;
    const probe = this.probeFor(domain, email);
    const budget = this.clock.timer(this.options.answerMs);
    try {
      const ownReady = probe.ownDone.then(() => (probe.ownAnswerReady() ? undefined : new Promise<void>(() => undefined)));
      await Promise.race([probe.done, ownReady, budget.elapsed]);
      let msa: MsaAnswer | undefined;
      if (email && kindOf(probe) === 'consumerOrUnknown' && probe.realm.state === 'ok') {
        msa =
          probe.msaAddress === email.address
            ? { answered: true, hasAccount: probe.realm.value.microsoftAccount }
            : await Promise.race([this.microsoftAccount(email), budget.elapsed.then((): MsaAnswer => ({ answered: false }))]);
      }
      return verdictFor(domain, email, probe, msa, this.options.answerMs);
    } finally {
      budget.cancel();
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
        facts.federation = { state: 'failed', reason: describeFailure(error) };
        this.options.onProblem?.('federationConfiguration', facts.federation.reason);
      }
    } catch (error) {
      probe.own = { state: 'failed', reason: describeFailure(error) };
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

  private async findRealm(probe: Probe, domain: DomainName, email: EmailAddress | undefined): Promise<void> {
    try {
      probe.realm = { state: 'ok', value: await this.login.userRealm(email?.address ?? `someone@${domain.ascii}`, email !== undefined) };
      if (email) this.rememberMsa(email.address, Promise.resolve({ answered: true, hasAccount: probe.realm.value.microsoftAccount }));
    } catch (error) {
      probe.realm = { state: 'failed', reason: describeFailure(error) };
      this.options.onProblem?.('userrealm', probe.realm.reason);
    }
  }

  private async findTenant(probe: Probe, domain: DomainName): Promise<void> {
    try {
      probe.tenant = { state: 'ok', value: await this.login.tenantOf(domain.ascii) };
    } catch (error) {
      probe.tenant = { state: 'failed', reason: describeFailure(error) };
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
    const value = this.login.userRealm(email.address, true).then(
      (realm): MsaAnswer => ({ answered: true, hasAccount: realm.microsoftAccount }),
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
}
