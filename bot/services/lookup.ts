import { matchPartnerRule, type PartnerMarkerConfig, type PartnerRuleMatch } from '../config';
import { whoisDetailFor, type CapabilityCaller } from '../identity/capabilities';
import { MAX_CANDIDATES, type AddressOwner, type DirectoryUser, type SignInActivity, type UserLookup, type UserQuery, type WhoisReads } from '../graph/users';
import type { UserAppAccessFacts } from '../graph/userAppAccess';
import { systemClock, type Clock } from './realmPorts';
import type { RealmLookup, RealmVerdict } from './realmVerdict';
import { parseRealmInput, domainName } from './userRef';

/** REALM_ANSWER_MS's default, for a LookupService built without settings. */
const DEFAULT_REALM_ANSWER_MS = 2000;

/** The Graph reads the lookup needs. GraphUsers implements it. */
export interface UserDirectory {
  whois(q: UserQuery, reads: WhoisReads): Promise<UserLookup>;
  ownersOfAddress(address: string): Promise<AddressOwner[]>;
}

/** Where an account comes from, derived from creationType, onPremisesSyncEnabled and the configured partner marker. */
export type AccountSource =
  | { kind: 'invitedGuest' }
  | { kind: 'syncedPartner'; markedBy: { attribute: string; value: string } | { upnSuffix: string } }
  | { kind: 'syncedMember' }
  | { kind: 'cloudOnly' }
  | { kind: 'emailVerified' }
  | { kind: 'selfServiceSignUp' }
  | { kind: 'localAccount' };

export type SignInMethod =
  | { kind: 'entra' }
  | { kind: 'microsoftAccount' }
  | { kind: 'google' }
  | { kind: 'facebook' }
  | { kind: 'emailOtp' }
  | { kind: 'federatedIdp'; issuer: string }
  | { kind: 'ourAccount'; name: string }
  | { kind: 'other'; signInType: string; issuer: string };

export type AccountWarning =
  /**
   * Entra Connect's sync rule derives UserType from the partner marker (`PARTNER_MARKER_*`, `PARTNER_UPN_SUFFIXES`); here it
   * made a marked partner a Member, which gives them employee-level access.
   */
  | { kind: 'partnerSyncedAsMember'; markedBy: string }
  /** A synced Guest the partner rule does not recognise: the sync rule and the marker disagree. */
  | { kind: 'syncedGuestWithoutMarker' };

export interface UserSummary {
  id: string;
  displayName: string;
  userPrincipalName?: string;
  mail?: string;
  companyName?: string;
  userType?: 'Guest' | 'Member';
  accountEnabled?: boolean;
  created?: string;
  source: AccountSource;
  onPremises?: { userPrincipalName?: string; samAccountName?: string; domainName?: string };
  warnings: AccountWarning[];
  /** For guests: the invitation's state and since when. */
  invitation?: { state: 'PendingAcceptance' | 'Accepted' | 'unknown'; since?: string };
  signInMethods: SignInMethod[];
  /** Undefined when the caller may not see them (whoisDetailFor): they were not read. */
  sponsors?: { displayName: string; isGroup: boolean }[];
  /** Undefined when the caller may not see it: it was not read. */
  lastSignIn?: SignInActivity;
  /**
   * Assignments to on-prem apps published through Application Proxy, or why they could not be read; for an app owner who is
   * not a partner manager or admin, only those on the apps they own (`onlyOwnedApps`).
   */
  appAccess: UserAppAccessFacts;
  /**
   * The end dates of the bot's live grants among the apps listed in `appAccess` (set by the access request service after
   * the lookup, from the store): whois shows each grant's end beside its app.
   */
  /** `adGroups`: the AD groups (their CNs) the grant put the partner's AD account in, for a Kerberos app role mapped to groups. */
  grantEnds?: { appName: string; roleName: string; endsAt: string; adGroups?: string[] }[];
  /** The address the Check realm button asks about: where this person's sign-in name would send them. */
  realmTarget?: string;
  /** A synced account whose mail is in a domain other than its UPN's: signing in with the mail may go elsewhere. */
  mailDomainDiffers?: { mailDomain: string; upnDomain: string };
}

export interface Candidate {
  id: string;
  displayName: string;
  userPrincipalName?: string;
  mail?: string;
  userType?: string;
  companyName?: string;
}

export type WhoisResult =
  | { kind: 'found'; user: UserSummary }
  | { kind: 'ambiguous'; query: string; candidates: Candidate[]; more: boolean }
  | { kind: 'notFound'; query: string };

export interface HomeRealmProblem {
  user: { id: string; displayName: string; userPrincipalName?: string };
  /** The realm verdict for the UPN's domain, when it could be checked: whether the suffix is already federated. */
  upnRealm?: RealmVerdict;
}

export interface RealmReport {
  query: string;
  verdict: RealmVerdict;
  /** A local synced account here holds this address while the domain belongs elsewhere: sign-in with it fails. */
  homeRealmProblem?: HomeRealmProblem;
  /** Could not check whether someone here holds the address. */
  ownerCheckFailed?: boolean;
}

function normalizeUserType(value: string | undefined): 'Guest' | 'Member' | undefined {
  if (value?.toLowerCase() === 'guest') return 'Guest';
  if (value?.toLowerCase() === 'member') return 'Member';
  return undefined;
}

function normalizeState(value: string | undefined): 'PendingAcceptance' | 'Accepted' | 'unknown' {
  const v = (value ?? '').replace(/\s+/g, '').toLowerCase();
  if (v === 'pendingacceptance') return 'PendingAcceptance';
  if (v === 'accepted') return 'Accepted';
  return 'unknown';
}

function domainOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : undefined;
}

/** Which partner marker, if any, this synced account carries (the one rule: config.ts `matchPartnerRule`). */
export function partnerMarker(user: DirectoryUser, rules: PartnerMarkerConfig): PartnerRuleMatch | undefined {
  return matchPartnerRule(
    {
      markerValueOf: (attribute) => {
        const key = Object.keys(user.onPremisesExtensionAttributes).find((k) => k.toLowerCase() === attribute.toLowerCase());
        return key ? user.onPremisesExtensionAttributes[key] : undefined;
      },
      userPrincipalNames: [user.onPremisesUserPrincipalName, user.userPrincipalName],
    },
    rules,
  );
}

export function accountSource(user: DirectoryUser, rules: PartnerMarkerConfig): AccountSource {
  const creation = (user.creationType ?? '').toLowerCase();
  if (creation === 'invitation') return { kind: 'invitedGuest' };
  if (creation === 'emailverified') return { kind: 'emailVerified' };
  if (creation === 'selfservicesignup') return { kind: 'selfServiceSignUp' };
  if (creation === 'localaccount') return { kind: 'localAccount' };
  if (user.onPremisesSyncEnabled === true) {
    const markedBy = partnerMarker(user, rules);
    return markedBy ? { kind: 'syncedPartner', markedBy } : { kind: 'syncedMember' };
  }
  return { kind: 'cloudOnly' };
}

/** Identities in terms of how the person signs in. The userPrincipalName entry of a guest is our bookkeeping, not a method. */
export function signInMethods(user: DirectoryUser, isGuestLike: boolean): SignInMethod[] {
  const methods: SignInMethod[] = [];
  for (const identity of user.identities) {
    const type = (identity.signInType ?? '').toLowerCase();
    const issuer = identity.issuer ?? '';
    const lower = issuer.toLowerCase();
    if (type === 'userprincipalname') {
      if (!isGuestLike) methods.push({ kind: 'ourAccount', name: identity.issuerAssignedId ?? user.userPrincipalName ?? '' });
      continue;
    }
    if (type === 'federated') {
      if (lower === 'externalazuread') methods.push({ kind: 'entra' });
      else if (lower === 'microsoftaccount') methods.push({ kind: 'microsoftAccount' });
      else if (lower === 'google.com') methods.push({ kind: 'google' });
      else if (lower === 'facebook.com') methods.push({ kind: 'facebook' });
      else if (lower === 'mail') methods.push({ kind: 'emailOtp' });
      else methods.push({ kind: 'federatedIdp', issuer });
      continue;
    }
    methods.push({ kind: 'other', signInType: identity.signInType ?? '', issuer });
  }
  if (methods.length === 0 && !isGuestLike && user.userPrincipalName) methods.push({ kind: 'ourAccount', name: user.userPrincipalName });
  return methods;
}

export function summarize(
  user: DirectoryUser,
  signIn: UserLookup['signIn'],
  rules: PartnerMarkerConfig,
  appAccess: UserAppAccessFacts,
  shown: { sponsors: boolean } = { sponsors: true },
): UserSummary {
  const userType = normalizeUserType(user.userType);
  const source = accountSource(user, rules);
  const warnings: AccountWarning[] = [];
  if (source.kind === 'syncedPartner' && userType === 'Member') {
    const markedBy = 'upnSuffix' in source.markedBy ? `its UPN suffix @${source.markedBy.upnSuffix}` : `${source.markedBy.attribute} = "${source.markedBy.value}"`;
    warnings.push({ kind: 'partnerSyncedAsMember', markedBy });
  }
  if (source.kind === 'syncedMember' && userType === 'Guest') warnings.push({ kind: 'syncedGuestWithoutMarker' });
  const invited = source.kind === 'invitedGuest';
  const isGuestLike = invited || source.kind === 'emailVerified' || source.kind === 'selfServiceSignUp';
  const synced = user.onPremisesSyncEnabled === true;
  const mailDomain = domainOf(user.mail);
  const upnDomain = domainOf(user.userPrincipalName);
  const lastSignIn: SignInActivity | undefined = signIn instanceof Map ? (signIn.get(user.id.toLowerCase()) ?? { available: true }) : signIn;
  return {
    id: user.id,
    displayName: user.displayName ?? user.userPrincipalName ?? user.id,
    userPrincipalName: user.userPrincipalName,
    mail: user.mail,
    companyName: user.companyName,
    userType,
    accountEnabled: user.accountEnabled,
    created: user.createdDateTime,
    source,
    onPremises: synced
      ? { userPrincipalName: user.onPremisesUserPrincipalName, samAccountName: user.onPremisesSamAccountName, domainName: user.onPremisesDomainName }
      : undefined,
    warnings,
    invitation: invited || user.externalUserState ? { state: normalizeState(user.externalUserState), since: user.externalUserStateChangeDateTime } : undefined,
    signInMethods: signInMethods(user, isGuestLike),
    ...(shown.sponsors ? { sponsors: user.sponsors.map((s) => ({ displayName: s.displayName ?? s.id, isGroup: s.isGroup })) } : {}),
    ...(lastSignIn ? { lastSignIn } : {}),
    appAccess,
    realmTarget: (invited ? user.mail : (user.mail ?? user.userPrincipalName)) ?? undefined,
    ...(synced && mailDomain && upnDomain && mailDomain !== upnDomain ? { mailDomainDiffers: { mailDomain, upnDomain } } : {}),
  };
}

/**
 * Answers `whois` and `realm`: one Graph round trip for an exact reference, a pick list for an ambiguous name, and the
 * realm verdict joined with what our directory knows about the address.
 */
export class LookupService {
  private readonly answerMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly directory: UserDirectory,
    private readonly realm: RealmLookup,
    private readonly partners: PartnerMarkerConfig,
    /** `answerMs`: realm's promise (REALM_ANSWER_MS), which the address-owner check keeps too. */
    options: { answerMs?: number; clock?: Clock } = {},
  ) {
    this.answerMs = options.answerMs ?? DEFAULT_REALM_ANSWER_MS;
    this.clock = options.clock ?? systemClock;
  }

  /** Who someone is, with as much detail as the caller may see (whoisDetailFor); nothing else is read. */
  async whois(q: UserQuery, caller: CapabilityCaller): Promise<WhoisResult> {
    const detail = whoisDetailFor(caller);
    const reads: WhoisReads = {
      sponsors: detail.sponsors,
      lastSignIn: detail.lastSignIn,
      appAccess: detail.appAccess === 'allApps' ? { scope: 'all' } : { scope: 'ownedBy', ownerId: caller.aadObjectId },
    };
    const found = await this.directory.whois(q, reads);
    const [only, ...others] = found.users;
    if (!only) return { kind: 'notFound', query: q.value };
    if (others.length === 0) {
      const appAccess = found.appAccess ?? { available: false, reason: 'unavailable' } satisfies UserAppAccessFacts;
      return { kind: 'found', user: summarize(only, found.signIn, this.partners, appAccess, { sponsors: detail.sponsors }) };
    }
    const candidates = found.users
      .map((u) => ({ id: u.id, displayName: u.displayName ?? u.userPrincipalName ?? u.id, userPrincipalName: u.userPrincipalName, mail: u.mail, userType: u.userType, companyName: u.companyName }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
    return { kind: 'ambiguous', query: q.value, candidates: candidates.slice(0, MAX_CANDIDATES), more: candidates.length > MAX_CANDIDATES };
  }

  /**
   * The realm verdict for an address or domain. For an address in a domain that is not ours, also whether a synced local
   * account here holds it: then a sign-in with that address goes to the other organization, and the local credentials fail.
   */
  /**
   * The realm verdict and the home-realm problem check, within `answerMs` of the question: an owner lookup that Graph
   * has not answered by then is reported as not checked, like any other part realm could not find out in time.
   */
  async checkRealm(input: string): Promise<RealmReport> {
    const budget = this.clock.timer(this.answerMs);
    try {
      const parsed = parseRealmInput(input);
      const verdictPromise = this.realm.resolve(input);
      const email = parsed.ok ? parsed.value.email : undefined;
      const ownersPromise = email ? this.directory.ownersOfAddress(email.address).then((o) => o, () => undefined) : Promise.resolve([]);
      const [verdict, owners] = await Promise.all([verdictPromise, Promise.race([ownersPromise, budget.elapsed.then(() => undefined)])]);
      const report: RealmReport = { query: input, verdict };
      if (owners === undefined) {
        report.ownerCheckFailed = true;
        return report;
      }
      const ours = verdict.kind === 'ownManaged' || verdict.kind === 'ownFederated';
      const local = owners.find((o) => o.onPremisesSyncEnabled === true);
      if (!ours && local) {
        const upnDomain = domainName(domainOf(local.userPrincipalName) ?? '');
        const upnLookup = upnDomain ? this.realm.resolve(upnDomain.ascii).catch(() => undefined) : Promise.resolve(undefined);
        const upnRealm = await Promise.race([upnLookup, budget.elapsed.then(() => undefined)]);
        report.homeRealmProblem = {
          user: { id: local.id, displayName: local.displayName ?? local.userPrincipalName ?? local.id, userPrincipalName: local.userPrincipalName },
          upnRealm,
        };
      }
      return report;
    } finally {
      budget.cancel();
    }
  }

}
