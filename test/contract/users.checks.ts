import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GraphUsers, WHOIS_SELECT, type UserLookup } from '../../bot/graph/users';
import { recordRequests, statusAndCode, type Check, type RecordedRequest, type Target } from './harness';

const BatchBody = z.object({ requests: z.array(z.object({ id: z.string(), method: z.string(), url: z.string(), headers: z.record(z.string(), z.string()).optional() })) });
const BatchAnswer = z.object({ responses: z.array(z.object({ id: z.string(), status: z.number(), body: z.unknown().optional(), headers: z.record(z.string(), z.string()).optional() })) });
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

function known(t: Target, key: 'user.id' | 'user.upn' | 'user.mail' | 'user.displayName'): string {
  const value = t.state.get(key);
  if (!value) throw new Error(`no ${key} was found to read`);
  return value;
}

/** The batch envelopes the bot posted, and their items. */
function batches(requests: RecordedRequest[]): z.infer<typeof BatchBody>['requests'][] {
  return requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/$batch')).map((r) => BatchBody.parse(r.body).requests);
}

function signInSeen(lookup: UserLookup): string {
  const s = lookup.signIn;
  if (s === undefined) return 'not asked';
  if (s instanceof Map) return 'read';
  // Which of these a tenant answers depends on its licence and consent, not on the contract: all three are read as meant.
  return s.reason === 'unavailable' ? 'unreadable answer' : 'read';
}

/** Sends one raw $batch, as the bot's GraphUsers does, and returns each item's status and error code. */
async function rawBatch(t: Target, urls: string[]): Promise<string[]> {
  const raw: unknown = await t.graph.api('/$batch').post({ requests: urls.map((url, i) => ({ id: String(i + 1), method: 'GET', url })) });
  const answer = BatchAnswer.parse(raw);
  return urls.map((_, i) => {
    const item = answer.responses.find((r) => r.id === String(i + 1));
    if (!item) return 'missing';
    const code = ErrorBody.safeParse(item.body).data?.error.code;
    return `${item.status}${code ? ` ${code}` : ''}`;
  });
}

/** whois and the home-realm owner look-up: $batch, $select, $expand, filters, errors inside a batch. */
export function userChecks(check: Check): void {
  check('POST /$batch → GET /users/{id}', "whois by object id: one batch, the card's $select, sponsors($select=id,displayName), sign-in and app access items", async (t) => {
    const id = known(t, 'user.id');
    const { result, requests } = await recordRequests(() => new GraphUsers(t.graph).whois({ kind: 'objectId', value: id }));
    const sent = batches(requests);
    expect(sent).toHaveLength(1);
    const user = sent[0]?.find((r) => r.id === 'user');
    const query = new URLSearchParams(user?.url.split('?')[1] ?? '');
    expect(query.get('$select')).toBe(WHOIS_SELECT.join(','));
    expect(query.get('$expand')).toBe('sponsors($select=id,displayName)');
    expect(sent[0]?.find((r) => r.id === 'signIn')?.url).toBe(`/users/${id}?$select=${encodeURIComponent('id,signInActivity')}`);
    expect(result.users.map((u) => u.id.toLowerCase())).toEqual([id.toLowerCase()]);
    expect(result.appAccess?.available === true || (result.appAccess && result.appAccess.reason !== 'unavailable')).toBe(true);
    return `one user; sign-in ${signInSeen(result)}; app access read`;
  });

  check('POST /$batch → GET /users/{id}', 'an unknown object id: the item is 404 Request_ResourceNotFound and whois finds no one', async (t) => {
    const unknown = randomUUID();
    const [status] = await rawBatch(t, [`/users/${unknown}?$select=id`]);
    const lookup = await new GraphUsers(t.graph).whois({ kind: 'objectId', value: unknown }, { sponsors: false, lastSignIn: false, appAccess: { scope: 'none' } });
    expect(lookup.users).toEqual([]);
    return `${status ?? 'missing'}; no user`;
  });

  check('POST /$batch', 'each item carries its own status; the envelope is 200', async (t) => {
    const statuses = await rawBatch(t, [`/users/${known(t, 'user.id')}?$select=id`, `/users/${randomUUID()}?$select=id`]);
    return statuses.join(', ');
  });

  check('POST /$batch → GET /users/{UPN}', 'whois by UPN: no sign-in item in the first batch, then signInActivity by object id in a second', async (t) => {
    const upn = known(t, 'user.upn');
    const { result, requests } = await recordRequests(() => new GraphUsers(t.graph).whois({ kind: 'upn', value: upn }, { sponsors: true, lastSignIn: true, appAccess: { scope: 'none' } }));
    const sent = batches(requests);
    expect(sent[0]?.some((r) => r.id === 'signIn')).toBe(false);
    expect(sent[1]?.find((r) => r.id === 'signIn')?.url).toBe(`/users/${known(t, 'user.id')}?$select=${encodeURIComponent('id,signInActivity')}`);
    expect(result.users).toHaveLength(1);
    return `one user; two batches; sign-in ${signInSeen(result)}`;
  });

  check('GET /users/{UPN}?$select=signInActivity', 'refused by UPN (only the object id form is served)', async (t) => {
    const [status] = await rawBatch(t, [`/users/${encodeURIComponent(known(t, 'user.upn'))}?$select=id,signInActivity`]);
    return status?.split(' ')[0] ?? 'missing';
  });

  check('POST /$batch → GET /users?$filter=', 'whois by email: the four address forms as a default query (no ConsistencyLevel), one user', async (t) => {
    const mail = known(t, 'user.mail');
    const { result, requests } = await recordRequests(() => new GraphUsers(t.graph).whois({ kind: 'email', value: mail }, { sponsors: true, lastSignIn: true, appAccess: { scope: 'none' } }));
    const item = batches(requests)[0]?.find((r) => r.id === 'user');
    const filter = new URLSearchParams(item?.url.split('?')[1] ?? '').get('$filter') ?? '';
    expect(filter).toContain('otherMails/any(m:m eq');
    expect(filter).toContain("proxyAddresses/any(p:p eq 'smtp:");
    expect(item?.headers?.['ConsistencyLevel']).toBeUndefined();
    expect(result.users.map((u) => u.id.toLowerCase())).toContain(known(t, 'user.id').toLowerCase());
    return `the user found; sign-in ${signInSeen(result)}`;
  });

  check('POST /$batch → GET /users?$filter=', 'whois by display name: startsWith on displayName, givenName and surname, served as a default query', async (t) => {
    const name = known(t, 'user.displayName').slice(0, 4);
    const result = await new GraphUsers(t.graph).whois({ kind: 'displayName', value: name }, { sponsors: true, lastSignIn: false, appAccess: { scope: 'none' } });
    expect(result.users.length).toBeGreaterThan(0);
    return 'candidates found';
  });

  check('GET /users?$filter=', 'a filter on a property that does not exist: 400 with a Graph error body', async (t) => {
    try {
      await t.graph.api(`/users?$filter=${encodeURIComponent("noSuchProperty eq 'x'")}&$select=id`).get();
      return 'served';
    } catch (error) {
      return statusAndCode(error);
    }
  });

  check('GET /users?$filter=mail eq … or otherMails/any … or proxyAddresses/any …', 'home-realm owner look-up: the fields it reads parse; an address nobody holds finds no one', async (t) => {
    const users = new GraphUsers(t.graph);
    expect((await users.ownersOfAddress(known(t, 'user.mail'))).map((o) => o.id.toLowerCase())).toContain(known(t, 'user.id').toLowerCase());
    expect(await users.ownersOfAddress(`${t.runId}@${t.runId}.invalid`)).toEqual([]);
    return 'owner found; unknown address none';
  });

  check('POST /$batch → GET /users/{id}?$select=id,signInActivity', '429 on the sign-in item alone: whois still answers and says sign-in is throttled', async (t) => {
    const sandbox = t.sandbox;
    if (!sandbox) throw new Error('sandbox-only');
    sandbox.setFaults([{ appliesTo: 'batchItem', pathPattern: 'signInActivity', status: 429, retryAfterSeconds: 1 }]);
    const lookup = await new GraphUsers(t.graph).whois({ kind: 'objectId', value: known(t, 'user.id') }, { sponsors: false, lastSignIn: true, appAccess: { scope: 'none' } });
    expect(lookup.users).toHaveLength(1);
    expect(lookup.signIn).toEqual({ available: false, reason: 'throttled' });
    return 'user read; sign-in throttled';
  }, { sandboxOnly: 'needs a fault injected into one batch item' });

  check('POST /$batch → GET /users/{id}?$select=id,signInActivity', 'a batch item answered 429 carries its own Retry-After header', async (t) => {
    const sandbox = t.sandbox;
    if (!sandbox) throw new Error('sandbox-only');
    sandbox.setFaults([{ appliesTo: 'batchItem', pathPattern: 'signInActivity', status: 429, retryAfterSeconds: 7 }]);
    const raw: unknown = await t.graph.api('/$batch').post({ requests: [{ id: '1', method: 'GET', url: `/users/${known(t, 'user.id')}?$select=id,signInActivity` }] });
    const item = BatchAnswer.parse(raw).responses[0];
    expect(item?.status).toBe(429);
    const retryAfter = Object.entries(item?.headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
    expect(retryAfter).toBe('7');
    return '429 with Retry-After: 7 on the item';
  }, { sandboxOnly: 'needs a fault injected into one batch item' });
}
