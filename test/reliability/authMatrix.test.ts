import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type RunningSandbox } from '../../sandbox/server';
import type { Database } from '../../bot/store';
import { buildActivity, cardText, startBotOn, type TestBot, type TestUser } from '../helpers/bot';
import {
  CHANNEL_ISSUER,
  channelClaims,
  channelToken,
  hmacSignedToken,
  jwtParts,
  signingKey,
  splicedToken,
  startChannelAuthority,
  tamperedToken,
  unsignedToken,
  withHeader,
  type ChannelAuthority,
  type SigningKey,
  type TokenOptions,
} from '../helpers/botFrameworkTokens';
import { startTestSandbox } from '../helpers/sandbox';

/**
 * Suite 2 of issue 17, "Auth matrix". The bot runs in production-auth mode against a channel authority of our own (OpenID
 * metadata and JWKS over HTTPS), and every row posts one forged, foreign or malformed request. Each is refused with its
 * status and nothing more than a short reason, and nothing ran: the sandbox saw no Graph or login request, the Bot
 * Connector stand-in no reply, and no table of the store a new row. Two controls show that the same request, honestly
 * signed, does call Graph and write rows, so "nothing changed" is a finding rather than a blind spot.
 */

const APP_ID = '7e1f0000-0000-4000-8000-000000000001';
const OTHER_BOT = '7e1f0000-0000-4000-8000-0000000000ff';
const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const OTHER_TENANT = 'd0000000-0000-4000-8000-00000000dead';

/** Every table of the store; the type below fails to compile when a migration adds one that this list forgets. */
const TABLES = [
  'conversation_reference',
  'audit_log',
  'audit_chain_head',
  'inbound_dedupe',
  'bot_state',
  'job',
  'invitation',
  'bulk_invite_run',
  'bulk_invite_row',
  'access_request',
  'invite_pacing',
  'confirmation',
  'ad_group_membership',
] as const satisfies readonly (keyof Database)[];
const everyTableListed: Exclude<keyof Database, (typeof TABLES)[number]> extends never ? true : false = true;

/** Words that would mean an internal message reached the caller: botbuilder's, jsonwebtoken's, the JSON parser's. */
const INTERNAL = /validateAndFixActivity|activity type|stack|\bat \w+ \(|jsonwebtoken|jwt|signature|invalid token|Unexpected token|JSON at position|InvalidContent|exceeds|TypeError|ENOTFOUND/i;

const FOREIGN_TENANT_TEXT = 'belongs to another organization';
const NO_IDENTITY_TEXT = 'arrived without an Entra ID account';
const NOT_AN_OBJECT_ID_TEXT = 'not an Entra ID object id';

interface Sent {
  status: number;
  text: string;
  body: unknown;
}

type Expectation =
  | { refused: number }
  | { identityRefusal: string }
  | { acceptedAs: string };

interface Row {
  name: string;
  expect: Expectation;
  send(): Promise<Sent>;
}

const rows: Row[] = [];
const results: { name: string; failed: string[] }[] = [];

describe('auth matrix', () => {
  let sandbox: RunningSandbox;
  let authority: ChannelAuthority;
  let bot: TestBot;
  let teams: SigningKey;
  let skypeOnly: SigningKey;
  let webChat: SigningKey;
  let unpublished: SigningKey;

  beforeAll(async () => {
    // botbuilder prints every refused token with console.error (dozens here); the rows assert what the caller gets instead.
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    [teams, skypeOnly, webChat, unpublished] = await Promise.all([
      signingKey('teams-key', ['msteams']),
      signingKey('skype-key', ['skype']),
      signingKey('webchat-key', ['webchat']),
      signingKey('unpublished-key', ['msteams']),
    ]);
    authority = await startChannelAuthority([teams, skypeOnly, webChat]);
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'outbound-secret-the-matrix-never-needs',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: sandbox.tenantId,
      AZURE_CLIENT_ID: SANDBOX_CLIENT_ID,
      AZURE_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
      ToBotFromChannelOpenIdMetadataUrl: authority.url,
      ToBotFromChannelTokenIssuer: CHANNEL_ISSUER,
    });
  }, 60_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    await authority?.close();
    jest.restoreAllMocks();
    const passed = results.filter((r) => r.failed.length === 0).length;
    const lines = [`auth matrix: ${passed} passed, ${results.length - passed} failed`, `cases: ${results.length} (${rows.length} rows and 2 controls)`];
    for (const r of results) if (r.failed.length > 0) lines.push(`  failed: ${r.name}: ${r.failed.join('; ')}`);
    console.log(lines.join('\n'));
  });

  const serviceUrl = (): string => bot.connector.serviceUrl;
  const now = (): number => Math.floor(Date.now() / 1000);
  const mint = (options: Partial<TokenOptions> = {}): Promise<string> =>
    channelToken({ key: teams, appId: APP_ID, serviceUrl: serviceUrl(), ...options });
  const claims = (): Record<string, unknown> => channelClaims(APP_ID, serviceUrl());

  async function postRaw(body: string, headers: Record<string, string>): Promise<Sent> {
    const response = await fetch(`${bot.bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON; keep the text
    }
    return { status: response.status, text, body: parsed };
  }

  /** A message is the riskiest request to let through: it would claim a dedupe key, store a conversation and reply. */
  const message = (over: Record<string, unknown> = {}, user: TestUser = ADMIN, options: Parameters<typeof buildActivity>[4] = {}) =>
    buildActivity(serviceUrl(), sandbox.tenantId, user, { type: 'message', text: 'whoami', ...over }, options);

  /** An invoke is answered in the HTTP response itself, so what the bot decided is visible without an outbound token. */
  const invoke = (user: TestUser = ADMIN, options: Parameters<typeof buildActivity>[4] = {}) =>
    buildActivity(
      serviceUrl(),
      sandbox.tenantId,
      user,
      { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'roles.refresh', data: {} }, trigger: 'manual' } },
      options,
    );

  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const sendJson = (activity: unknown, headers: Record<string, string>): Promise<Sent> => postRaw(JSON.stringify(activity), headers);
  /** A forged Authorization header on an otherwise perfect Teams message. */
  const forged = (authorization: () => Promise<string | undefined>) => async (): Promise<Sent> => {
    const value = await authorization();
    return sendJson(message(), value === undefined ? {} : { authorization: value });
  };
  const signedBody = (body: () => unknown) => async (): Promise<Sent> => sendJson(body(), bearer(await mint()));
  const signedInvoke = (user: TestUser, options: Parameters<typeof buildActivity>[4] = {}) => async (): Promise<Sent> =>
    sendJson(invoke(user, options), bearer(await mint()));
  const as = (aadObjectId: string): TestUser => ({ aadObjectId, name: 'Adele Vance', teamsId: `29:${ADMIN.aadObjectId}` });

  const auth = (name: string, authorization: () => Promise<string | undefined>): void => {
    rows.push({ name, expect: { refused: 401 }, send: forged(authorization) });
  };

  // Authentication: every failure is 401.
  auth('no Authorization header', async () => undefined);
  auth('an empty bearer token', async () => 'Bearer ');
  auth('a token that is not a JWT', async () => 'Bearer not-a-token');
  auth('a scheme other than Bearer', async () => `Basic ${Buffer.from('user:password').toString('base64')}`);
  auth('nbf in the future (beyond the 5-minute skew)', async () => `Bearer ${await mint({ notBefore: now() + 600 })}`);
  auth('expired (beyond the 5-minute skew)', async () => `Bearer ${await mint({ expiresAt: now() - 600 })}`);
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) auth(`alg "${alg}" with an empty signature`, async () => `Bearer ${unsignedToken(claims(), alg)}`);
  auth('alg "none" with the leftover signature of a valid token', async () => `Bearer ${unsignedToken(claims(), 'none', jwtParts(await mint())[2])}`);
  auth('alg "None" with a leftover signature', async () => `Bearer ${unsignedToken(claims(), 'None', jwtParts(await mint())[2])}`);
  auth('HS256 keyed with the published public key PEM', async () => `Bearer ${hmacSignedToken(teams.kid, teams.publicKeyPem, claims())}`);
  auth('HS256 keyed with the JWK modulus', async () => `Bearer ${hmacSignedToken(teams.kid, Buffer.from(teams.jwk.n ?? '', 'base64url'), claims())}`);
  auth('HS256 keyed with an empty secret', async () => `Bearer ${hmacSignedToken(teams.kid, '', claims())}`);
  auth('a signature by an unpublished key under a published kid', async () => `Bearer ${await mint({ key: { ...unpublished, kid: teams.kid } })}`);
  auth('a signature by an unpublished key under its own kid', async () => `Bearer ${await mint({ key: unpublished })}`);
  auth('a stripped signature', async () => {
    const [header, payload] = jwtParts(await mint());
    return `Bearer ${header}.${payload}.`;
  });
  auth('a payload tampered after signing', async () => `Bearer ${tamperedToken(await mint())}`);
  auth('a header alg (RS512) that disagrees with the signature', async () => `Bearer ${withHeader(await mint(), { alg: 'RS512', kid: teams.kid, typ: 'JWT' })}`);
  auth('a header alg (HS256) over an RS256 signature', async () => `Bearer ${withHeader(await mint(), { alg: 'HS256', kid: teams.kid, typ: 'JWT' })}`);
  auth('a signature spliced from another valid token', async () => `Bearer ${splicedToken(await mint(), await mint({ audience: OTHER_BOT }))}`);
  auth('a wrong audience', async () => `Bearer ${await mint({ audience: 'https://api.botframework.com' })}`);
  auth('a wrong issuer (an Entra token issuer for our own tenant)', async () => `Bearer ${await mint({ issuer: `https://login.microsoftonline.com/${sandbox.tenantId}/v2.0` })}`);
  auth('an unknown issuer', async () => `Bearer ${await mint({ issuer: 'https://issuer.evil.example/' })}`);
  auth("another bot's token (its appid and audience)", async () => `Bearer ${await mint({ audience: OTHER_BOT, extra: { appid: OTHER_BOT } })}`);
  auth("a serviceurl claim that is not the activity's serviceUrl", async () => `Bearer ${await mint({ serviceUrlClaim: 'https://smba.evil.example/' })}`);
  auth('no serviceurl claim', async () => `Bearer ${await mint({ serviceUrlClaim: '' })}`);
  auth('a key not endorsed for the msteams channel', async () => `Bearer ${await mint({ key: skypeOnly })}`);

  // Another Bot Framework channel authenticates, but there the client writes from.aadObjectId and the tenant itself.
  rows.push({
    name: 'an authenticated activity from another channel (Web Chat), claiming a Teams admin',
    expect: { refused: 403 },
    send: async () => sendJson({ ...message(), channelId: 'webchat' }, bearer(await mint({ key: webChat }))),
  });

  // Identity: authenticated, refused where the caller is identified, with the refusal's own text.
  rows.push({ name: 'another tenant', expect: { identityRefusal: FOREIGN_TENANT_TEXT }, send: signedInvoke(ADMIN, { tenantId: OTHER_TENANT }) });
  rows.push({ name: 'no tenant at all', expect: { identityRefusal: FOREIGN_TENANT_TEXT }, send: signedInvoke(ADMIN, { tenantId: null }) });
  rows.push({ name: 'a missing aadObjectId', expect: { identityRefusal: NO_IDENTITY_TEXT }, send: signedInvoke(ADMIN, { withoutAadObjectId: true }) });
  rows.push({ name: 'a UPN as aadObjectId (adele.vance@contoso.com)', expect: { identityRefusal: NOT_AN_OBJECT_ID_TEXT }, send: signedInvoke(as('adele.vance@contoso.com')) });
  rows.push({ name: 'a Teams user id as aadObjectId', expect: { identityRefusal: NOT_AN_OBJECT_ID_TEXT }, send: signedInvoke(as(`29:${ADMIN.aadObjectId}`)) });
  rows.push({ name: 'a GUID with one brace as aadObjectId', expect: { identityRefusal: NOT_AN_OBJECT_ID_TEXT }, send: signedInvoke(as(`{${ADMIN.aadObjectId}`)) });
  rows.push({ name: 'a GUID in braces as aadObjectId (accepted, canonical)', expect: { acceptedAs: ADMIN.aadObjectId }, send: signedInvoke(as(`{${ADMIN.aadObjectId}}`)) });
  rows.push({ name: 'an uppercase GUID as aadObjectId (accepted, canonical)', expect: { acceptedAs: ADMIN.aadObjectId }, send: signedInvoke(as(ADMIN.aadObjectId.toUpperCase())) });

  // Bodies: 400 (413 over the size limit) with no internal message, whatever the token.
  const body = (name: string, status: number, send: () => Promise<Sent>): void => {
    rows.push({ name, expect: { refused: status }, send });
  };
  body('a body over the 1 MiB limit', 413, async () => sendJson(message({ text: 'x'.repeat(1024 * 1024 + 1) }), bearer(await mint())));
  body('malformed JSON', 400, async () => postRaw('{"type":"message","text":', bearer(await mint())));
  body('an empty body', 400, async () => postRaw('', bearer(await mint())));
  body('a body that is not JSON (text/plain)', 400, async () => postRaw(JSON.stringify(message()), { ...bearer(await mint()), 'content-type': 'text/plain' }));
  body('a form-encoded activity', 400, async () =>
    postRaw(`type=message&text=whoami&channelId=msteams&serviceUrl=${encodeURIComponent(serviceUrl())}`, { ...bearer(await mint()), 'content-type': 'application/x-www-form-urlencoded' }));
  body('no activity type', 400, signedBody(() => ({ ...message(), type: undefined })));
  body('a numeric activity type', 400, signedBody(() => ({ ...message(), type: 7 })));
  body('an object activity type', 400, signedBody(() => ({ ...message(), type: { name: 'message' } })));
  body('an empty activity type', 400, signedBody(() => ({ ...message(), type: '' })));
  body('null', 400, signedBody(() => null));
  body('an array instead of an activity', 400, signedBody(() => [message()]));
  body('a string instead of an activity', 400, signedBody(() => 'message'));
  body("no serviceUrl, so that the token's serviceurl claim could not be checked", 400, async () =>
    sendJson({ ...invoke(), serviceUrl: undefined }, bearer(await mint({ serviceUrlClaim: 'https://smba.evil.example/' }))));
  body('malformed JSON without a token', 400, async () => postRaw('{"type":', {}));

  async function rowCounts(): Promise<Record<string, number>> {
    const { db } = bot.bot.services.store;
    const counts: Record<string, number> = {};
    for (const table of TABLES) {
      const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirst();
      counts[table] = Number(row?.n ?? 0);
    }
    return counts;
  }

  const changedTables = (before: Record<string, number>, after: Record<string, number>): string[] =>
    TABLES.filter((t) => before[t] !== after[t]).map((t) => `${t} ${before[t]}→${after[t]}`);

  /** What the sandbox saw since the last reset: Graph requests and login requests. */
  const sandboxCalls = (): string[] => {
    const stats = sandbox.stats();
    return [...stats.requests.map((r) => `${r.method} ${r.path}`), ...stats.login.map((r) => `${r.method} ${r.path}`)];
  };

  async function runRow(row: Row): Promise<string[]> {
    const failed: string[] = [];
    const check = (what: string, ok: boolean): void => {
      if (!ok) failed.push(what);
    };
    sandbox.resetStats();
    const repliesBefore = bot.connector.calls.length;
    const rowsBefore = await rowCounts();
    const sent = await row.send();
    const calls = sandboxCalls();
    const changed = changedTables(rowsBefore, await rowCounts());
    const replies = bot.connector.calls.length - repliesBefore;

    check(`no internal message in the answer (got ${sent.text.slice(0, 200)})`, !INTERNAL.test(sent.text));
    check(`no reply through the Bot Connector (saw ${replies})`, replies === 0);
    check(`no new row in the store (saw ${changed.join(', ')})`, changed.length === 0);
    const { expect: expected } = row;
    if ('refused' in expected) {
      check(`status ${expected.refused} (got ${sent.status})`, sent.status === expected.refused);
      check(`no Graph or login request (saw ${calls.join(', ')})`, calls.length === 0);
    } else if ('identityRefusal' in expected) {
      const answer = sent.body as { statusCode?: number; value?: unknown };
      check(`status 200 with the refusal as the invoke's message (got ${sent.status}, ${answer.statusCode})`, sent.status === 200 && answer.statusCode === 200);
      check(`the refusal says "${expected.identityRefusal}" (got ${String(answer.value)})`, typeof answer.value === 'string' && answer.value.includes(expected.identityRefusal));
      check(`no Graph or login request (saw ${calls.join(', ')})`, calls.length === 0);
    } else {
      const answer = sent.body as { value?: unknown };
      check(`status 200 (got ${sent.status})`, sent.status === 200);
      check(`the roles card answers as an admin (got ${cardText(answer.value).slice(0, 200)})`, cardText(answer.value).includes('Admin'));
      const memberships = sandbox.stats().requests.filter((r) => r.path.includes('/checkMemberGroups'));
      check(
        `Graph is asked about the canonical id only (saw ${memberships.map((r) => r.path).join(', ')})`,
        memberships.length > 0 && memberships.every((r) => r.path.includes(`/users/${expected.acceptedAs}/`)),
      );
      bot.bot.services.roles.forget(expected.acceptedAs);
    }
    return failed;
  }

  it('lists every table of the store', () => {
    expect(everyTableListed).toBe(true);
  });

  it('control: an honestly signed invoke runs, calls Graph and answers with the card', async () => {
    sandbox.resetStats();
    const sent = await sendJson(invoke(), bearer(await mint()));
    const failed: string[] = [];
    if (sent.status !== 200) failed.push(`status 200 (got ${sent.status})`);
    if (!cardText((sent.body as { value?: unknown }).value).includes('Admin')) failed.push('the roles card');
    if (sandbox.stats().requests.length === 0) failed.push('a Graph call');
    results.push({ name: 'control: signed invoke', failed });
    expect(failed).toEqual([]);
  });

  it('control: an honestly signed message runs, calls Graph and writes its dedupe and conversation rows', async () => {
    bot.bot.services.roles.forget(ADMIN.aadObjectId);
    sandbox.resetStats();
    const before = await rowCounts();
    const sent = await sendJson(message(), bearer(await mint()));
    const changed = changedTables(before, await rowCounts());
    const failed: string[] = [];
    // The reply itself cannot leave (the outbound token is Microsoft's to give), so the turn ends in its error handler.
    if (sent.status !== 200) failed.push(`status 200 (got ${sent.status})`);
    if (!changed.some((c) => c.startsWith('inbound_dedupe')) || !changed.some((c) => c.startsWith('conversation_reference'))) failed.push(`dedupe and conversation rows (saw ${changed.join(', ')})`);
    if (!sandbox.stats().requests.some((r) => r.path.includes('/checkMemberGroups'))) failed.push('the role lookup in Graph');
    results.push({ name: 'control: signed message', failed });
    expect(failed).toEqual([]);
  }, 30_000);

  // Registered last so that the controls above warm nothing the rows depend on: each row resets what it measures.
  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const failed = await runRow(row);
    results.push({ name: row.name, failed });
    expect(failed).toEqual([]);
  });
});
