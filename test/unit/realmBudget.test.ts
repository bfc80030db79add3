import type { OwnDomain } from '../../bot/graph/domains';
import { RealmService, type OwnDomainReader } from '../../bot/services/realm';
import type { Clock, LoginEndpoints, Timer, UserRealmAnswer } from '../../bot/services/realmPorts';
import type { RealmVerdict } from '../../bot/services/realmVerdict';

/** Time that moves only when the test says so. */
class FakeClock implements Clock {
  private time = 1_000_000;
  private timers: { due: number; fire: () => void; cancelled: boolean }[] = [];
  now(): number {
    return this.time;
  }
  timer(ms: number): Timer {
    let fire: () => void = () => undefined;
    const elapsed = new Promise<void>((resolve) => {
      fire = resolve;
    });
    const entry = { due: this.time + ms, fire, cancelled: false };
    this.timers.push(entry);
    return { elapsed, cancel: () => void (entry.cancelled = true) };
  }
  get pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
  async advance(ms: number): Promise<void> {
    this.time += ms;
    for (const t of this.timers.filter((t) => t.due <= this.time)) t.fire();
    this.timers = this.timers.filter((t) => t.due > this.time);
    await settle();
  }
}

/** Lets every promise that can settle, settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

interface Pending<T> {
  what: string;
  resolve(value: T): void;
  reject(error: Error): void;
}

/** Login endpoints that answer only when the test releases a call, so "slow" is exact. */
class HeldLoginEndpoints implements LoginEndpoints {
  readonly calls: Pending<UserRealmAnswer | string | null>[] = [];
  userRealm(login: string, checkMicrosoftAccount: boolean): Promise<UserRealmAnswer> {
    return new Promise((resolve, reject) => {
      this.calls.push({ what: `userrealm ${login}${checkMicrosoftAccount ? ' +msa' : ''}`, resolve: (v) => resolve(v as UserRealmAnswer), reject });
    });
  }
  tenantOf(domain: string): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.calls.push({ what: `tenant ${domain}`, resolve: (v) => resolve(v as string | null), reject });
    });
  }
  /** Answers every open call as Fabrikam's managed tenant would. */
  answerAll(): void {
    for (const call of this.calls.splice(0)) {
      call.resolve(call.what.startsWith('tenant') ? FABRIKAM_TENANT : { namespace: 'Managed', brandName: 'Fabrikam', viral: false });
    }
  }
}

class OwnDomains implements OwnDomainReader {
  calls = 0;
  constructor(private readonly domains: OwnDomain[] = [{ id: 'contoso.com', authenticationType: 'Managed', isVerified: true }]) {}
  async list(): Promise<OwnDomain[]> {
    this.calls += 1;
    return this.domains;
  }
  async federation(): Promise<undefined> {
    return undefined;
  }
}

const FABRIKAM_TENANT = '2f6e8c14-3b5d-4e7a-9c1f-8a2b4d6e0f13';

function setUp(options: { answerMs?: number; cacheMs?: number } = {}) {
  const clock = new FakeClock();
  const login = new HeldLoginEndpoints();
  const domains = new OwnDomains();
  const problems: string[] = [];
  const realm = new RealmService(domains, login, {
    answerMs: options.answerMs ?? 2000,
    cacheMs: options.cacheMs ?? 60_000,
    clock,
    onProblem: (part, detail) => problems.push(`${part}: ${detail}`),
  });
  return { clock, login, domains, realm, problems };
}

/** Starts a question and reports whether it has been answered yet, without waiting for real time. */
function ask(realm: RealmService, q: string): { answered: () => RealmVerdict | undefined; verdict: Promise<RealmVerdict> } {
  let answer: RealmVerdict | undefined;
  const verdict = realm.resolve(q).then((v) => (answer = v));
  return { answered: () => answer, verdict };
}

describe('RealmService with a fake clock', () => {
  it('answers when the budget runs out with what is missing, not before, and a later question finds the late answers', async () => {
    const { clock, login, realm } = setUp({ answerMs: 2000 });
    const first = ask(realm, 'fabrikam.com');
    await settle();
    expect(login.calls.map((c) => c.what)).toEqual(['userrealm someone@fabrikam.com', 'tenant fabrikam.com']);

    await clock.advance(1999);
    expect(first.answered()).toBeUndefined();
    await clock.advance(1);
    const verdict = first.answered();
    expect(verdict?.kind).toBe('consumerOrUnknown');
    expect(verdict?.missing).toEqual(['where Entra sends the sign-in (home realm discovery: no answer within 2 s)']);

    login.answerAll();
    await settle();
    const second = await realm.resolve('fabrikam.com');
    expect(second).toMatchObject({ kind: 'managedTenant', organizationName: 'Fabrikam', tenantId: FABRIKAM_TENANT, missing: [] });
    expect(login.calls).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('answers as soon as everything is known, without waiting for the budget', async () => {
    const { login, realm, clock } = setUp({ answerMs: 2000 });
    const question = ask(realm, 'fabrikam.com');
    await settle();
    login.answerAll();
    await settle();
    expect(question.answered()?.missing).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reuses a complete answer for cacheMs and asks again after', async () => {
    const { clock, login, domains, realm } = setUp({ cacheMs: 10_000 });
    const first = ask(realm, 'a@fabrikam.com');
    await settle();
    login.answerAll();
    await first.verdict;

    await clock.advance(9_999);
    expect((await realm.resolve('b@fabrikam.com')).missing).toEqual([]);
    expect(login.calls).toHaveLength(0);

    await clock.advance(1);
    const again = ask(realm, 'fabrikam.com');
    await settle();
    expect(login.calls.map((c) => c.what)).toEqual(['userrealm someone@fabrikam.com', 'tenant fabrikam.com']);
    expect(domains.calls).toBe(2);
    login.answerAll();
    await again.verdict;
  });

  it('does not cache an answer with a failed part: the next question asks again', async () => {
    const { login, realm, problems } = setUp();
    const first = ask(realm, 'fabrikam.com');
    await settle();
    for (const call of login.calls.splice(0)) call.reject(new Error('answered 503'));
    const verdict = await first.verdict;
    expect(verdict.missing).toEqual(['where Entra sends the sign-in (home realm discovery: the request failed (answered 503))']);
    expect(problems).toEqual(['userrealm: the request failed (answered 503)', 'openid-configuration: the request failed (answered 503)']);

    const second = ask(realm, 'fabrikam.com');
    await settle();
    expect(login.calls).toHaveLength(2);
    login.answerAll();
    expect((await second.verdict).missing).toEqual([]);
  });

  it('shares one set of requests between concurrent questions about one domain', async () => {
    const { login, realm } = setUp();
    const questions = ['a@fabrikam.com', 'FABRIKAM.com', 'fabrikam.com'].map((q) => ask(realm, q));
    await settle();
    expect(login.calls).toHaveLength(2);
    login.answerAll();
    const verdicts = await Promise.all(questions.map((q) => q.verdict));
    expect(verdicts.map((v) => v.tenantId)).toEqual([FABRIKAM_TENANT, FABRIKAM_TENANT, FABRIKAM_TENANT]);
  });

  it('answers for one of our own domains from Graph alone while the login endpoints are still silent', async () => {
    const { login, realm } = setUp();
    const question = ask(realm, 'someone@contoso.com');
    await settle();
    expect(question.answered()).toMatchObject({ kind: 'ownManaged', missing: [] });
    expect(login.calls).toHaveLength(2);
    login.answerAll();
  });
});
