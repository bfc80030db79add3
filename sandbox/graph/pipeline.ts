import { GRAPH_JSON, GraphHttpError, defaultErrorFor, graphErrorBody, isRecord, newRequestId, sleep, type HeaderMap } from '../http';
import type { FaultInjector } from '../faults';
import type { IssuedToken } from '../login/tokens';
import type { StatsRecorder } from '../stats';
import type { TokenBucketThrottle } from '../throttle';
import { costOf } from './cost';
import { insufficientPrivileges, unmetRequirement } from './permissions';
import type { GraphContext } from './directory';
import type { GraphCall, GraphResult } from './odata';
import { routeGraph } from './router';

export interface PipelineDeps {
  ctx: GraphContext;
  faults: FaultInjector;
  throttle: () => TokenBucketThrottle | undefined;
  stats: StatsRecorder;
}

export const MAX_BATCH_REQUESTS = 20;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** How a request shows up in stats and fault matching: decoded, version first, query kept. */
export function displayPath(call: GraphCall): string {
  const query = [...call.query].map(([k, v]) => `${k}=${v}`).join('&');
  return `/${[call.version, ...call.segments].join('/')}${query ? `?${query}` : ''}`;
}

export function errorResult(status: number, code: string, message: string, requestId: string, clientRequestId: string, headers: HeaderMap = {}): GraphResult {
  return { status, body: graphErrorBody(code, message, requestId, clientRequestId), headers };
}

function withIds(result: GraphResult, requestId: string, clientRequestId: string): GraphResult {
  return { ...result, headers: { ...(result.headers ?? {}), 'request-id': requestId, 'client-request-id': clientRequestId } };
}

/**
 * Serves one Graph request or one batch item: injected faults first, then the app+tenant token bucket, then the token's
 * `roles` against the endpoint's documented permission (403 Authorization_RequestDenied), then the handler. Every outcome is
 * recorded with the resource units it was charged.
 */
export async function serveOne(deps: PipelineDeps, call: GraphCall, grant: IssuedToken, batchItem: boolean): Promise<GraphResult> {
  const requestId = newRequestId();
  const clientRequestId = call.headers['client-request-id'] ?? requestId;
  const path = displayPath(call);
  const record = (status: number, ru: number, writes: number, refused?: 'throttled' | 'fault'): void => {
    deps.stats.graph({ method: call.method, path, status, ru, writes, ...(batchItem ? { batchItem: true } : {}), ...(refused ? { refused } : {}) }, false);
  };

  const match = deps.faults.evaluate('graph', call.method, path, batchItem);
  if (match.latencyMs > 0) await sleep(match.latencyMs);
  if (match.fault) {
    const { status, retryAfterSeconds, body } = match.fault;
    const fallback = defaultErrorFor(status);
    const headers: HeaderMap = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
    record(status, 0, 0, 'fault');
    return withIds({ status, body: body ?? graphErrorBody(fallback.code, fallback.message, requestId, clientRequestId), headers }, requestId, clientRequestId);
  }

  const cost = costOf(call);
  const throttle = deps.throttle();
  const headers: HeaderMap = {};
  if (throttle) {
    const decision = throttle.take(`${grant.appId}/${grant.tenantId}`.toLowerCase(), cost.ru, cost.writes);
    if (!decision.allowed) {
      record(429, 0, 0, 'throttled');
      return withIds(
        errorResult(
          429,
          'TooManyRequests',
          `Too many requests from Identifier:${grant.appId}+${grant.tenantId} under category:throttle.aad.ags.tenant_application. Please try again later.`,
          requestId,
          clientRequestId,
          {
            'retry-after': decision.retryAfterHeader,
            'x-ms-throttle-scope': `Tenant_Application/${cost.writes > 0 ? 'Write' : 'ReadWrite'}/${grant.appId}/${grant.tenantId}`,
            'x-ms-throttle-information': decision.reason,
          },
        ),
        requestId,
        clientRequestId,
      );
    }
    if (decision.usedFraction >= 0.8) headers['x-ms-throttle-limit-percentage'] = decision.usedFraction.toFixed(1);
  }

  let result: GraphResult;
  try {
    if (unmetRequirement(new Set(grant.roles), call)) throw insufficientPrivileges();
    result = routeGraph(deps.ctx, call);
  } catch (err) {
    if (err instanceof GraphHttpError) {
      result = errorResult(err.status, err.code, err.message, requestId, clientRequestId, err.headers);
    } else {
      const message = err instanceof Error ? err.message : String(err);
      result = errorResult(500, 'UnknownError', `Sandbox handler failed: ${message}`, requestId, clientRequestId);
    }
  }
  headers['x-ms-resource-unit'] = String(cost.ru);
  record(result.status, cost.ru, cost.writes);
  return withIds({ ...result, headers: { ...(result.headers ?? {}), ...headers } }, requestId, clientRequestId);
}

/** Batch items carry headers with Graph's own capitalisation, which the SDK's BatchResponseContent relies on. */
function batchItemHeaders(headers: HeaderMap): HeaderMap {
  const names: Record<string, string> = { 'content-type': 'Content-Type', 'retry-after': 'Retry-After', 'cache-control': 'Cache-Control' };
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [names[k] ?? k, v]));
}

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers: HeaderMap;
  body: unknown;
  dependsOn: string[];
}

function parseBatchItems(body: unknown): BatchItem[] {
  const invalid = (message: string): GraphHttpError => new GraphHttpError(400, 'BadRequest', message);
  const requests = isRecord(body) ? body.requests : undefined;
  if (!Array.isArray(requests)) throw invalid('Invalid batch payload format.');
  if (requests.length === 0) throw invalid('Invalid batch payload format: the batch contains no requests.');
  if (requests.length > MAX_BATCH_REQUESTS) {
    throw invalid(`Invalid batch payload: the number of requests (${requests.length}) exceeds the maximum of ${MAX_BATCH_REQUESTS} allowed in a batch.`);
  }
  const ids = new Set<string>();
  const items = requests.map((raw: unknown): BatchItem => {
    if (!isRecord(raw)) throw invalid('Invalid batch payload format.');
    const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id) : undefined;
    if (!id) throw invalid('Invalid batch payload format: every request needs an id.');
    if (ids.has(id)) throw invalid(`Batch request contains duplicate request id '${id}'.`);
    ids.add(id);
    if (typeof raw.method !== 'string' || typeof raw.url !== 'string') throw invalid(`Invalid batch payload format: request '${id}' needs a method and a url.`);
    const headers: HeaderMap = {};
    if (isRecord(raw.headers)) for (const [k, v] of Object.entries(raw.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    const dependsOn = Array.isArray(raw.dependsOn) ? raw.dependsOn.map((d: unknown) => String(d)) : [];
    return { id, method: raw.method.toUpperCase(), url: raw.url, headers, body: raw.body, dependsOn };
  });
  for (const item of items) {
    for (const dep of item.dependsOn) {
      if (!ids.has(dep)) throw invalid(`Request '${item.id}' depends on '${dep}', which is not in the batch.`);
    }
  }
  const byId = new Map(items.map((i) => [i.id, i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') throw invalid(`Batch request '${id}' has a circular dependency.`);
    state.set(id, 'visiting');
    for (const dep of byId.get(id)?.dependsOn ?? []) visit(dep);
    state.set(id, 'done');
  };
  for (const item of items) visit(item.id);
  return items;
}

function callFromItem(item: BatchItem, version: GraphCall['version']): GraphCall | GraphHttpError {
  if (/^[a-z][a-z0-9+.-]*:/i.test(item.url)) return new GraphHttpError(400, 'BadRequest', `Invalid request URL '${item.url}': batch request URLs must be relative.`);
  const parsed = new URL(item.url.startsWith('/') ? item.url : `/${item.url}`, 'https://batch.invalid');
  const raw = parsed.pathname.split('/').filter((s) => s.length > 0).map(safeDecode);
  let itemVersion = version;
  if (raw[0] === 'v1.0' || raw[0] === 'beta') {
    itemVersion = raw[0];
    raw.shift();
  }
  if (item.body !== undefined && !item.headers['content-type']) {
    return new GraphHttpError(400, 'BadRequest', `Write request id : ${item.id} does not contain Content-Type header or body.`);
  }
  return { method: item.method, version: itemVersion, segments: raw, query: parsed.searchParams, headers: item.headers, body: item.body };
}

/**
 * POST /$batch: each item is served on its own (own faults, own throttling, own status and headers); an item whose
 * dependency did not succeed gets 424 without running. The envelope is 200 whenever it is well formed.
 */
export async function serveBatch(deps: PipelineDeps, envelope: GraphCall, grant: IssuedToken): Promise<GraphResult> {
  const requestId = newRequestId();
  const clientRequestId = envelope.headers['client-request-id'] ?? requestId;
  const path = displayPath(envelope);
  const match = deps.faults.evaluate('graph', envelope.method, path, false);
  if (match.latencyMs > 0) await sleep(match.latencyMs);
  if (match.fault) {
    const { status, retryAfterSeconds, body } = match.fault;
    const fallback = defaultErrorFor(status);
    deps.stats.graph({ method: envelope.method, path, status, ru: 0, writes: 0, refused: 'fault' }, true);
    const headers: HeaderMap = retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {};
    return withIds({ status, body: body ?? graphErrorBody(fallback.code, fallback.message, requestId, clientRequestId), headers }, requestId, clientRequestId);
  }
  if (envelope.method !== 'POST') {
    deps.stats.graph({ method: envelope.method, path, status: 405, ru: 0, writes: 0 }, true);
    return withIds(errorResult(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.', requestId, clientRequestId), requestId, clientRequestId);
  }
  let items: BatchItem[];
  try {
    items = parseBatchItems(envelope.body);
  } catch (err) {
    const e = err instanceof GraphHttpError ? err : new GraphHttpError(400, 'BadRequest', 'Invalid batch payload format.');
    deps.stats.graph({ method: envelope.method, path, status: e.status, ru: 0, writes: 0 }, true);
    return withIds(errorResult(e.status, e.code, e.message, requestId, clientRequestId), requestId, clientRequestId);
  }
  deps.stats.graph({ method: envelope.method, path, status: 200, ru: 0, writes: 0 }, true);

  const byId = new Map(items.map((i) => [i.id, i]));
  const done = new Map<string, { id: string; status: number; headers: HeaderMap; body?: unknown }>();
  const run = async (item: BatchItem): Promise<number> => {
    const finished = done.get(item.id);
    if (finished) return finished.status;
    const failedDependency: string[] = [];
    for (const dep of item.dependsOn) {
      const depItem = byId.get(dep);
      const status = depItem ? await run(depItem) : 424;
      if (status < 200 || status >= 300) failedDependency.push(dep);
    }
    let response: { id: string; status: number; headers: HeaderMap; body?: unknown };
    if (failedDependency.length > 0) {
      const rid = newRequestId();
      const path = `/${envelope.version}/${item.url.replace(/^\//, '')}`;
      deps.stats.graph({ method: item.method, path: safeDecode(path), status: 424, ru: 0, writes: 0, batchItem: true }, false);
      response = {
        id: item.id,
        status: 424,
        headers: { 'Content-Type': GRAPH_JSON },
        body: graphErrorBody('FailedDependency', `The request could not be processed because dependent request '${failedDependency.join("', '")}' failed.`, rid, rid),
      };
    } else {
      const call = callFromItem(item, envelope.version);
      let result: GraphResult;
      if (call instanceof GraphHttpError) {
        const rid = newRequestId();
        deps.stats.graph({ method: item.method, path: safeDecode(item.url), status: call.status, ru: 0, writes: 0, batchItem: true }, false);
        result = errorResult(call.status, call.code, call.message, rid, rid);
      } else {
        result = await serveOne(deps, call, grant, true);
      }
      const headers: HeaderMap = { ...(result.headers ?? {}) };
      if (result.body !== undefined && !headers['content-type']) headers['content-type'] = GRAPH_JSON;
      response = { id: item.id, status: result.status, headers: batchItemHeaders(headers), ...(result.body !== undefined ? { body: result.body } : {}) };
    }
    done.set(item.id, response);
    return response.status;
  };
  for (const item of items) await run(item);
  const responses = items.map((i) => done.get(i.id)).filter((r) => r !== undefined);
  return withIds({ status: 200, body: { responses } }, requestId, clientRequestId);
}
