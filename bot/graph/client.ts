import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type Context,
  type FetchOptions,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { Config } from '../config';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/**
 * Builds the app-only credential for Graph. A custom login host (the sandbox, or a sovereign cloud) is used as the authority
 * with instance discovery off, which is the same code path production takes against login.microsoftonline.com.
 */
export function createGraphCredential(graph: Config['graph']): TokenCredential {
  const authority = graph.customAuthority ? { authorityHost: graph.loginBaseUrl, disableInstanceDiscovery: true } : {};
  const c = graph.credential;
  switch (c.kind) {
    case 'secret':
      return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, authority);
    case 'certificate':
      return new ClientCertificateCredential(
        c.tenantId,
        c.clientId,
        { certificatePath: c.certificatePath, certificatePassword: c.certificatePassword },
        authority,
      );
    case 'managedIdentity':
      return c.clientId ? new ManagedIdentityCredential({ clientId: c.clientId }) : new ManagedIdentityCredential();
  }
}

/**
 * How long one Graph request may take, retries included. A chat turn answers within its budget and finishes its deferred
 * work within Teams' ~15 s, so no single request may wait longer than that; a job that needs more time schedules its own
 * retry from the Retry-After it is given.
 */
export interface GraphRequestBounds {
  /** Every attempt of one request, and the waits between them, end within this time. */
  totalMs: number;
  /** One attempt (connection, headers and body) is abandoned after this time. */
  attemptMs: number;
  /** Retries after 429, 503 or 504, each only when its wait (Retry-After or back-off) still fits in `totalMs`. */
  maxRetries: number;
  /** Back-off without Retry-After, in seconds, as the SDK's RetryHandler counts it (it doubles per attempt). */
  baseDelaySeconds: number;
}

export const DEFAULT_GRAPH_BOUNDS: GraphRequestBounds = { totalMs: 10_000, attemptMs: 8_000, maxRetries: 3, baseDelaySeconds: 1 };

/** Time an attempt needs at least for a retry to be worth sending. */
const LEAST_USEFUL_ATTEMPT_MS = 500;

/** The SDK's RetryHandler wait for attempt `attempt` (1-based) without Retry-After, at its largest (randomness included). */
function backOffSeconds(attempt: number, baseDelaySeconds: number): number {
  const exponential = attempt >= 2 ? Math.round((2 ** attempt - 1) / 2) : 0;
  return exponential + baseDelaySeconds + 1;
}

/** Retry-After in seconds as the SDK's RetryHandler reads it (seconds or an HTTP date), or undefined without one. */
function retryAfterSeconds(response: Response, now: number): number | undefined {
  const value = response.headers?.get('Retry-After');
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/**
 * Bounds each Graph request in time. It sits after the SDK's RetryHandler, so it sees every attempt: the first one starts
 * the request's deadline, and each attempt gets an abort signal for what is left of it (at most `attemptMs`). The
 * RetryHandler asks `shouldRetry` before it sleeps, and a retry whose wait would not leave a useful attempt before the
 * deadline is not made: the 429 or 503 is answered as it is, and the caller reports it (or, in a job, waits its Retry-After).
 */
export class GraphDeadlines implements Middleware {
  private next: Middleware | undefined;
  /** The deadline of each request in flight, keyed by the fetch options object the SDK keeps for all of its attempts. */
  private readonly deadlines = new WeakMap<object, number>();

  constructor(
    private readonly bounds: GraphRequestBounds,
    private readonly now: () => number = Date.now,
  ) {}

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('GraphDeadlines must not be the last middleware');
    context.options ??= {};
    const deadline = this.deadlineOf(context.options);
    const left = Math.max(1, Math.min(this.bounds.attemptMs, deadline - this.now()));
    context.options.signal = AbortSignal.timeout(left);
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }

  /** For RetryHandlerOptions: retry only when the wait and a useful attempt still fit before the request's deadline. */
  readonly shouldRetry = (_delay: number, attempt: number, _request: unknown, options: FetchOptions | undefined, response: Response): boolean => {
    const now = this.now();
    const deadline = options ? this.deadlines.get(options) : undefined;
    if (deadline === undefined) return false;
    const waitSeconds = retryAfterSeconds(response, now) ?? backOffSeconds(attempt + 1, this.bounds.baseDelaySeconds);
    return now + waitSeconds * 1000 + LEAST_USEFUL_ATTEMPT_MS <= deadline;
  };

  private deadlineOf(options: object): number {
    const known = this.deadlines.get(options);
    if (known !== undefined) return known;
    const deadline = this.now() + this.bounds.totalMs;
    this.deadlines.set(options, deadline);
    return deadline;
  }
}

/**
 * The Graph client: the SDK's default chain (auth, retry honouring Retry-After on 429/503/504, redirect, telemetry), with
 * the retries and every attempt bounded in time by GraphDeadlines. customHosts lets the auth middleware attach the bearer
 * token to a non-Microsoft host such as the sandbox.
 */
export function createGraphClient(graph: Config['graph'], credential: TokenCredential, bounds: GraphRequestBounds = DEFAULT_GRAPH_BOUNDS): Client {
  const deadlines = new GraphDeadlines(bounds);
  return Client.initWithMiddleware({
    baseUrl: `${graph.baseUrl}/`,
    customHosts: new Set([new URL(graph.baseUrl).hostname]),
    middleware: [
      new AuthenticationHandler(new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] })),
      new RetryHandler(new RetryHandlerOptions(bounds.baseDelaySeconds, bounds.maxRetries, deadlines.shouldRetry)),
      deadlines,
      new RedirectHandler(new RedirectHandlerOptions()),
      new TelemetryHandler(),
      new HTTPMessageHandler(),
    ],
  });
}
