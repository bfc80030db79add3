/**
 * Where Entra sends a sign-in for an email address or domain: the answer `realm` shows and the invite confirmation card
 * previews. Produced by the realm service (bot/services/realm.ts) from userrealm v2.1, the per-domain openid-configuration,
 * and our own tenant's domains and federationConfiguration.
 */
export type RealmKind =
  /** Another organization's Entra tenant: the guest signs in with their own work account. */
  | 'managedTenant'
  /** Another organization federated with its own IdP (AD FS, a SAML IdP): sign-in goes there. */
  | 'federated'
  /** Not in Entra (gmail.com, a small company without Microsoft 365): Microsoft account or email one-time passcode. */
  | 'consumerOrUnknown'
  /** One of our own managed domains. */
  | 'ownManaged'
  /** One of our own domains, federated with our on-prem IdP: how locally managed partners use their email to sign in. */
  | 'ownFederated';

export interface RealmVerdict {
  /** The domain asked about, lower-case, in Unicode. */
  domain: string;
  /** The punycode (ASCII) form when it differs from `domain`, so a look-alike domain is visible. */
  asciiDomain?: string;
  kind: RealmKind;
  /** Brand or tenant display name as Entra reports it. */
  organizationName?: string;
  tenantId?: string;
  federation?: { brand?: string; protocol?: string; idpHost?: string };
  /** For consumerOrUnknown: whether the address has a Microsoft account, when that can be known. */
  microsoftAccount?: boolean;
  /** One plain sentence for a card: where the sign-in goes and what that means. */
  sentence: string;
  /** What could not be found out in time (login endpoint slow or down, malformed answer); empty when the verdict is complete. */
  missing: string[];
}

export interface RealmLookup {
  /** Accepts an email address or a bare domain. Never throws for endpoint trouble: it answers with what is known. */
  resolve(emailOrDomain: string): Promise<RealmVerdict>;
}
