import type { PartnerMarkerConfig, PartnerRuleMatch } from '../../config';
import type { EntraPartnerUser } from '../../graph/partnerUsers';
import type { UserAppAccessFacts } from '../../graph/userAppAccess';
import { isExpired, type PartnerAccount } from '../../onprem/partnerAccounts';

/** Which key joined an AD account to its Entra user, in the order Entra Connect's anchors are tried. */
export type JoinKey = 'objectSid' | 'immutableId' | 'userPrincipalName' | 'sAMAccountName';

export const JOIN_KEY_WORDS: Record<JoinKey, string> = {
  objectSid: 'objectSid = onPremisesSecurityIdentifier',
  immutableId: 'ms-DS-ConsistencyGuid / objectGUID = onPremisesImmutableId',
  userPrincipalName: 'userPrincipalName = onPremisesUserPrincipalName',
  sAMAccountName: 'sAMAccountName + domain = onPremisesSamAccountName + onPremisesDomainName',
};

/**
 * The six states of issue 10, in the order a record is tested: an account falls in the first that applies, so a partner
 * synced as Member is a security gap even when it also has a twin, because a member's access is the most urgent fix.
 */
export const PARTNER_STATES = ['securityGap', 'disabledOnPrem', 'twoIdentities', 'guestNotMarked', 'notInEntra', 'consistent'] as const;
export type PartnerState = (typeof PARTNER_STATES)[number];

export const STATE_TITLES: Record<PartnerState, string> = {
  securityGap: 'Security gap: a partner synced as Member',
  disabledOnPrem: 'Disabled or expired in AD, enabled in Entra',
  twoIdentities: 'Two identities for one person',
  guestNotMarked: 'A Guest in Entra the partner rule does not mark',
  notInEntra: 'A partner in AD, not in Entra yet',
  consistent: 'Consistent: a partner in AD, a Guest in Entra',
};

export interface PartnerRecord {
  state: PartnerState;
  /** The AD account; undefined for a synced guest whose AD account is not under the search base. */
  account?: PartnerAccount;
  /** The synced Entra user joined to it. */
  entra?: EntraPartnerUser;
  matchedBy?: JoinKey;
  /** The invited B2B guest holding one of the same addresses (two identities). */
  twin?: EntraPartnerUser;
  /** For two identities: the on-prem app access of the synced account and of the twin, when read. */
  appAccess?: { synced?: UserAppAccessFacts; twin?: UserAppAccessFacts };
  /** The sentence the card shows: what is wrong and what to do. */
  sentence: string;
}

const lower = (v: string | undefined): string | undefined => v?.toLowerCase();

/** The DNS domain of a DN's DC= components (DC=corp,DC=contoso,DC=com → corp.contoso.com), as onPremisesDomainName holds it. */
export function dnsDomainOf(dn: string): string {
  return [...dn.matchAll(/(?:^|,)\s*DC=([^,]+)/gi)].map((m) => (m[1] ?? '').toLowerCase()).join('.');
}

/** Where an address sits on an account: the attributes Entra Connect and invitations fill (AD has mail and proxyAddresses). */
export type AddressSource = 'mail' | 'otherMails' | 'proxyAddresses';

export interface KnownAddress {
  /** Lower-case: Exchange and Entra compare addresses without case. */
  address: string;
  source: AddressSource;
}

interface AddressHolder {
  mail?: string;
  proxyAddresses: readonly string[];
  otherMails?: readonly string[];
}

/** An SMTP proxy address, primary (SMTP:) or secondary (smtp:), without its prefix; undefined for X500:, SIP: and the rest. */
function smtpAddress(proxy: string): string | undefined {
  const m = /^\s*smtp:\s*(\S+)\s*$/i.exec(proxy);
  return m?.[1]?.toLowerCase();
}

/** Every email address an account is known by, each once, with the first attribute holding it (mail, then proxyAddresses, then otherMails). */
export function knownAddresses(x: AddressHolder): KnownAddress[] {
  const out = new Map<string, AddressSource>();
  const add = (address: string | undefined, source: AddressSource): void => {
    const a = address?.trim().toLowerCase();
    if (a && !out.has(a)) out.set(a, source);
  };
  add(x.mail, 'mail');
  for (const p of x.proxyAddresses) add(smtpAddress(p), 'proxyAddresses');
  for (const m of x.otherMails ?? []) add(m, 'otherMails');
  return [...out].map(([address, source]) => ({ address, source }));
}

/** The email addresses an account is known by: mail, otherMails and the smtp: proxy addresses, lower-case. */
export function addressesOf(x: AddressHolder): string[] {
  return knownAddresses(x).map((k) => k.address);
}

/** One address two accounts share, and where each holds it: what makes them one person. */
export interface SharedAddress {
  address: string;
  first: AddressSource;
  second: AddressSource;
}

/**
 * The address two accounts share, by mail, SMTP proxy address (either prefix case) or otherMails on either side, case
 * ignored. A shared mail is preferred, then the first's own order, so the card names the most telling match.
 */
export function sharedAddress(first: AddressHolder, second: AddressHolder): SharedAddress | undefined {
  const theirs = new Map(knownAddresses(second).map((k) => [k.address, k.source]));
  let best: SharedAddress | undefined;
  for (const mine of knownAddresses(first)) {
    const source = theirs.get(mine.address);
    if (!source) continue;
    const found = { address: mine.address, first: mine.source, second: source };
    if (mine.source === 'mail' && source === 'mail') return found;
    best ??= found;
  }
  return best;
}

/** Indexes synced Entra users by each join key, so joining 10,000 accounts is linear. */
export class SyncedUserIndex {
  private readonly bySid = new Map<string, EntraPartnerUser>();
  private readonly byImmutableId = new Map<string, EntraPartnerUser>();
  private readonly byUpn = new Map<string, EntraPartnerUser>();
  private readonly bySam = new Map<string, EntraPartnerUser>();

  constructor(users: Iterable<EntraPartnerUser> = []) {
    for (const u of users) this.add(u);
  }

  add(u: EntraPartnerUser): void {
    if (u.onPremisesSecurityIdentifier) this.bySid.set(u.onPremisesSecurityIdentifier.toUpperCase(), u);
    if (u.onPremisesImmutableId) this.byImmutableId.set(u.onPremisesImmutableId, u);
    if (u.onPremisesUserPrincipalName) this.byUpn.set(u.onPremisesUserPrincipalName.toLowerCase(), u);
    if (u.onPremisesSamAccountName && u.onPremisesDomainName) this.bySam.set(`${u.onPremisesSamAccountName}@${u.onPremisesDomainName}`.toLowerCase(), u);
  }

  /** The user this AD account is synced to, and which key said so: objectSid, else the immutable id, else UPN or sAMAccountName. */
  join(account: PartnerAccount, domain: string): { user: EntraPartnerUser; key: JoinKey } | undefined {
    const bySid = account.objectSid ? this.bySid.get(account.objectSid.toUpperCase()) : undefined;
    if (bySid) return { user: bySid, key: 'objectSid' };
    for (const id of [account.consistencyGuid, account.objectGuidBase64]) {
      const hit = id ? this.byImmutableId.get(id) : undefined;
      if (hit) return { user: hit, key: 'immutableId' };
    }
    const byUpn = account.userPrincipalName ? this.byUpn.get(account.userPrincipalName.toLowerCase()) : undefined;
    if (byUpn) return { user: byUpn, key: 'userPrincipalName' };
    const bySam = account.sAMAccountName ? this.bySam.get(`${account.sAMAccountName}@${domain}`.toLowerCase()) : undefined;
    return bySam ? { user: bySam, key: 'sAMAccountName' } : undefined;
  }
}

/** An invited B2B guest (not synced from AD): the other half of "two identities". */
export function isInvitedGuest(u: EntraPartnerUser): boolean {
  return u.onPremisesSyncEnabled !== true && lower(u.userType) === 'guest';
}

function ruleWords(match: PartnerRuleMatch): string {
  return 'upnSuffix' in match ? `its UPN suffix @${match.upnSuffix}` : `${match.attribute} = "${match.value}"`;
}

/** The sync rule expression that derives UserType from the partner rule, as Entra Connect's and Cloud Sync's docs write it. */
export function userTypeExpression(rules: PartnerMarkerConfig, match?: PartnerRuleMatch): string {
  if (match && 'upnSuffix' in match) return `IIF(InStr([userPrincipalName], "@${match.upnSuffix}") > 0, "Guest", "Member")`;
  if (rules.markerAttribute) return `IIF([${rules.markerAttribute}] = "${rules.markerValue}", "Guest", "Member")`;
  const [suffix] = rules.upnSuffixes;
  return suffix ? `IIF(InStr([userPrincipalName], "@${suffix}") > 0, "Guest", "Member")` : 'IIF(<your partner rule>, "Guest", "Member")';
}

function appWords(facts: UserAppAccessFacts | undefined): string {
  if (!facts) return 'not read';
  if (!facts.available) return facts.reason === 'noPermission' ? 'unknown (the bot may not read app assignments)' : 'could not be read';
  if (facts.apps.length === 0) return 'no on-prem app access';
  return facts.apps.map((a) => `${a.appName} (${a.roleName}${a.throughGroup ? ', through a group' : ''})`).join(', ') + (facts.more ? ', and more' : '');
}

/** Where a guest's sign-in goes: the identity Entra holds for them, in a few words. */
function guestSignInWords(u: EntraPartnerUser): string {
  const federated = u.identities.find((i) => lower(i.signInType) === 'federated');
  const issuer = lower(federated?.issuer);
  if (issuer === 'mail') return 'a one-time passcode sent to that address';
  if (issuer === 'microsoftaccount') return 'their Microsoft account';
  if (issuer && issuer !== 'externalazuread') return `their identity provider ${federated?.issuer ?? ''}`;
  return 'their own organization\'s account (their home tenant)';
}

export interface StateInput {
  account?: PartnerAccount;
  entra?: EntraPartnerUser;
  matchedBy?: JoinKey;
  twin?: EntraPartnerUser;
  appAccess?: PartnerRecord['appAccess'];
}

/** The state of one joined account and the sentence the issue asks for. Pure: the clock and the rule are passed in. */
export function partnerRecord(input: StateInput, rules: PartnerMarkerConfig, now: Date): PartnerRecord {
  const { account, entra, twin } = input;
  const base = { ...input };
  const name = account?.userPrincipalName ?? account?.sAMAccountName ?? entra?.userPrincipalName ?? entra?.id ?? 'this account';
  const partner = account?.partner;
  const entraType = lower(entra?.userType);
  if (account && partner && entra && entraType !== 'guest') {
    return {
      ...base,
      state: 'securityGap',
      sentence:
        `The partner rule marks ${name} (${ruleWords(partner)}), but Entra Connect synced it as ${entra.userType ?? 'Member'}. ` +
        `The sync rule should set UserType = ${userTypeExpression(rules, partner)} (an inbound "In from AD – User" rule with that expression, on a version of Entra Connect that may change UserType of existing users). ` +
        'Until it changes, this partner has a member\'s access: they can read the directory and everything shared with all employees.',
    };
  }
  const expired = account ? isExpired(account, now) : false;
  if (account && partner && entra && (account.disabled || expired) && entra.accountEnabled !== false) {
    const why = account.disabled ? 'disabled in AD' : `expired in AD on ${account.accountExpires === 'never' ? '' : account.accountExpires.toISOString().slice(0, 10)}`;
    return {
      ...base,
      state: 'disabledOnPrem',
      sentence: `${name} is ${why} but still enabled in Entra: sync lag (the next sync cycle carries a disabled account) or a missed offboarding. Until then they can still sign in to cloud apps; disable the Entra account too, or enable the AD account if they should stay.`,
    };
  }
  if (account && partner && entra && twin) {
    const onAccount = sharedAddress(account, twin);
    const match = onAccount ?? sharedAddress(entra, twin);
    const email = match?.address ?? twin.mail ?? '';
    const where = match ? ` (${onAccount ? 'the AD account\'s' : 'the synced account\'s'} ${match.first}, the invited guest's ${match.second})` : '';
    // The guest signs in with the address they were invited with (their mail); a shared otherMails entry is only bookkeeping.
    const signInAs = twin.mail ?? email;
    return {
      ...base,
      state: 'twoIdentities',
      sentence:
        `${name} has two identities: the synced account ${entra.userPrincipalName ?? entra.id} and the invited guest ${twin.userPrincipalName ?? twin.id}, both with ${email}${where}. ` +
        `Signing in as ${signInAs} uses the invited guest, who signs in with ${guestSignInWords(twin)}; the synced account signs in only as ${entra.userPrincipalName ?? 'its UPN'} with the on-prem password. ` +
        `App access: the synced account holds ${appWords(input.appAccess?.synced)}; the invited guest holds ${appWords(input.appAccess?.twin)}. Keep one: move the app access to the one that stays, then remove or disable the other.`,
    };
  }
  if (entra && entraType === 'guest' && !partner) {
    const marker = rules.markerAttribute ? `${rules.markerAttribute} is ${account?.markerValue ? `"${account.markerValue}"` : 'not set'}` : 'no marker attribute is configured';
    const where = account ? `its AD account ${account.sAMAccountName} is not marked as a partner (${marker}${rules.upnSuffixes.length > 0 ? `, and its UPN is not under ${rules.upnSuffixes.map((s) => `@${s}`).join(', ')}` : ''})` : 'its AD account is not under the search base, so the partner rule cannot be checked';
    return {
      ...base,
      state: 'guestNotMarked',
      sentence: `Entra has ${entra.userPrincipalName ?? entra.id} as a synced Guest, but ${where}: either an employee was made a guest, or the sync rule is wider than the partner rule. Mark the account as a partner, or narrow the sync rule.`,
    };
  }
  if (account && partner && !entra) {
    return {
      ...base,
      state: 'notInEntra',
      sentence: `The partner rule marks ${name} (${ruleWords(partner)}), but no Entra user matches its objectSid, immutable id, UPN or sAMAccountName: not synced yet (Entra Connect syncs every 30 minutes by default), outside the sync scope (OU or group filtering), or filtered by a sync rule.`,
    };
  }
  return {
    ...base,
    state: 'consistent',
    sentence: partner ? `A partner in AD (${ruleWords(partner)}) and a Guest in Entra.` : `${name}: nothing to do.`,
  };
}

export type StateCounts = Record<PartnerState, number>;

export function countStates(records: readonly PartnerRecord[]): StateCounts {
  const counts = Object.fromEntries(PARTNER_STATES.map((s) => [s, 0])) as StateCounts;
  for (const r of records) counts[r.state]++;
  return counts;
}
