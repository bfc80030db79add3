import { randomBytes } from 'node:crypto';

export interface IssuedToken {
  appId: string;
  tenantId: string;
  expiresAt: number;
}

/** Opaque bearer tokens: random strings remembered with who they were issued to and when they expire. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  issue(appId: string, tenantId: string, lifetimeSeconds: number): string {
    const token = `sbx.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, { appId, tenantId, expiresAt: Date.now() + lifetimeSeconds * 1000 });
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
