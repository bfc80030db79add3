import { randomBytes, randomUUID } from 'node:crypto';

export interface IssuedToken {
  appId: string;
  tenantId: string;
  expiresAt: number;
  /** The application permissions granted when the token was issued, as the `roles` claim of an app-only Entra token. */
  roles: readonly string[];
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Access tokens shaped like Entra's app-only tokens for Graph: a JWT whose payload carries `aud`, `tid`, `appid`,
 * `idtyp: app` and the granted application permissions in `roles`, so a person (or jwt.ms) can read what the app holds.
 * The signature is random bytes: clients must not validate Graph tokens, and the sandbox recognises its own by value.
 * Like Entra's, a token keeps the roles it was issued with: a consent granted or revoked later applies to the next token.
 */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  issue(appId: string, tenantId: string, lifetimeSeconds: number, roles: readonly string[] = []): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: 'sandbox' };
    const payload = {
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      appid: appId,
      idtyp: 'app',
      oid: appId,
      sub: appId,
      tid: tenantId,
      uti: randomUUID(),
      ver: '1.0',
      ...(roles.length > 0 ? { roles: [...roles] } : {}),
    };
    const token = `${base64url(header)}.${base64url(payload)}.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, { appId, tenantId, expiresAt: Date.now() + lifetimeSeconds * 1000, roles: [...roles] });
    return token;
  }

  /** The token's grant, 'expired', or undefined for a string this sandbox never issued. */
  check(token: string): IssuedToken | 'expired' | undefined {
    const found = this.tokens.get(token);
    if (!found) return undefined;
    if (found.expiresAt <= Date.now()) return 'expired';
    return found;
  }
}
