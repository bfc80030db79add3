import type { ProxyApp } from '../../graph/appProxy';
import type { InspectedShadowAccount } from '../../onprem/shadowAccounts';
import type { AccessRequestRecord } from '../../store';
import type { RealmReport, UserSummary } from '../lookup';

/**
 * - green: this link of the chain is fine;
 * - red: this blocks access;
 * - amber: it may block, or it could not be checked (the fact says why);
 * - grey: it does not apply to this person or app.
 */
/** `pending`: still being read, on a report shown before every read has answered (the card fills in as they do). */
export type CheckStatus = 'green' | 'red' | 'amber' | 'grey' | 'pending';

/** The links of the chain, in the order a sign-in passes them: the verdict names the first red one in this order. */
export const CHECK_ORDER = [
  'account',
  'invitation',
  'signIn',
  'assigned',
  'grant',
  'conditionalAccess',
  'preAuthentication',
  'singleSignOn',
  'shadowAccount',
  'delegatedLogin',
  'recentSignIns',
] as const;
export type CheckId = (typeof CHECK_ORDER)[number];

export const CHECK_TITLES: Record<CheckId, string> = {
  account: 'Account exists, enabled, UserType',
  invitation: 'Invitation redeemed',
  signIn: 'Where sign-in goes',
  assigned: 'Assigned to the app',
  grant: "The bot's grant",
  preAuthentication: 'App Proxy pre-authentication',
  singleSignOn: 'Single sign-on mode',
  shadowAccount: 'Kerberos: shadow account in on-prem AD',
  delegatedLogin: 'Kerberos: delegated login identity',
  conditionalAccess: 'Conditional Access',
  recentSignIns: 'Recent sign-ins',
};

/**
 * The fix a check offers. The buttons reuse existing actions, each with its own checks and confirmation: nothing here acts
 * by itself. `command` is a chat command to type where no button does it; `explain` is a setting only a person can change.
 */
export type DoctorFix =
  | { kind: 'resend'; email: string }
  | { kind: 'resetRedemption'; email: string }
  | { kind: 'checkRealm'; emailOrDomain: string; userId: string }
  | { kind: 'requestAccess'; servicePrincipalId: string; partner: string }
  | { kind: 'extend'; grantId: string }
  | { kind: 'command'; text: string; why: string }
  | { kind: 'explain'; text: string };

export interface DoctorCheck {
  id: CheckId;
  status: CheckStatus;
  /** The fact the verdict rests on, in words. */
  fact: string;
  fix?: DoctorFix;
}

/** The guest's UPN and address the checks compare and the fixes name. */
function addressOf(user: UserSummary): string {
  return user.mail ?? user.userPrincipalName ?? user.id;
}

function day(iso: string | Date | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, 10);
}

const isSynced = (user: UserSummary): boolean => user.source.kind === 'syncedPartner' || user.source.kind === 'syncedMember';

/** Exists, enabled, Guest or Member: the first link. `query` is what was typed, for the invite fix. */
export function accountCheck(user: UserSummary | undefined, query: string): DoctorCheck {
  if (!user) {
    return {
      id: 'account',
      status: 'red',
      fact: `Nobody in our directory has the address ${query}.`,
      fix: { kind: 'command', text: `invite ${query}`, why: 'Invite them as a guest' },
    };
  }
  const kind = user.userType ?? 'unknown UserType';
  if (user.accountEnabled === false) {
    return {
      id: 'account',
      status: 'red',
      fact: `${user.displayName}'s account (${kind}) is disabled: Entra refuses every sign-in.`,
      fix: isSynced(user)
        ? { kind: 'explain', text: 'The account is synced from on-prem AD: enable it there, and Entra Connect copies the change.' }
        : { kind: 'explain', text: 'An admin enables it in the Entra admin center (the user\'s properties, Account enabled). The bot does not change it.' },
    };
  }
  const gap = user.warnings.find((w) => w.kind === 'partnerSyncedAsMember');
  if (gap) {
    return {
      id: 'account',
      status: 'amber',
      fact: `${user.displayName} is marked as a partner (${gap.markedBy}) but is a Member: they get employee-level access.`,
      fix: { kind: 'command', text: `whois ${addressOf(user)}`, why: 'See the account and the sync rule to fix' },
    };
  }
  if (user.accountEnabled === undefined) {
    return { id: 'account', status: 'amber', fact: `${user.displayName} exists (${kind}), but Graph did not say whether the account is enabled.` };
  }
  return { id: 'account', status: 'green', fact: `${user.displayName} exists and is enabled, UserType ${kind}.` };
}

/** Redeemed or not: only guests invited by email have an invitation. */
export function invitationCheck(user: UserSummary | undefined, may: { resend: boolean; resetRedemption: boolean }): DoctorCheck {
  if (!user) return { id: 'invitation', status: 'grey', fact: 'There is no account, so no invitation.' };
  const invitation = user.invitation;
  if (!invitation) return { id: 'invitation', status: 'grey', fact: 'Not an invited guest: the account is ours, so there is nothing to redeem.' };
  const since = day(invitation.since);
  const email = addressOf(user);
  switch (invitation.state) {
    case 'PendingAcceptance':
      return {
        id: 'invitation',
        status: 'red',
        fact: `The invitation is not redeemed yet${since ? ` (pending since ${since})` : ''}: until it is, they cannot sign in.`,
        fix: may.resend ? { kind: 'resend', email } : { kind: 'explain', text: 'A partner manager or admin can resend the invitation.' },
      };
    case 'Accepted':
      // Accepted with no way left to sign in: the identity they redeemed with is gone, and only a reset gives them a new one.
      if (user.signInMethods.length === 0) {
        return {
          id: 'invitation',
          status: 'amber',
          fact: `Accepted${since ? ` on ${since}` : ''}, but Graph lists no identity they sign in with: the account they redeemed with may be gone.`,
          fix: may.resetRedemption ? { kind: 'resetRedemption', email } : { kind: 'explain', text: 'An admin can reset the redemption, so they redeem again with their current account.' },
        };
      }
      return { id: 'invitation', status: 'green', fact: `Accepted${since ? ` on ${since}` : ''}.` };
    case 'unknown':
      return { id: 'invitation', status: 'amber', fact: 'Graph did not say whether the invitation was redeemed (externalUserState is empty).' };
  }
}

/**
 * Where a sign-in with their address goes: the realm verdict, and the home-realm problem of a synced partner whose email
 * belongs to another organization. `report` is undefined when realm discovery failed outright.
 */
export function signInCheck(user: UserSummary | undefined, report: RealmReport | undefined, signInUrl: string): DoctorCheck {
  if (!user) return { id: 'signIn', status: 'grey', fact: 'There is no account to sign in with.' };
  const target = user.realmTarget;
  if (!target) return { id: 'signIn', status: 'amber', fact: 'The account has no email address or UPN to check the sign-in of.' };
  if (!report) return { id: 'signIn', status: 'amber', fact: `Where a sign-in with ${target} goes could not be checked: the login endpoints did not answer.` };
  const { verdict } = report;
  const checkRealm: DoctorFix = { kind: 'checkRealm', emailOrDomain: target, userId: user.id };
  if (report.homeRealmProblem) {
    return {
      id: 'signIn',
      status: 'red',
      fact: `A sign-in with ${target} at a common endpoint goes to ${verdict.organizationName ?? verdict.domain}, not to us: ${verdict.sentence} Send them ${signInUrl} instead.`,
      fix: { kind: 'command', text: `signin ${target}`, why: 'The checklist for a synced partner signing in with their email' },
    };
  }
  if (verdict.missing.length > 0) return { id: 'signIn', status: 'amber', fact: `Not fully checked (${verdict.missing.join(', ')}): ${verdict.sentence}`, fix: checkRealm };
  const ours = verdict.kind === 'ownManaged' || verdict.kind === 'ownFederated';
  if (user.source.kind === 'syncedPartner' && !ours) {
    return {
      id: 'signIn',
      status: 'red',
      fact: `${target} is not one of our domains, so a sign-in with it goes elsewhere: ${verdict.sentence} Send them ${signInUrl}.`,
      fix: { kind: 'command', text: `signin ${target}`, why: 'The checklist for a synced partner signing in with their email' },
    };
  }
  if (user.invitation && ours) {
    return { id: 'signIn', status: 'amber', fact: `A guest whose address is in one of our own domains: ${verdict.sentence}`, fix: checkRealm };
  }
  return { id: 'signIn', status: 'green', fact: verdict.sentence };
}

/** One of the user's assignments on this app, as Graph lists it: their own, or a group's. */
export interface AppAssignmentFact {
  roleName: string;
  /** The group it comes through, by name when Graph gave one; undefined for a direct assignment. */
  viaGroup?: string;
}

/**
 * Assigned or not, and through what. `assignments` is undefined when they could not be read (`unreadable` says why).
 * Request access is offered prefilled when nothing is assigned.
 */
export function assignedCheck(
  app: ProxyApp,
  user: UserSummary,
  assignments: readonly AppAssignmentFact[] | { unreadable: string },
  liveGrant: AccessRequestRecord | undefined,
  may: { request: boolean },
): DoctorCheck {
  if ('unreadable' in assignments) {
    return { id: 'assigned', status: 'amber', fact: `The assignments on ${app.displayName} could not be read: ${assignments.unreadable}.` };
  }
  const list = assignments;
  if (list.length === 0) {
    return {
      id: 'assigned',
      status: 'red',
      fact: `${user.displayName} is not assigned to ${app.displayName}, directly or through a group: Entra refuses them at sign-in.`,
      fix: may.request
        ? { kind: 'requestAccess', servicePrincipalId: app.servicePrincipalId, partner: addressOf(user) }
        : { kind: 'explain', text: 'A partner manager or admin can request access for them.' },
    };
  }
  const parts = list.map((a) => (a.viaGroup !== undefined ? `${a.roleName} through the group ${a.viaGroup}` : `${a.roleName}, directly`));
  const grant = liveGrant ? `; the bot's grant ends ${day(liveGrant.expiresAt) ?? 'at an unknown date'}` : '';
  return { id: 'assigned', status: 'green', fact: `Assigned: ${parts.join('; ')}${grant}.` };
}

/** A grant this close to its end is amber, with Extend: the first expiry notice goes out then too. */
const SOON_MS = 7 * 24 * 3600 * 1000;

const ENDED_STATES = new Set(['expired', 'revoked', 'failed']);

/**
 * The bot's own record of access to this app: a live grant and its end, or why the last one ended. `records` are the
 * guest's requests for the app, newest first. `assigned` says whether Entra lists an assignment now (another way in).
 */
export function grantCheck(app: ProxyApp, user: UserSummary, records: readonly AccessRequestRecord[], assigned: boolean | undefined, now: Date, may: { request: boolean }): DoctorCheck {
  const live = records.find((r) => r.state === 'granted');
  const request: DoctorFix = may.request
    ? { kind: 'requestAccess', servicePrincipalId: app.servicePrincipalId, partner: addressOf(user) }
    : { kind: 'explain', text: 'A partner manager or admin can request access again.' };
  if (live) {
    const end = live.expiresAt;
    if (end && end.getTime() <= now.getTime()) {
      return { id: 'grant', status: 'red', fact: `The bot's grant ended on ${day(end) ?? ''}; its assignment is being removed.`, fix: request };
    }
    const extend: DoctorFix = { kind: 'extend', grantId: live.id };
    const by = `asked by ${live.requesterName || 'unknown'}`;
    if (end && end.getTime() - now.getTime() <= SOON_MS) {
      return { id: 'grant', status: 'amber', fact: `The bot's grant ends soon, on ${day(end) ?? ''} (${by}): access stops then.`, fix: extend };
    }
    return { id: 'grant', status: 'green', fact: `The bot's grant is live${end ? ` until ${day(end) ?? ''}` : ''} (${by}).`, fix: extend };
  }
  const inFlight = records.find((r) => r.state === 'pending' || r.state === 'approved');
  if (inFlight) {
    const words = inFlight.state === 'pending' ? `waits for approval since ${day(inFlight.createdAt) ?? ''}` : 'is approved and being granted now';
    return { id: 'grant', status: 'amber', fact: `A request for ${app.displayName} ${words}.` };
  }
  const last = records.find((r) => ENDED_STATES.has(r.state));
  if (!last) {
    return { id: 'grant', status: 'grey', fact: assigned ? 'The bot made no grant here: the access comes from an assignment made elsewhere.' : 'The bot has made no grant for this app.' };
  }
  const when = day(last.endedAt ?? last.updatedAt);
  const how = last.state === 'failed' ? `failed${last.grantError ? ` (${last.grantError})` : ''}` : last.state === 'revoked' ? 'was revoked' : 'expired';
  if (assigned) return { id: 'grant', status: 'grey', fact: `The bot's last grant ${how}${when ? ` on ${when}` : ''}; the access they have now comes from elsewhere.` };
  return { id: 'grant', status: 'red', fact: `The bot's last grant ${how}${when ? ` on ${when}` : ''}.`, fix: request };
}

/** How App Proxy lets people in: Entra pre-authentication, or passthrough to the app's own sign-in. */
export function preAuthenticationCheck(app: ProxyApp): DoctorCheck {
  if (app.publishingUnreadable) return { id: 'preAuthentication', status: 'amber', fact: app.publishingUnreadable };
  if (app.publishingEnabled === false) {
    return {
      id: 'preAuthentication',
      status: 'red',
      fact: `Publishing of ${app.displayName} is switched off (isOnPremPublishingEnabled is false): nobody reaches ${app.externalUrl ?? 'it'} from outside.`,
      fix: { kind: 'explain', text: 'An admin turns publishing back on in the app\'s Application proxy settings. The bot does not.' },
    };
  }
  switch (app.preAuthentication) {
    case 'aadPreAuthentication':
      return { id: 'preAuthentication', status: 'green', fact: 'Microsoft Entra ID pre-authenticates: the guest signs in with Entra first, so assignments and Conditional Access apply.' };
    case 'passthru':
      return {
        id: 'preAuthentication',
        status: 'amber',
        fact: 'Passthrough: App Proxy lets anyone through to the app\'s own sign-in. Entra assignments do not decide who gets in; the app needs an account for the guest.',
        fix: { kind: 'explain', text: 'Set Pre Authentication to Microsoft Entra ID in the app\'s Application proxy settings, so Entra signs guests in. Nothing automatic.' },
      };
    case undefined:
      return { id: 'preAuthentication', status: 'amber', fact: 'Graph did not report the pre-authentication setting (externalAuthenticationType).' };
    default:
      return { id: 'preAuthentication', status: 'amber', fact: `An unknown pre-authentication setting: ${app.preAuthentication}.` };
  }
}

/** What the app signs people in with, once App Proxy has let them through. */
export function singleSignOnCheck(app: ProxyApp): DoctorCheck {
  if (app.publishingUnreadable) return { id: 'singleSignOn', status: 'amber', fact: app.publishingUnreadable };
  switch (app.ssoKind) {
    case 'kerberos':
      return { id: 'singleSignOn', status: 'green', fact: `Kerberos constrained delegation${app.kerberosSpn ? ` to ${app.kerberosSpn}` : ''}: the connector signs the guest in with an on-prem AD account (the checks below).` };
    case 'saml':
      return { id: 'singleSignOn', status: 'green', fact: 'SAML: Entra sends the app a token; the app must know the guest by the claim it is configured for.' };
    case 'headerBased':
      return { id: 'singleSignOn', status: 'green', fact: 'Header-based: App Proxy passes the guest\'s identity to the app in HTTP headers.' };
    case 'none':
      return {
        id: 'singleSignOn',
        status: 'amber',
        fact: 'None: after App Proxy, the app asks for a sign-in of its own, which a guest has only if the app gave them one.',
        fix: { kind: 'explain', text: 'Either the app\'s own administrators give the guest an account, or an admin sets up single sign-on for the app.' },
      };
  }
}

/** What the shadow-account lookup gave: the account, none, or why it could not be read. */
export type ShadowFacts = { kind: 'found'; account: InspectedShadowAccount; guestOu: string } | { kind: 'missing' } | { kind: 'notConfigured' } | { kind: 'failed'; reason: string };

const MAX_SAM_ACCOUNT_NAME = 20;

/**
 * The AD account KCD signs a guest in with: exists, enabled, not locked, in the guest OU, UPN equal to the guest's UPN,
 * sAMAccountName at most 20 characters. A synced partner's own AD account serves instead, which the bot never changes.
 */
export function shadowAccountCheck(app: ProxyApp, user: UserSummary, facts: ShadowFacts | undefined, may: { request: boolean }): DoctorCheck {
  if (app.ssoKind !== 'kerberos') return { id: 'shadowAccount', status: 'grey', fact: 'Not a Kerberos app: no on-prem account is needed.' };
  if (isSynced(user)) {
    return { id: 'shadowAccount', status: 'grey', fact: `${user.displayName}'s own on-prem AD account${user.onPremises?.samAccountName ? ` (${user.onPremises.samAccountName})` : ''} serves for Kerberos; no shadow account is made.` };
  }
  const request: DoctorFix = may.request
    ? { kind: 'requestAccess', servicePrincipalId: app.servicePrincipalId, partner: addressOf(user) }
    : { kind: 'explain', text: 'A partner manager or admin can request access: its grant creates or re-enables the shadow account.' };
  if (!facts || facts.kind === 'notConfigured') return { id: 'shadowAccount', status: 'amber', fact: 'Not checked: no on-prem directory is configured for the bot (ONPREM_LDAP_URL and related settings).' };
  if (facts.kind === 'failed') return { id: 'shadowAccount', status: 'amber', fact: `Not checked: ${facts.reason}` };
  if (facts.kind === 'missing') {
    return { id: 'shadowAccount', status: 'red', fact: `No on-prem AD account is linked to ${user.displayName}: the connector has nobody to ask a Kerberos ticket for.`, fix: request };
  }
  const { account, guestOu } = facts;
  const problems: string[] = [];
  if (!account.enabled) problems.push('it is disabled');
  if (account.lockedOut) problems.push('it is locked out');
  if (!account.dn.toLowerCase().endsWith(`,${guestOu.toLowerCase()}`)) problems.push(`it is outside ${guestOu}`);
  const upn = user.userPrincipalName ?? '';
  if (account.userPrincipalName.toLowerCase() !== upn.toLowerCase()) problems.push(`its UPN ${account.userPrincipalName || '(none)'} is not the guest's UPN ${upn}`);
  if (Array.from(account.sAMAccountName).length > MAX_SAM_ACCOUNT_NAME) problems.push(`its sAMAccountName ${account.sAMAccountName} is longer than 20 characters`);
  const name = `${account.sAMAccountName} (${account.dn})`;
  if (problems.length === 0) return { id: 'shadowAccount', status: 'green', fact: `${name}: enabled, not locked, in ${guestOu}, UPN ${account.userPrincipalName}.` };
  // Only a disabled account is the grant's to fix (it re-enables its own); the others need an admin in AD.
  const onlyDisabled = problems.length === 1 && !account.enabled;
  return {
    id: 'shadowAccount',
    status: 'red',
    fact: `${name}: ${problems.join('; ')}.`,
    fix: onlyDisabled ? request : { kind: 'explain', text: 'An AD admin fixes the account (unlock it, move it into the guest OU, or correct its UPN); the bot does not change an account it did not just make.' },
  };
}

/** The Delegated Login Identity values an invited guest's shadow account answers to: the bot gives it the guest's UPN. */
const GUEST_MAPPINGS = new Set(['userPrincipalName']);
/** A synced partner's own AD account has every on-prem identity. */
const SYNCED_MAPPINGS = new Set(['userPrincipalName', 'onPremisesUserPrincipalName', 'onPremisesSAMAccountName', 'userPrincipalUsername', 'onPremisesUserPrincipalUsername']);

/** Which identity the connector asks a ticket for: guests' shadow accounts carry the guest's UPN, so it must be the UPN. */
export function delegatedLoginCheck(app: ProxyApp, user: UserSummary): DoctorCheck {
  if (app.ssoKind !== 'kerberos') return { id: 'delegatedLogin', status: 'grey', fact: 'Not a Kerberos app.' };
  const mapping = app.kerberosMapping;
  if (!mapping) return { id: 'delegatedLogin', status: 'amber', fact: 'Graph did not report the Delegated Login Identity (kerberosSignOnMappingAttributeType).' };
  const allowed = isSynced(user) ? SYNCED_MAPPINGS : GUEST_MAPPINGS;
  if (allowed.has(mapping)) return { id: 'delegatedLogin', status: 'green', fact: `The connector asks a ticket for the ${mapping}, which ${isSynced(user) ? 'their own AD account' : 'the shadow account'} carries.` };
  return {
    id: 'delegatedLogin',
    status: 'red',
    fact: `The connector asks a ticket for the ${mapping}, which a guest's shadow account does not answer to: it carries the guest's UPN.`,
    fix: { kind: 'explain', text: 'Set Delegated Login Identity to User principal name in the app\'s single sign-on (Integrated Windows Authentication) settings.' },
  };
}

/** The card's last line: the first red check in chain order, or the first amber when nothing is red. */
export function firstProblem(checks: readonly DoctorCheck[]): DoctorCheck | undefined {
  const ordered = [...checks].sort((a, b) => CHECK_ORDER.indexOf(a.id) - CHECK_ORDER.indexOf(b.id));
  return ordered.find((c) => c.status === 'red') ?? ordered.find((c) => c.status === 'amber');
}

/** The one-line verdict in plain words: what stops them first, and what to do. */
export function verdictLine(checks: readonly DoctorCheck[], who: string, app: string | undefined): string {
  const problem = firstProblem(checks);
  const target = app ?? 'our apps';
  if (!problem) return app ? `Nothing found that stops ${who} opening ${app}.` : `Nothing found that stops ${who} signing in.`;
  const lead = problem.status === 'red' ? '' : 'Nothing certainly blocks, but check this first: ';
  switch (problem.id) {
    case 'account':
      return `${lead}${problem.status === 'red' && problem.fact.startsWith('Nobody') ? `${who} has no account here: invite them.` : `${who}'s account: ${problem.fact}`}`;
    case 'invitation':
      return `${lead}${who} has not redeemed the invitation${problem.status === 'red' ? ': resend it.' : `: ${problem.fact}`}`;
    case 'signIn':
      return `${lead}${who}'s sign-in goes to the wrong place: ${problem.fact}`;
    case 'assigned':
      return problem.status === 'red' ? `${who} is not assigned to ${target}: request access.` : `${lead}${problem.fact}`;
    case 'grant':
      return problem.status === 'red' ? `${problem.fact} Request access again.` : `${lead}${problem.fact}`;
    case 'conditionalAccess':
    case 'recentSignIns':
    case 'preAuthentication':
    case 'singleSignOn':
    case 'shadowAccount':
    case 'delegatedLogin':
      return `${lead}${CHECK_TITLES[problem.id]}: ${problem.fact}`;
  }
}
