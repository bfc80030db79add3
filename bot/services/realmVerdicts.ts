import type { OwnDomain, OwnFederation } from '../graph/domains';
import type { UserRealmAnswer } from './realmPorts';
import { sentenceFor } from './realmSentences';
import type { RealmKind, RealmVerdict } from './realmVerdict';
import type { DomainName, EmailAddress } from './userRef';

/** One thing being found out: not yet answered, answered, or failed with a reason a person can read. */
export type Part<T> = { state: 'pending' } | { state: 'ok'; value: T } | { state: 'failed'; reason: string };

export interface OwnFacts {
  domain?: OwnDomain;
  /** Only for our federated domains. */
  federation?: Part<OwnFederation | undefined>;
}

/** What is known about one domain at the moment the verdict is given. */
export interface RealmParts {
  own: Part<OwnFacts>;
  realm: Part<UserRealmAnswer>;
  tenant: Part<string | null>;
}

/** Whether an address has a Microsoft account; `answered` is false when the endpoint could not be asked. */
export interface MsaAnswer {
  answered: boolean;
  hasAccount?: boolean;
}

const PROTOCOL_NAMES: Record<string, string> = {
  wstrust: 'WS-Federation',
  wsfed: 'WS-Federation',
  saml20: 'SAML 2.0',
  saml: 'SAML 2.0',
};

function protocolName(protocol: string | null | undefined): string | undefined {
  if (!protocol) return undefined;
  return PROTOCOL_NAMES[protocol.toLowerCase()] ?? protocol;
}

function hostOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

/** Our own domains win; then what userrealm says; then a tenant from openid-configuration alone. */
export function kindOf(parts: RealmParts): RealmKind {
  if (parts.own.state === 'ok' && parts.own.value.domain) {
    return parts.own.value.domain.authenticationType === 'Federated' ? 'ownFederated' : 'ownManaged';
  }
  if (parts.realm.state === 'ok') {
    const realm = parts.realm.value;
    if (realm.namespace === 'Federated') return 'federated';
    if (realm.namespace === 'Managed' && !realm.viral) return 'managedTenant';
    return 'consumerOrUnknown';
  }
  if (parts.tenant.state === 'ok' && parts.tenant.value) return 'managedTenant';
  return 'consumerOrUnknown';
}

/**
 * The verdict from whatever has answered: the parts that matter for this kind of domain and are not known are listed in
 * `missing`, with why (failed, or no answer within the budget).
 */
export function verdictFor(domain: DomainName, email: EmailAddress | undefined, parts: RealmParts, msa: MsaAnswer | undefined, answerMs: number): RealmVerdict {
  const kind = kindOf(parts);
  const missing: string[] = [];
  const realm = parts.realm.state === 'ok' ? parts.realm.value : undefined;
  const tenantId = parts.tenant.state === 'ok' ? (parts.tenant.value ?? undefined) : undefined;
  const isOwn = kind === 'ownManaged' || kind === 'ownFederated';
  const why = (part: Part<unknown>): string => (part.state === 'failed' ? part.reason : `no answer within ${(answerMs / 1000).toString()} s`);

  if (parts.own.state !== 'ok') missing.push(`whether this is one of our own domains (Microsoft Graph: ${why(parts.own)})`);
  if (!isOwn && parts.realm.state !== 'ok') missing.push(`where Entra sends the sign-in (home realm discovery: ${why(parts.realm)})`);
  if ((kind === 'managedTenant' || kind === 'federated') && parts.tenant.state !== 'ok') {
    missing.push(`the organization's tenant id (openid-configuration: ${why(parts.tenant)})`);
  }
  const federationPart = parts.own.state === 'ok' ? parts.own.value.federation : undefined;
  const ownFederation = federationPart?.state === 'ok' ? federationPart.value : undefined;
  if (kind === 'ownFederated' && federationPart && federationPart.state !== 'ok') {
    missing.push(`our federation settings for this domain (Microsoft Graph: ${why(federationPart)})`);
  }
  if (msa && !msa.answered) {
    missing.push('whether this address has a Microsoft account');
  }

  const verdict: RealmVerdict = {
    domain: domain.unicode,
    ...(domain.unicode !== domain.ascii ? { asciiDomain: domain.ascii } : {}),
    kind,
    sentence: '',
    missing,
  };
  const brand = realm?.brandName;
  if (brand) verdict.organizationName = brand;
  if (tenantId) verdict.tenantId = tenantId;
  if (kind === 'federated' && realm) {
    verdict.federation = { brand, protocol: protocolName(realm.federationProtocol), idpHost: hostOf(realm.authUrl) };
  }
  if (kind === 'ownFederated') {
    verdict.federation = {
      brand: ownFederation?.displayName ?? brand,
      protocol: protocolName(ownFederation?.preferredAuthenticationProtocol ?? realm?.federationProtocol),
      idpHost: hostOf(ownFederation?.passiveSignInUri) ?? hostOf(realm?.authUrl),
    };
  }
  if (msa?.hasAccount !== undefined) verdict.microsoftAccount = msa.hasAccount;
  verdict.sentence = sentenceFor(verdict, { email, realmKnown: parts.realm.state === 'ok' || isOwn, viral: realm?.viral ?? false });
  return verdict;
}
