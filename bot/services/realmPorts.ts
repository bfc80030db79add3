/**
 * What the realm service needs from outside: Entra's unauthenticated login endpoints and a clock. The HTTP adapter is
 * bot/adapters/loginEndpoints.ts; tests pass in-memory ones, which makes the answer budget and the cache testable without
 * a network or real time.
 */

/** Entra's userrealm v2.1 answer for one login, already read from the wire format. */
export interface UserRealmAnswer {
  namespace: 'Managed' | 'Federated' | 'Unknown';
  /** The organization's brand as Entra shows it on the sign-in page. */
  brandName?: string;
  /** As Entra spells it: wstrust, saml20, … */
  federationProtocol?: string;
  /** Where a federated sign-in is sent. */
  authUrl?: string;
  /** An unmanaged (self-service) directory that no admin has taken over. */
  viral: boolean;
  /** Only when asked with the Microsoft account check: whether the login has a Microsoft account. */
  microsoftAccount?: boolean;
}

export interface LoginEndpoints {
  /** Rejects when the endpoint did not answer, or answered something unreadable; the error's message says which. */
  userRealm(login: string, checkMicrosoftAccount: boolean): Promise<UserRealmAnswer>;
  /** The tenant id a domain belongs to (lower-case), or null when Entra says there is none. Rejects like userRealm. */
  tenantOf(domain: string): Promise<string | null>;
}

/** A login endpoint gave no answer within its request timeout. */
export class LoginEndpointTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'LoginEndpointTimeoutError';
  }
}

/** A timer that can be cancelled; its promise never rejects. */
export interface Timer {
  readonly elapsed: Promise<void>;
  cancel(): void;
}

/** The time, and timers, so that tests can move time on instead of waiting. */
export interface Clock {
  now(): number;
  timer(ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  timer(ms) {
    let handle: NodeJS.Timeout | undefined;
    const elapsed = new Promise<void>((resolve) => {
      handle = setTimeout(resolve, Math.max(0, ms));
    });
    return { elapsed, cancel: () => clearTimeout(handle) };
  },
};
