import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type RunningSandbox } from '../../../sandbox/server';
import { buildActivity, cardText, startBotOn, type TestBot } from '../../helpers/bot';
import {
  CHANNEL_ISSUER as ISSUER,
  channelClaims,
  channelToken,
  hmacSignedToken,
  jwtParts as parts,
  signingKey,
  splicedToken,
  startChannelAuthority,
  tamperedToken as tampered,
  unsignedToken,
  withHeader,
  type SigningKey,
  type TokenOptions,
} from '../../helpers/botFrameworkTokens';
import { startTestSandbox } from '../../helpers/sandbox';

/**
 * The real CloudAdapter's inbound checks, fed by our own Bot Framework channel authority: OpenID metadata and a JWKS served
 * over HTTPS, and tokens minted here. Every forged variant must be refused, and a well-formed token accepted, so the test
 * proves the checks run rather than that every request fails.
 */

const APP_ID = '7e1f0000-0000-4000-8000-000000000001';
const ADMIN = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };

type Minted = Omit<TokenOptions, 'appId' | 'serviceUrl' | 'serviceUrlClaim'> & { serviceUrl?: string };

function token(options: Minted, serviceUrl: string): Promise<string> {
  return channelToken({ ...options, appId: APP_ID, serviceUrl, serviceUrlClaim: options.serviceUrl });
}

const unsigned = (serviceUrl: string): string => unsignedToken(channelClaims(APP_ID, serviceUrl));
const hmacSigned = (kid: string, secret: string | Buffer, serviceUrl: string): string => hmacSignedToken(kid, secret, channelClaims(APP_ID, serviceUrl));

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
    ['a signature spliced from another token', async () => `Bearer ${splicedToken(await valid(), await token({ key: teams, audience: 'another-bot' }, serviceUrl()))}`],
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
