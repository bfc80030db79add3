import { BatchRequestContent, BatchResponseContent, GraphError, type Client } from '@microsoft/microsoft-graph-client';
import type { RunningSandbox } from '../../../sandbox/server';
import { contosoFixture, sandboxGraphClient, sandboxToken, startTestSandbox } from '../../helpers/sandbox';

const ADELE = 'a0000000-0000-4000-8000-000000000001';
const NESTOR = 'a0000000-0000-4000-8000-000000000002';
const ADMINS = '9a000000-0000-4000-8000-000000000001';

interface BatchItemResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body?: { error?: { code: string; message: string }; value?: unknown[]; id?: string };
}

async function failure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GraphError) return err;
    throw err;
  }
  throw new Error('expected the Graph call to fail');
}

describe('sandbox $batch, throttling, faults and stats', () => {
  let sandbox: RunningSandbox;
  let client: Client;
  let token: string;

  beforeAll(async () => {
    // GET /organization needs Organization.Read.All, which the bot never asks for.
    sandbox = await startTestSandbox({ fixture: { ...contosoFixture(), grantedPermissions: [...contosoFixture().grantedPermissions, 'Organization.Read.All'] } });
    client = sandboxGraphClient(sandbox).client;
    token = await sandboxToken(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => {
    sandbox.setFaults([]);
    sandbox.setThrottle(undefined);
    sandbox.resetStats();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const batch = async (requests: unknown[]): Promise<{ status: number; responses: BatchItemResponse[]; error?: { code: string; message: string } }> => {
    const response = await post('/v1.0/$batch', { requests });
    const body = (await response.json()) as { responses?: BatchItemResponse[]; error?: { code: string; message: string } };
    return { status: response.status, responses: body.responses ?? [], error: body.error };
  };

  it('counts resource units by the published costs', async () => {
    await client.api('/users').get();
    await client.api('/users').select('id').get();
    await client.api('/users').select('id').top(5).get();
    await client.api(`/users/${ADELE}`).select('id').expand('sponsors').get();
    await client.api('/groups').get();
    await client.api(`/users/${NESTOR}/checkMemberGroups`).post({ groupIds: [ADMINS] });
    const stats = sandbox.stats();
    // GET users is 2 and checkMemberGroups 4 in Graph's identity-and-access table; users/{id} is an unlisted path (1).
    expect(stats.requests.map((r) => r.ru)).toEqual([2, 1, 1, 1, 1, 4]);
    expect(stats.resourceUnits).toBe(10);
    expect(stats.writes).toBe(0);
    expect(stats.graphRoundTrips).toBe(6);
    expect(stats.requests[1]).toEqual({ method: 'GET', path: '/v1.0/users?$select=id', status: 200, ru: 1, writes: 0 });

    const response = await fetch(`${sandbox.url}/v1.0/users?$select=id`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.headers.get('x-ms-resource-unit')).toBe('1');
    expect(response.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves a $batch as one round trip whose items are evaluated and recorded one by one', async () => {
    const content = new BatchRequestContent([
      { id: '1', request: new Request(`${sandbox.url}/v1.0/users/${ADELE}?$select=id,displayName`, { method: 'GET' }) },
      {
        id: '2',
        request: new Request(`${sandbox.url}/v1.0/users/${NESTOR}/checkMemberGroups`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ groupIds: [ADMINS] }),
        }),
      },
      { id: '3', request: new Request(`${sandbox.url}/v1.0/users/nobody@contoso.com`, { method: 'GET' }) },
    ]);
    const response = new BatchResponseContent((await client.api('/$batch').post(await content.getContent())) as { responses: [] });
    const first = response.getResponseById('1');
    expect(first?.status).toBe(200);
    expect(await first?.json()).toMatchObject({ id: ADELE, displayName: 'Adele Vance' });
    expect(await response.getResponseById('2')?.json()).toMatchObject({ value: [ADMINS] });
    expect(response.getResponseById('3')?.status).toBe(404);
    const stats = sandbox.stats();
    expect(stats.graphRoundTrips).toBe(1);
    expect(stats.batchRequests).toBe(1);
    expect(stats.batchItems).toBe(3);
    expect(stats.requests.map((r) => [r.method, r.path, r.status, r.batchItem ?? false])).toEqual([
      ['POST', '/v1.0/$batch', 200, false],
      ['GET', `/v1.0/users/${ADELE}?$select=id,displayName`, 200, true],
      ['POST', `/v1.0/users/${NESTOR}/checkMemberGroups`, 200, true],
      ['GET', '/v1.0/users/nobody@contoso.com', 404, true],
    ]);
    expect(stats.resourceUnits).toBe(1 + 4 + 1);
  });

  it('refuses more than 20 requests in a batch', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i + 1), method: 'GET', url: `/users/${ADELE}` }));
    const result = await batch(requests);
    expect(result.status).toBe(400);
    expect(result.error?.code).toBe('BadRequest');
    expect(result.error?.message).toContain('maximum of 20');
    expect(sandbox.stats().batchItems).toBe(0);
    expect((await batch(requests.slice(0, 20))).status).toBe(200);
  });

  it('answers 424 for items whose dependency failed, without running them', async () => {
    const result = await batch([
      { id: '1', method: 'GET', url: '/users/nobody@contoso.com' },
      { id: '2', method: 'GET', url: `/users/${ADELE}`, dependsOn: ['1'] },
      { id: '3', method: 'GET', url: `/users/${ADELE}?$select=id`, dependsOn: ['2'] },
      { id: '4', method: 'GET', url: `/users/${ADELE}?$select=id` },
      { id: '5', method: 'GET', url: `/users/${ADELE}?$select=mail`, dependsOn: ['4'] },
    ]);
    expect(result.status).toBe(200);
    expect(result.responses.map((r) => [r.id, r.status])).toEqual([
      ['1', 404],
      ['2', 424],
      ['3', 424],
      ['4', 200],
      ['5', 200],
    ]);
    expect(result.responses[1]?.body?.error?.code).toBe('FailedDependency');
    const cycle = await batch([
      { id: 'a', method: 'GET', url: '/users', dependsOn: ['b'] },
      { id: 'b', method: 'GET', url: '/users', dependsOn: ['a'] },
    ]);
    expect(cycle.status).toBe(400);
  });

  it('throttles batch items separately, each with its own Retry-After', async () => {
    sandbox.setFaults([{ pathPattern: `/users/${NESTOR}`, status: 429, retryAfterSeconds: 7, appliesTo: 'batchItem', times: 1 }]);
    const result = await batch([
      { id: '1', method: 'GET', url: `/users/${ADELE}?$select=id` },
      { id: '2', method: 'GET', url: `/users/${NESTOR}?$select=id` },
      { id: '3', method: 'GET', url: `/users/${NESTOR}?$select=id`, dependsOn: ['2'] },
    ]);
    expect(result.status).toBe(200);
    expect(result.responses.map((r) => r.status)).toEqual([200, 429, 424]);
    expect(result.responses[1]?.headers['Retry-After']).toBe('7');
    expect(result.responses[0]?.headers['x-ms-resource-unit']).toBe('1');
    expect(result.responses[1]?.body?.error?.code).toBe('TooManyRequests');

    sandbox.setFaults([]);
    sandbox.setThrottle({ resourceUnitsPer10Seconds: 2 });
    const bucket = await batch([
      { id: '1', method: 'GET', url: `/users/${ADELE}?$select=id` },
      { id: '2', method: 'GET', url: `/users/${ADELE}?$select=id` },
      { id: '3', method: 'GET', url: `/users/${ADELE}?$select=id` },
    ]);
    expect(bucket.responses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(Number(bucket.responses[2]?.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(sandbox.stats().throttled).toBe(1);
  });

  it('throttles per app+tenant with a token bucket: 429, TooManyRequests and Retry-After', async () => {
    sandbox.setThrottle({ resourceUnitsPer10Seconds: 4, fractionalRetryAfter: true });
    const get = (): Promise<Response> => fetch(`${sandbox.url}/v1.0/users`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get()).status).toBe(200);
    const second = await get();
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ms-throttle-limit-percentage')).toBe('1.0');
    const third = await get();
    expect(third.status).toBe(429);
    const retryAfter = Number(third.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(5);
    expect(third.headers.get('x-ms-throttle-information')).toBe('ResourceUnitLimitExceeded');
    const body = (await third.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('TooManyRequests');
    expect(body.error.message).toMatch(/^Too many requests from Identifier:.+ Please try again later\.$/);
    const stats = sandbox.stats();
    expect(stats.throttled).toBe(1);
    expect(stats.resourceUnits).toBe(4);
    expect(stats.requests.at(-1)).toMatchObject({ status: 429, ru: 0, refused: 'throttled' });

    sandbox.setThrottle({ resourceUnitsPer10Seconds: 1000, writesPer150Seconds: 1 });
    const write = await fetch(`${sandbox.url}/v1.0/users`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(write.status).toBe(405);
    const again = await fetch(`${sandbox.url}/v1.0/users`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(429);
    expect(again.headers.get('x-ms-throttle-information')).toBe('WriteLimitExceeded');
  });

  it('lets the Graph client retry a fractional Retry-After and succeed', async () => {
    sandbox.setFaults([{ method: 'GET', pathPattern: '^/v1\\.0/users/', status: 429, retryAfterSeconds: 0.2, times: 1 }]);
    const started = Date.now();
    const user = (await client.api(`/users/${ADELE}`).select('id').get()) as { id: string };
    expect(user.id).toBe(ADELE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    const stats = sandbox.stats();
    expect(stats.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(stats.faultsInjected).toBe(1);
  });

  it('injects errors, bodies and latency, honouring times and probability', async () => {
    sandbox.setFaults([
      { latencyMs: 150, pathPattern: '/domains' },
      { pathPattern: '/groups', status: 503, body: { error: { code: 'serviceNotAvailable', message: 'planned outage' } }, times: 2 },
      { pathPattern: '/organization', status: 500, probability: 0 },
    ]);
    const started = Date.now();
    await client.api('/domains').get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const raw = await fetch(`${sandbox.url}/v1.0/groups`, { headers: { authorization: `Bearer ${token}` } });
    expect(raw.status).toBe(503);
    expect(await raw.json()).toEqual({ error: { code: 'serviceNotAvailable', message: 'planned outage' } });
    expect((await fetch(`${sandbox.url}/v1.0/groups`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(503);
    expect((await fetch(`${sandbox.url}/v1.0/groups`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await client.api('/organization').get();
    const forbidden = [{ pathPattern: 'checkMemberGroups', status: 403 }];
    sandbox.setFaults(forbidden);
    const err = await failure(client.api(`/users/${NESTOR}/checkMemberGroups`).post({ groupIds: [ADMINS] }));
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Authorization_RequestDenied');
    expect(sandbox.stats().faultsInjected).toBe(3);
    expect(() => sandbox.setFaults([{ pathPattern: '(', status: 500 }])).toThrow(/RegExp/);
  });

  it('exposes stats, faults and throttle over HTTP for out-of-process use', async () => {
    await client.api('/users').select('id').get();
    const stats = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as { graphRoundTrips: number; requests: unknown[] };
    expect(stats.graphRoundTrips).toBe(1);
    expect((await fetch(`${sandbox.url}/_sandbox/stats/reset`, { method: 'POST' })).status).toBe(204);
    expect(sandbox.stats().requests).toEqual([]);

    const set = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify([{ pathPattern: '/domains', status: 500, times: 1 }]) });
    expect(set.status).toBe(200);
    expect((await failure(client.api('/domains').get())).statusCode).toBe(500);
    const bad = await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify([{ status: 'often' }]) });
    expect(bad.status).toBe(400);

    const throttle = await fetch(`${sandbox.url}/_sandbox/throttle`, { method: 'POST', body: JSON.stringify({ resourceUnitsPer10Seconds: 1 }) });
    expect(throttle.status).toBe(200);
    await client.api('/domains').get();
    const throttled = await fetch(`${sandbox.url}/v1.0/domains`, { headers: { authorization: `Bearer ${token}` } });
    expect(throttled.status).toBe(429);
    await fetch(`${sandbox.url}/_sandbox/throttle`, { method: 'POST', body: 'null' });
    expect((await fetch(`${sandbox.url}/v1.0/domains`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
