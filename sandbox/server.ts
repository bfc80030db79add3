import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { FaultInjector, FaultRuleSchema, type FaultRule } from './faults';
import type { Fixture } from './fixture';
import type { GraphContext } from './graph/directory';
import { InvitationSettingsSchema, redeemInvitation, setInvitationSettings, type InvitationSettings } from './graph/invitations';
import type { GraphCall } from './graph/odata';
import { displayPath, errorResult, serveBatch, serveOne, type PipelineDeps } from './graph/pipeline';
import { GRAPH_JSON, GraphHttpError, defaultErrorFor, lowerHeaders, newRequestId, readBody, send, sleep, type HeaderMap } from './http';
import { openIdConfiguration, signingKeys, stsError, token, userRealm, type LoginContext, type LoginResult } from './login/endpoints';
import { TokenStore } from './login/tokens';
import { SandboxState } from './state';
import { StatsRecorder, type SandboxStats } from './stats';
import { TokenBucketThrottle, ThrottleOptionsSchema, type ThrottleOptions } from './throttle';
import { ensureSandboxTls } from './tls';

export type { FaultRule } from './faults';
export type { ThrottleOptions } from './throttle';
export type { SandboxStats, GraphRequestRecord, LoginRequestRecord } from './stats';
export { SandboxState } from './state';

/** The app registration the sandbox accepts: the bot uses it wherever it would use its real Entra app. */
export const SANDBOX_CLIENT_ID = '2b1ad4c3-8f5e-4c6a-9d7b-0e3f1a2b5c8d';
export const SANDBOX_CLIENT_SECRET = 'sandbox-secret';

export interface SandboxOptions {
  /** An already validated fixture (see loadFixture). */
  fixture: Fixture;
  /** Where the sandbox CA and server certificate live (created on first use). */
  tlsDir: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** The accepted client id; default SANDBOX_CLIENT_ID. */
  clientId?: string;
  /** The accepted client secret; default SANDBOX_CLIENT_SECRET. */
  clientSecret?: string;
  /** Access token lifetime in seconds; default 3599, as Entra issues. */
  tokenLifetimeSeconds?: number;
  /** Identity-and-access throttling; off unless given. */
  throttle?: ThrottleOptions;
  /** Fault injection rules, tried in order. */
  faults?: FaultRule[];
  /** POST /invitations switches, such as when the anti-abuse 403 starts (see graph/invitations.ts). */
  invitations?: InvitationSettings;
  /** How long a guest created by POST /invitations stays invisible to reads and references; 0 (off) unless given. */
  replicationLagMs?: number;
}

export interface RunningSandbox {
  /** https://127.0.0.1:PORT: serves /v1.0, /beta, the login endpoints and /_sandbox control. */
  url: string;
  tenantId: string;
  caCertPath: string;
  /** Counts since start or the last reset. */
  stats(): SandboxStats;
  resetStats(): void;
  setFaults(rules: FaultRule[]): void;
  setThrottle(t: ThrottleOptions | undefined): void;
  /** Changes the replication lag for objects created from now on and for those still replicating. */
  setReplicationLag(ms: number): void;
  /** The live in-memory directory, for assertions. */
  state: SandboxState;
  /** Replaces the POST /invitations switches and lifts a tripped anti-abuse block. */
  setInvitations(settings: InvitationSettings): void;
  /** Moves a guest (by object id or email) from PendingAcceptance to Accepted, as redeeming the invitation would. */
  redeemInvitation(userIdOrEmail: string): void;
  close(): Promise<void>;
}

const CONTROL_PREFIX = '_sandbox';

function segmentsOf(pathname: string): string[] {
  return pathname.split('/').filter((s, i, all) => s.length > 0 || (i > 0 && i < all.length - 1));
}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new GraphHttpError(400, 'BadRequest', `The request URI is not valid: bad percent-encoding in '${raw}'.`);
  }
}

function parseJsonBody(buf: Buffer, headers: HeaderMap): unknown {
  if (buf.length === 0) return undefined;
  const type = headers['content-type'] ?? '';
  if (type && !type.toLowerCase().includes('json')) return buf.toString('utf8');
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new GraphHttpError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
}

function bearerOf(headers: HeaderMap): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers['authorization'] ?? '');
  return m?.[1];
}

const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/** Starts the sandbox on 127.0.0.1 over HTTPS with a certificate signed by the CA in `tlsDir`. */
export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const tls = ensureSandboxTls(options.tlsDir);
  const state = new SandboxState(options.fixture);
  const stats = new StatsRecorder();
  const faults = new FaultInjector(options.faults ?? []);
  const tokens = new TokenStore();
  let throttle = options.throttle ? new TokenBucketThrottle(ThrottleOptionsSchema.parse(options.throttle)) : undefined;
  const graphCtx: GraphContext = { state, baseUrl: '' };
  const loginCtx: LoginContext = {
    state,
    baseUrl: '',
    clientId: options.clientId ?? SANDBOX_CLIENT_ID,
    clientSecret: options.clientSecret ?? SANDBOX_CLIENT_SECRET,
    tokens,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
  };
  const deps: PipelineDeps = { ctx: graphCtx, faults, throttle: () => throttle, stats };
  setInvitationSettings(state, options.invitations ?? {});
  state.replicationLagMs = options.replicationLagMs ?? 0;

  const setFaults = (rules: FaultRule[]): void => faults.set(rules);
  const setThrottle = (t: ThrottleOptions | undefined): void => {
    throttle = t ? new TokenBucketThrottle(ThrottleOptionsSchema.parse(t)) : undefined;
  };

  async function handleGraph(req: IncomingMessage, res: ServerResponse, url: URL, rawSegments: string[], headers: HeaderMap): Promise<void> {
    const version = rawSegments[0] === 'beta' ? 'beta' : 'v1.0';
    const requestId = newRequestId();
    const clientRequestId = headers['client-request-id'] ?? requestId;
    const ids = { 'request-id': requestId, 'client-request-id': clientRequestId };
    const method = (req.method ?? 'GET').toUpperCase();
    const segments = rawSegments.slice(1).map(decodeSegment);
    const bodyBuf = await readBody(req);
    const bare: GraphCall = { method, version, segments, query: url.searchParams, headers, body: undefined };

    const reject = (status: number, code: string, message: string, extra: HeaderMap = {}): void => {
      stats.graph({ method, path: displayPath(bare), status, ru: 0, writes: 0, refused: 'unauthenticated' }, segments[0] === '$batch');
      const result = errorResult(status, code, message, requestId, clientRequestId, extra);
      send(res, status, result.body, { ...ids, ...extra }, GRAPH_JSON);
    };
    const token = bearerOf(headers);
    if (!token) return reject(401, 'InvalidAuthenticationToken', 'Access token is empty.', { 'www-authenticate': WWW_AUTHENTICATE });
    const grant = tokens.check(token);
    if (grant === undefined) {
      return reject(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format.', { 'www-authenticate': WWW_AUTHENTICATE });
    }
    if (grant === 'expired') return reject(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.', { 'www-authenticate': WWW_AUTHENTICATE });

    let body: unknown;
    try {
      body = parseJsonBody(bodyBuf, headers);
    } catch (err) {
      const e = err instanceof GraphHttpError ? err : new GraphHttpError(400, 'BadRequest', 'Invalid request body.');
      stats.graph({ method, path: displayPath(bare), status: e.status, ru: 0, writes: 0 }, false);
      const result = errorResult(e.status, e.code, e.message, requestId, clientRequestId);
      return send(res, e.status, result.body, ids, GRAPH_JSON);
    }
    const call: GraphCall = { ...bare, body };
    const result =
      segments.length === 1 && segments[0] === '$batch' ? await serveBatch(deps, call, grant) : await serveOne(deps, call, grant, false);
    const outHeaders = { ...(result.headers ?? {}) };
    const contentType = outHeaders['content-type'] ?? GRAPH_JSON;
    delete outHeaders['content-type'];
    send(res, result.status, result.body, outHeaders, contentType);
  }

  async function handleLogin(req: IncomingMessage, res: ServerResponse, url: URL, segments: string[]): Promise<boolean> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = safeDecode(url.pathname) + (url.search ? safeDecode(url.search.replace(/\+/g, ' ')) : '');
    const [first, second, third, fourth] = segments;
    let handler: (() => LoginResult) | undefined;
    if (first?.toLowerCase() === 'common' && second?.toLowerCase() === 'userrealm' && method === 'GET') {
      const user = third !== undefined ? safeDecode(third) : url.searchParams.get('user');
      handler = () => (user ? userRealm(loginCtx, user, url.searchParams) : stsError(400, 'invalid_request', 90014, "The required field 'user' is missing from the request."));
    } else if (first && second === 'v2.0' && third === '.well-known' && fourth === 'openid-configuration' && segments.length === 4 && method === 'GET') {
      handler = () => openIdConfiguration(loginCtx, safeDecode(first));
    } else if (first && second === 'discovery' && third === 'v2.0' && fourth === 'keys' && segments.length === 4 && method === 'GET') {
      handler = () => signingKeys(loginCtx, safeDecode(first));
    } else if (first && second === 'oauth2' && third === 'v2.0' && fourth === 'token' && segments.length === 4) {
      if (method !== 'POST') {
        handler = () => stsError(400, 'invalid_request', 900561, 'The endpoint only accepts POST requests. Received a GET request.');
      } else {
        const form = new URLSearchParams((await readBody(req)).toString('utf8'));
        handler = () => token(loginCtx, safeDecode(first), form);
      }
    }
    if (!handler) return false;
    const match = faults.evaluate('login', method, path, false);
    if (match.latencyMs > 0) await sleep(match.latencyMs);
    if (match.fault) {
      const { status, retryAfterSeconds, body } = match.fault;
      stats.login({ method, path, status }, true, false);
      const fallback = stsError(status, status === 429 ? 'temporarily_unavailable' : 'server_error', status === 429 ? 50196 : 90033, defaultErrorFor(status).message);
      send(res, status, body ?? fallback.body, retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {});
      return true;
    }
    const result = handler();
    stats.login({ method, path, status: result.status }, false, result.tokenIssued === true);
    send(res, result.status, result.body, { 'x-ms-request-id': newRequestId() });
    return true;
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, segments: string[]): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const route = `${method} /${segments.join('/')}`;
    const readJson = async (): Promise<unknown> => {
      const buf = await readBody(req);
      if (buf.length === 0) return undefined;
      try {
        return JSON.parse(buf.toString('utf8'));
      } catch {
        throw new GraphHttpError(400, 'BadRequest', 'The body is not JSON.');
      }
    };
    const invalid = (error: z.ZodError): void => send(res, 400, { error: { code: 'BadRequest', message: z.prettifyError(error) } });
    switch (route) {
      case 'GET /_sandbox/health':
        return send(res, 200, { status: 'ok', tenantId: state.tenant.id });
      case 'GET /_sandbox/stats':
        return send(res, 200, stats.snapshot());
      case 'POST /_sandbox/stats/reset':
        stats.reset();
        return send(res, 204, undefined);
      case 'GET /_sandbox/faults':
        return send(res, 200, faults.list());
      case 'POST /_sandbox/faults': {
        const parsed = z.array(FaultRuleSchema).safeParse((await readJson()) ?? []);
        if (!parsed.success) return invalid(parsed.error);
        setFaults(parsed.data);
        return send(res, 200, faults.list());
      }
      case 'GET /_sandbox/throttle':
        return send(res, 200, throttle?.options ?? null);
      case 'POST /_sandbox/throttle': {
        const body = await readJson();
        if (body === undefined || body === null) {
          setThrottle(undefined);
          return send(res, 200, null);
        }
        const parsed = ThrottleOptionsSchema.safeParse(body);
        if (!parsed.success) return invalid(parsed.error);
        setThrottle(parsed.data);
        return send(res, 200, parsed.data);
      }
      case 'POST /_sandbox/invitations': {
        const parsed = InvitationSettingsSchema.safeParse((await readJson()) ?? {});
        if (!parsed.success) return invalid(parsed.error);
        setInvitationSettings(state, parsed.data);
        return send(res, 200, parsed.data);
      }
      case 'POST /_sandbox/invitations/redeem': {
        const parsed = z.strictObject({ user: z.string().min(1) }).safeParse(await readJson());
        if (!parsed.success) return invalid(parsed.error);
        const user = redeemInvitation(state, parsed.data.user);
        return send(res, 200, { id: user.id, externalUserState: user.externalUserState, externalUserStateChangeDateTime: user.externalUserStateChangeDateTime });
      }
      default:
        return send(res, 404, { error: { code: 'NotFound', message: `No sandbox control endpoint ${route}.` } });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', graphCtx.baseUrl || 'https://127.0.0.1');
    const rawSegments = segmentsOf(url.pathname);
    const headers = lowerHeaders(req);
    const first = rawSegments[0];
    if (first === 'v1.0' || first === 'beta') {
      const finished = stats.graphStarted();
      res.once('close', finished);
      try {
        return await handleGraph(req, res, url, rawSegments, headers);
      } finally {
        finished();
      }
    }
    if (first === CONTROL_PREFIX) return handleControl(req, res, rawSegments);
    if (await handleLogin(req, res, url, rawSegments)) return;
    send(res, 404, { error: { code: 'NotFound', message: `The sandbox serves nothing at ${url.pathname}.` } });
  }

  const server = https.createServer({ key: tls.serverKeyPem, cert: tls.serverCertPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof GraphHttpError ? err : undefined;
      const id = newRequestId();
      if (!res.headersSent) {
        send(res, e?.status ?? 500, errorResult(e?.status ?? 500, e?.code ?? 'UnknownError', e?.message ?? (err instanceof Error ? err.message : String(err)), id, id).body);
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `https://127.0.0.1:${port}`;
  graphCtx.baseUrl = url;
  loginCtx.baseUrl = url;

  let closing: Promise<void> | undefined;
  return {
    url,
    tenantId: state.tenant.id,
    caCertPath: tls.caCertPath,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setFaults,
    setThrottle,
    setReplicationLag: (ms: number) => {
      state.replicationLagMs = ms;
    },
    state,
    setInvitations: (settings) => setInvitationSettings(state, settings),
    redeemInvitation: (userIdOrEmail) => {
      redeemInvitation(state, userIdOrEmail);
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
