import type { ConditionalAccessPolicy, SignInRecord, Unreadable } from '../../graph/doctorSignals';
import type { UserSummary } from '../lookup';
import { CHECK_TITLES, type CheckId, type DoctorCheck } from './checks';

/** The app as these checks see it: Conditional Access and the sign-in log name an app by its appId (client id). */
export interface SignalApp {
  appId: string;
  displayName: string;
}

const lowerHas = (list: readonly string[], value: string): boolean => list.some((v) => v.toLowerCase() === value.toLowerCase());

/**
 * The guest or external user type Conditional Access matches this account as (conditionalAccessGuestsOrExternalUsers):
 * an invited or self-service account is a B2B collaboration guest, or member by UserType; a local account with UserType
 * Guest is an internal guest; anyone else is not external.
 */
export function guestTypeOf(user: UserSummary): string | undefined {
  const external = user.source.kind === 'invitedGuest' || user.source.kind === 'emailVerified' || user.source.kind === 'selfServiceSignUp';
  if (external) return user.userType === 'Member' ? 'b2bCollaborationMember' : 'b2bCollaborationGuest';
  return user.userType === 'Guest' ? 'internalGuest' : undefined;
}

/** Whether a policy's users condition takes this person in: certainly, not at all, or only if a fact we lack holds. */
type Reach = { kind: 'in' } | { kind: 'out' } | { kind: 'maybe'; why: string };

function userReach(policy: ConditionalAccessPolicy, user: UserSummary, groupIds: ReadonlySet<string> | undefined): Reach {
  const u = policy.users;
  const type = guestTypeOf(user);
  const inGroup = (ids: readonly string[]) => (groupIds ? ids.some((g) => groupIds.has(g.toLowerCase())) : undefined);
  // The legacy "GuestsOrExternalUsers" value of includeUsers/excludeUsers stands for every guest and external type.
  const excludedAsGuest = type !== undefined && (lowerHas(u.excludeUsers, 'GuestsOrExternalUsers') || (u.excludeGuestTypes ?? []).includes(type));
  if (lowerHas(u.excludeUsers, user.id) || excludedAsGuest || inGroup(u.excludeGroups) === true) return { kind: 'out' };
  const includedAsGuest = type !== undefined && (lowerHas(u.includeUsers, 'GuestsOrExternalUsers') || (u.includeGuestTypes ?? []).includes(type));
  const included = lowerHas(u.includeUsers, 'All') || lowerHas(u.includeUsers, user.id) || includedAsGuest || inGroup(u.includeGroups) === true;
  const groupsUnknown = groupIds === undefined;
  if (included) {
    if (groupsUnknown && u.excludeGroups.length > 0) return { kind: 'maybe', why: 'unless they are in one of its excluded groups (their groups could not be read)' };
    return { kind: 'in' };
  }
  if (groupsUnknown && u.includeGroups.length > 0) return { kind: 'maybe', why: 'if they are in one of its groups (their groups could not be read)' };
  return { kind: 'out' };
}

/** With an app: the policy names it or All, and does not exclude it. Without: only policies on All apps apply everywhere. */
function appReach(policy: ConditionalAccessPolicy, app: SignalApp | undefined): boolean {
  if (lowerHas(policy.includeApplications, 'All')) return app === undefined || !lowerHas(policy.excludeApplications, app.appId);
  return app !== undefined && lowerHas(policy.includeApplications, app.appId) && !lowerHas(policy.excludeApplications, app.appId);
}

/** builtInControls in words (conditionalAccessGrantControls). */
const CONTROL_WORDS: Record<string, string> = {
  mfa: 'multifactor authentication',
  compliantDevice: 'a compliant device',
  domainJoinedDevice: 'a hybrid-joined device',
  approvedApplication: 'an approved client app',
  compliantApplication: 'an app protection policy',
  passwordChange: 'a password change',
};

function demands(policy: ConditionalAccessPolicy): string[] {
  const controls = policy.builtInControls.filter((c) => c !== 'block').map((c) => CONTROL_WORDS[c] ?? c);
  if (policy.termsOfUse.length > 0) controls.push('accepting the terms of use');
  return controls;
}

const quoted = (policy: ConditionalAccessPolicy): string => `"${policy.displayName}"`;

function unreadableFact(what: string, reason: Unreadable): string {
  switch (reason.unreadable) {
    case 'permission':
      return `Not checked: the bot may not read ${what} (Graph answered 403; it lacks ${reason.permission}).`;
    case 'licence':
      return `Not checked: reading ${what} needs a Microsoft Entra ID P1 or P2 licence, which the tenant lacks (Graph answered 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant).`;
    case 'failed':
      return `Not checked: ${what} could not be read (${reason.reason}).`;
  }
}

const NO_AUTOMATIC_FIX = "The bot changes no Conditional Access policy: an admin reviews it in Entra ID (Protection, Conditional Access), for example to exclude partners or this app, or tells the guest what to satisfy.";

/**
 * The enabled policies that take in this person and this app (or every app, without one), minus their exclusions: red for
 * a block, amber for a control the guest must satisfy, a report-only policy, or one that applies only if a fact we could
 * not read holds. Other conditions (locations, platforms, client apps, risk) are not evaluated; the fact says so. Policies
 * are named, never changed.
 */
export function conditionalAccessCheck(
  user: UserSummary | undefined,
  app: SignalApp | undefined,
  policies: readonly ConditionalAccessPolicy[] | Unreadable,
  groupIds: ReadonlySet<string> | undefined,
): DoctorCheck {
  const id: CheckId = 'conditionalAccess';
  if (!user) return { id, status: 'grey', fact: 'There is no account for a policy to apply to.' };
  if (!Array.isArray(policies)) return { id, status: 'amber', fact: unreadableFact('the Conditional Access policies', policies as Unreadable) };
  const scope = app ? app.displayName : 'every app';
  const blocks: string[] = [];
  const asks: string[] = [];
  const notes: string[] = [];
  for (const policy of policies) {
    if (policy.state === 'disabled' || !appReach(policy, app)) continue;
    const reach = userReach(policy, user, groupIds);
    if (reach.kind === 'out') continue;
    const block = policy.builtInControls.includes('block');
    const needs = demands(policy);
    if (!block && needs.length === 0) continue;
    const effect = block ? 'blocks access' : `requires ${needs.join(' and ')}`;
    if (policy.state === 'unknown') notes.push(`${quoted(policy)} ${effect}, in a state the bot does not recognise`);
    else if (policy.state === 'enabledForReportingButNotEnforced') notes.push(`${quoted(policy)} is report-only: it would ${block ? 'block access' : `require ${needs.join(' and ')}`}, but does not enforce it`);
    else if (reach.kind === 'maybe') notes.push(`${quoted(policy)} ${effect} ${reach.why}`);
    else if (block) blocks.push(quoted(policy));
    else asks.push(`${quoted(policy)} requires ${needs.join(' and ')}`);
  }
  const caveat = ' Locations, devices, client apps and risk are not evaluated.';
  if (blocks.length > 0) {
    const rest = [...asks, ...notes];
    return {
      id,
      status: 'red',
      fact: `${blocks.join(', ')} ${blocks.length > 1 ? 'block' : 'blocks'} ${user.displayName} on ${scope}.${rest.length > 0 ? ` Also: ${rest.join('; ')}.` : ''}${caveat}`,
      fix: { kind: 'explain', text: NO_AUTOMATIC_FIX },
    };
  }
  if (asks.length > 0 || notes.length > 0) {
    return { id, status: 'amber', fact: `${[...asks, ...notes].join('; ')}.${caveat}`, fix: { kind: 'explain', text: NO_AUTOMATIC_FIX } };
  }
  return { id, status: 'green', fact: `No enabled policy blocks ${user.displayName} on ${scope} or asks them for more (${policies.length} ${policies.length === 1 ? 'policy' : 'policies'} read).` };
}

/** An AADSTS code in words, and the check whose row says more. */
interface SignInCode {
  words: string;
  concerns?: CheckId;
  /** A challenge the guest can meet (MFA, a password): amber, not red. */
  challenge?: true;
}

/**
 * AADSTS codes the doctor explains (Microsoft Entra authentication and authorization error codes,
 * learn.microsoft.com/entra/identity-platform/reference-error-codes). Others are shown with Graph's failureReason.
 */
export const SIGN_IN_CODES: Readonly<Record<number, SignInCode>> = {
  50105: { words: 'not assigned to the app', concerns: 'assigned' },
  53003: { words: 'blocked by Conditional Access', concerns: 'conditionalAccess' },
  53000: { words: 'Conditional Access requires a compliant device', concerns: 'conditionalAccess' },
  53001: { words: 'Conditional Access requires a hybrid-joined device', concerns: 'conditionalAccess' },
  53002: { words: 'Conditional Access requires an approved client app', concerns: 'conditionalAccess' },
  50076: { words: 'multifactor authentication required', concerns: 'conditionalAccess', challenge: true },
  50079: { words: 'must register for multifactor authentication', concerns: 'conditionalAccess', challenge: true },
  50074: { words: 'strong authentication required', concerns: 'conditionalAccess', challenge: true },
  50158: { words: 'an external security challenge was not met', concerns: 'conditionalAccess', challenge: true },
  50034: { words: 'the account does not exist in the directory they signed in to', concerns: 'signIn' },
  50020: { words: 'their identity provider\'s account is not a user of our tenant', concerns: 'invitation' },
  90072: { words: 'their account is not in our tenant: they must redeem the invitation first', concerns: 'invitation' },
  50057: { words: 'the account is disabled', concerns: 'account' },
  50053: { words: 'the account is locked, or the sign-in was blocked as suspicious', concerns: 'account' },
  50055: { words: 'the password has expired', concerns: 'account', challenge: true },
  50126: { words: 'wrong user name or password', concerns: 'account', challenge: true },
};

/**
 * Interrupts, not failures: "keep me signed in?" (50140), a silent sign-in that needs an interactive one (50058), and the
 * account picker (16000, 16001). The log records them with an error code; they block nobody.
 */
const INTERRUPTS = new Set([50140, 50058, 16000, 16001]);

/** How many failures the row lists. */
const SHOWN = 3;

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function describeFailure(s: SignInRecord): string {
  const code = SIGN_IN_CODES[s.errorCode];
  const where = s.appDisplayName ? ` to ${s.appDisplayName}` : '';
  const words = code?.words ?? s.failureReason ?? 'failed';
  const see = code?.concerns ? ` (see ${CHECK_TITLES[code.concerns]})` : '';
  return `${when(s.createdDateTime)}${where}: AADSTS${s.errorCode}, ${words}${see}`;
}

/**
 * The last attempts in the sign-in log (the newest first, interrupts left out): green when the newest succeeded, red when
 * it failed for a reason only someone else can fix, amber for a challenge the guest can meet. Each failure names the check
 * it concerns. The log needs AuditLog.Read.All and a P1/P2 licence; without them the row is amber and says which.
 */
export function recentSignInsCheck(
  user: UserSummary | undefined,
  app: SignalApp | undefined,
  signIns: readonly SignInRecord[] | Unreadable,
  windowDays: number,
): DoctorCheck {
  const id: CheckId = 'recentSignIns';
  if (!user) return { id, status: 'grey', fact: 'There is no account to have signed in.' };
  if (!Array.isArray(signIns)) return { id, status: 'amber', fact: unreadableFact('the sign-in log', signIns as Unreadable) };
  const attempts = signIns.filter((s) => !INTERRUPTS.has(s.errorCode));
  const scope = app ? ` to ${app.displayName}` : '';
  const newest = attempts[0];
  if (!newest) return { id, status: 'grey', fact: `No sign-in${scope} in the last ${windowDays} days.` };
  const failures = attempts.filter((s) => s.errorCode !== 0);
  if (newest.errorCode === 0) {
    const earlier = failures.length > 0 ? ` Earlier failures: ${failures.slice(0, SHOWN).map(describeFailure).join('; ')}.` : '';
    return { id, status: 'green', fact: `The last sign-in${scope} succeeded, ${when(newest.createdDateTime)}.${earlier}` };
  }
  const code = SIGN_IN_CODES[newest.errorCode];
  const listed = failures.slice(0, SHOWN).map(describeFailure).join('; ');
  const more = failures.length > SHOWN ? ` (${failures.length} failures in ${windowDays} days)` : '';
  return {
    id,
    status: code?.challenge ? 'amber' : 'red',
    fact: `The last sign-in${scope} failed. ${listed}${more}.`,
    ...(code?.concerns ? { fix: { kind: 'explain', text: `See the row "${CHECK_TITLES[code.concerns]}" above: it says what to change.` } } : {}),
  };
}
