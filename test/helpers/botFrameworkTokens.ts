import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import { ensureSandboxTls } from '../../sandbox/tls';
import { TEST_TLS_DIR } from './sandbox';

/**
 * A Bot Framework channel authority of our own (OpenID metadata and a JWKS over HTTPS) and the tokens it would sign, real
 * and forged, so that the real CloudAdapter's inbound checks can be fed every variant an attacker would try. The bot is
 * pointed at it with ToBotFromChannelOpenIdMetadataUrl and ToBotFromChannelTokenIssuer.
 */

export const CHANNEL_ISSUER = 'https://api.botframework.com';

export interface SigningKey {
  kid: string;
  privateKey: KeyLike;
  publicKeyPem: string;
  jwk: JWK;
}

/** An RS256 key as the channel publishes it, endorsed for the given channels (msteams, skype, …). */
export async function signingKey(kid: string, endorsements: string[]): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256', endorsements } as JWK;
  return { kid, privateKey, publicKeyPem: await exportSPKI(publicKey), jwk };
}

export interface ChannelAuthority {
  /** The OpenID configuration's URL, for ToBotFromChannelOpenIdMetadataUrl. */
  url: string;
  /** How many times the metadata or the keys were fetched: botbuilder caches them, so a suite can see it asked at all. */
  fetches(): number;
  close(): Promise<void>;
}

/** Serves the OpenID configuration and the JWKS of `keys`, with the sandbox's test certificate. */
export async function startChannelAuthority(keys: SigningKey[], issuer = CHANNEL_ISSUER): Promise<ChannelAuthority> {
  const tls = ensureSandboxTls(TEST_TLS_DIR);
  let fetches = 0;
  const server = https.createServer({ cert: tls.serverCertPem, key: tls.serverKeyPem }, (req, res) => {
    fetches += 1;
    const base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const body =
      req.url === '/v1/.well-known/openidconfiguration'
        ? { issuer, jwks_uri: `${base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }
        : req.url === '/v1/keys'
          ? { keys: keys.map((k) => k.jwk) }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/v1/.well-known/openidconfiguration`,
    fetches: () => fetches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TokenOptions {
  key: SigningKey;
  /** The bot's app id: the token's audience unless `audience` says otherwise. */
  appId: string;
  serviceUrl: string;
  issuer?: string;
  audience?: string;
  /** The serviceurl claim, when it should differ from the activity's serviceUrl. */
  serviceUrlClaim?: string;
  expiresAt?: number;
  notBefore?: number;
  /** Further claims, such as another bot's `appid`. */
  extra?: Record<string, unknown>;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A token as the channel signs it for this bot, unless an option changes one part of it. */
export async function channelToken(options: TokenOptions): Promise<string> {
  const now = nowSeconds();
  return new SignJWT({ serviceurl: options.serviceUrlClaim ?? options.serviceUrl, ...options.extra })
    .setProtectedHeader({ alg: 'RS256', kid: options.key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? CHANNEL_ISSUER)
    .setAudience(options.audience ?? options.appId)
    .setIssuedAt(now - 60)
    .setNotBefore(options.notBefore ?? now - 60)
    .setExpirationTime(options.expiresAt ?? now + 3600)
    .sign(options.key.privateKey);
}

export const base64UrlJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims of a valid channel token, for forgeries that build the JWT by hand. */
export function channelClaims(appId: string, serviceUrl: string): Record<string, unknown> {
  const now = nowSeconds();
  return { iss: CHANNEL_ISSUER, aud: appId, serviceurl: serviceUrl, iat: now - 60, nbf: now - 60, exp: now + 3600 };
}

/** `alg: none` in the given spelling, with an empty signature or a leftover one. */
export function unsignedToken(claims: Record<string, unknown>, alg = 'none', leftoverSignature = ''): string {
  return `${base64UrlJson({ alg, typ: 'JWT' })}.${base64UrlJson(claims)}.${leftoverSignature}`;
}

/** The classic key-confusion forgery: HS256 keyed with something public, under the kid of a published RSA key. */
export function hmacSignedToken(kid: string, secret: string | Buffer, claims: Record<string, unknown>): string {
  const signingInput = `${base64UrlJson({ alg: 'HS256', kid, typ: 'JWT' })}.${base64UrlJson(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

export function jwtParts(jwt: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  return [header, payload, signature];
}

/** The payload changed after signing (the audience, here), the signature kept. */
export function tamperedToken(jwt: string): string {
  const [header, payload, signature] = jwtParts(jwt);
  const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${base64UrlJson({ ...body, aud: `${String(body.aud)}-x` })}.${signature}`;
}

/** Another header over the same payload and signature. */
export function withHeader(jwt: string, header: Record<string, unknown>): string {
  const [, payload, signature] = jwtParts(jwt);
  return `${base64UrlJson(header)}.${payload}.${signature}`;
}

/** The header and payload of one token with the signature of another. */
export function splicedToken(headerAndPayloadFrom: string, signatureFrom: string): string {
  const [header, payload] = jwtParts(headerAndPayloadFrom);
  return `${header}.${payload}.${jwtParts(signatureFrom)[2]}`;
}
