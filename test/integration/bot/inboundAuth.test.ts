import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { ensureSandboxTls } from '../../../sandbox/tls';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type RunningSandbox } from '../../../sandbox/server';
import { buildActivity, cardText, startBotOn, type TestBot } from '../../helpers/bot';
import { startTestSandbox, TEST_TLS_DIR } from '../../helpers/sandbox';

/**
 * The real CloudAdapter's inbound checks, fed by our own Bot Framework channel authority: OpenID metadata and a JWKS served
 * over HTTPS, and tokens minted here. Every forged variant must be refused, and a well-formed token accepted, so the test
 * proves the checks run rather than that every request fails.
 */

const APP_ID = '7e1f0000-0000-4000-8000-000000000001';
const ISSUER = 'https://api.botframework.com';
const ADMIN = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };

interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicKeyPem: string;
  jwk: JWK;
}

async function signingKey(kid: string, endorsements: string[]): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256', endorsements } as JWK;
  return { kid, privateKey, publicKeyPem: await exportSPKI(publicKey), jwk };
}

async function startChannelAuthority(keys: SigningKey[]): Promise<{ url: string; close(): Promise<void> }> {
  const tls = ensureSandboxTls(TEST_TLS_DIR);
  const server = https.createServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, (req, res) => {
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body =
      req.url === '/v1/.well-known/openidconfiguration'
        ? { issuer: ISSUER, jwks_uri: `${base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }
        : req.url === '/v1/keys'
          ? { keys: keys.map((k) => k.jwk) }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface TokenOptions {
  key: SigningKey;
  issuer?: string;
  audience?: string;
  serviceUrl?: string;
  expiresAt?: number;
  notBefore?: number;
}

async function token(options: TokenOptions, serviceUrl: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ serviceurl: options.serviceUrl ?? serviceUrl })
    .setProtectedHeader({ alg: 'RS256', kid: options.key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? APP_ID)
    .setIssuedAt(now - 60)
    .setNotBefore(options.notBefore ?? now - 60)
    .setExpirationTime(options.expiresAt ?? now + 3600)
    .sign(options.key.privateKey);
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claims(serviceUrl: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, aud: APP_ID, serviceurl: serviceUrl, iat: now - 60, nbf: now - 60, exp: now + 3600 };
}

function unsigned(serviceUrl: string): string {
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims(serviceUrl))}.`;
}

/** The classic key-confusion forgery: HS256 keyed with something public, under the kid of a published RSA key. */
function hmacSigned(kid: string, secret: string | Buffer, serviceUrl: string): string {
  const signingInput = `${encode({ alg: 'HS256', kid, typ: 'JWT' })}.${encode(claims(serviceUrl))}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

function parts(jwt: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  return [header, payload, signature];
}

function tampered(jwt: string): string {
  const [header, payload, signature] = parts(jwt);
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${encode({ ...body, aud: `${String(body.aud)}-x` })}.${signature}`;
}

function withHeader(jwt: string, header: Record<string, unknown>): string {
  const [, payload, signature] = parts(jwt);
  return `${encode(header)}.${payload}.${signature}`;
}

describe('inbound Bot Framework authentication through the real CloudAdapter', () => {
  let sandbox: RunningSandbox;
  let authority: Awaited<ReturnType<typeof startChannelAuthority>>;
  let bot: TestBot;
  let teams: SigningKey;
  let skypeOnly: SigningKey;
  let unpublished: SigningKey;

  beforeAll(async () => {
    teams = await signingKey('teams-key', ['msteams']);
    skypeOnly = await signingKey('skype-key', ['skype']);
    unpublished = await signingKey('unpublished-key', ['msteams']);
    authority = await startChannelAuthority([teams, skypeOnly]);
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'outbound-secret-unused-by-invokes',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: sandbox.tenantId,
      AZURE_CLIENT_ID: SANDBOX_CLIENT_ID,
      AZURE_CLIENT_SECRET: SANDBOX_CLIENT_SECRET,
      ToBotFromChannelOpenIdMetadataUrl: authority.url,
      ToBotFromChannelTokenIssuer: ISSUER,
    });
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    await authority?.close();
  });

  /** An invoke is answered in the HTTP response itself, so an accepted request needs no outbound Bot Connector token. */
  function invoke(): Record<string, unknown> {
    return buildActivity(bot.connector.serviceUrl, sandbox.tenantId, ADMIN, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'roles.refresh', data: {} }, trigger: 'manual' },
    });
  }

  async function post(authorization?: string): Promise<{ status: number; body: unknown }> {
    return bot.post(invoke(), authorization ? { authorization } : {});
  }

  it('accepts a correctly signed Teams token and runs the action', async () => {
    const result = await post(`Bearer ${await token({ key: teams }, bot.connector.serviceUrl)}`);
    expect(result.status).toBe(200);
    expect(cardText((result.body as { value?: unknown }).value)).toContain('Admin');
  });

  const now = () => Math.floor(Date.now() / 1000);
  const serviceUrl = () => bot.connector.serviceUrl;
  const valid = () => token({ key: teams }, serviceUrl());
  it.each<[string, () => Promise<string | undefined>]>([
    ['no Authorization header', async () => undefined],
    ['a wrong issuer', async () => `Bearer ${await token({ key: teams, issuer: 'https://evil.example' }, bot.connector.serviceUrl)}`],
    ['a wrong audience', async () => `Bearer ${await token({ key: teams, audience: 'another-bot' }, bot.connector.serviceUrl)}`],
    ['a token expired beyond the 5-minute skew', async () => `Bearer ${await token({ key: teams, expiresAt: now() - 600 }, bot.connector.serviceUrl)}`],
    ['a token not valid until later', async () => `Bearer ${await token({ key: teams, notBefore: now() + 600 }, bot.connector.serviceUrl)}`],
    ['alg none', async () => `Bearer ${unsigned(bot.connector.serviceUrl)}`],
    ['a key that is not published (unknown kid)', async () => `Bearer ${await token({ key: unpublished }, bot.connector.serviceUrl)}`],
    ['a serviceUrl claim for another service', async () => `Bearer ${await token({ key: teams, serviceUrl: 'https://evil.example/' }, bot.connector.serviceUrl)}`],
    ['a key not endorsed for the msteams channel', async () => `Bearer ${await token({ key: skypeOnly }, bot.connector.serviceUrl)}`],
    ['HS256 keyed with the published public key', async () => `Bearer ${hmacSigned(teams.kid, teams.publicKeyPem, serviceUrl())}`],
    ['HS256 keyed with the JWK modulus', async () => `Bearer ${hmacSigned(teams.kid, Buffer.from(teams.jwk.n ?? '', 'base64url'), serviceUrl())}`],
    ['HS256 keyed with an empty secret', async () => `Bearer ${hmacSigned(teams.kid, '', serviceUrl())}`],
    ['a signature by an unpublished key under a published kid', async () => `Bearer ${await token({ key: { ...unpublished, kid: teams.kid } }, serviceUrl())}`],
    ['a stripped signature', async () => { const [header, payload] = parts(await valid()); return `Bearer ${header}.${payload}.`; }],
    ['a tampered payload', async () => `Bearer ${tampered(await valid())}`],
    ['an alg that disagrees with the signature', async () => `Bearer ${withHeader(await valid(), { alg: 'RS512', kid: teams.kid, typ: 'JWT' })}`],
    ['a signature spliced from another token', async () => {
      const [header, payload] = parts(await valid());
      const [, , foreign] = parts(await token({ key: teams, audience: 'another-bot' }, serviceUrl()));
      return `Bearer ${header}.${payload}.${foreign}`;
    }],
    ['a token that is not a JWT', async () => 'Bearer not-a-token'],
    ['a scheme other than Bearer', async () => `Basic ${Buffer.from('user:password').toString('base64')}`],
  ])('refuses %s with 401 and runs nothing', async (_label, authorization) => {
    sandbox.resetStats();
    const repliesBefore = bot.connector.calls.length;
    const result = await post(await authorization());
    expect(result.status).toBe(401);
    expect(sandbox.stats().requests).toHaveLength(0);
    expect(bot.connector.calls).toHaveLength(repliesBefore);
  });

  it.each<[string, (activity: Record<string, unknown>) => unknown]>([
    ['no activity type', ({ type: _type, ...rest }) => rest],
    ['a numeric activity type', (activity) => ({ ...activity, type: 7 })],
    ['an object activity type', (activity) => ({ ...activity, type: { name: 'message' } })],
    ['an empty activity type', (activity) => ({ ...activity, type: '' })],
    ['an array instead of an activity', (activity) => [activity]],
    ['a string instead of an activity', () => 'message'],
  ])('answers a correctly signed body with %s 400, with no internal message, and runs nothing', async (_label, reshape) => {
    sandbox.resetStats();
    const repliesBefore = bot.connector.calls.length;
    const result = await bot.post(reshape(invoke()) as Record<string, unknown>, { authorization: `Bearer ${await valid()}` });
    expect(result.status).toBe(400);
    expect(JSON.stringify(result.body ?? '')).not.toMatch(/validateAndFixActivity|missing activity type|stack/i);
    expect(sandbox.stats().requests).toHaveLength(0);
    expect(bot.connector.calls).toHaveLength(repliesBefore);
  });
});
