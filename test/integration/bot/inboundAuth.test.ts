import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
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
  jwk: JWK;
}

async function signingKey(kid: string, endorsements: string[]): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256', endorsements } as JWK;
  return { kid, privateKey, jwk };
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

function unsigned(serviceUrl: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ iss: ISSUER, aud: APP_ID, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600 })}.`;
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
  // botbuilder 4.23 maps every refusal to 401 except jsonwebtoken's NotBeforeError, which reaches CloudAdapter.process as a
  // plain error and is answered 500. The request is still refused and nothing runs; the expected status records the quirk.
  it.each<[string, () => Promise<string | undefined>, number?]>([
    ['no Authorization header', async () => undefined],
    ['a wrong issuer', async () => `Bearer ${await token({ key: teams, issuer: 'https://evil.example' }, bot.connector.serviceUrl)}`],
    ['a wrong audience', async () => `Bearer ${await token({ key: teams, audience: 'another-bot' }, bot.connector.serviceUrl)}`],
    ['a token expired beyond the 5-minute skew', async () => `Bearer ${await token({ key: teams, expiresAt: now() - 600 }, bot.connector.serviceUrl)}`],
    ['a token not valid until later', async () => `Bearer ${await token({ key: teams, notBefore: now() + 600 }, bot.connector.serviceUrl)}`, 500],
    ['alg none', async () => `Bearer ${unsigned(bot.connector.serviceUrl)}`],
    ['a key that is not published (unknown kid)', async () => `Bearer ${await token({ key: unpublished }, bot.connector.serviceUrl)}`],
    ['a serviceUrl claim for another service', async () => `Bearer ${await token({ key: teams, serviceUrl: 'https://evil.example/' }, bot.connector.serviceUrl)}`],
    ['a key not endorsed for the msteams channel', async () => `Bearer ${await token({ key: skypeOnly }, bot.connector.serviceUrl)}`],
  ])('refuses %s and runs nothing', async (_label, authorization, status = 401) => {
    sandbox.resetStats();
    const result = await post(await authorization());
    expect(result.status).toBe(status);
    expect(sandbox.stats().requests).toHaveLength(0);
  });
});
