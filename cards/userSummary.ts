import type { AccountSource, AccountWarning, SignInMethod, UserSummary } from '../bot/services/lookup';
import template from './userSummary.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export type { UserSummary };

/** ISO date-times as people read them in a chat: the day and minute, in UTC so everyone sees the same thing. */
export function shownDateTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function sourceWords(source: AccountSource, user: UserSummary): { title: string; text: string } {
  const onPrem = user.onPremises;
  const adAccount = onPrem
    ? [onPrem.samAccountName ? `${onPrem.domainName ? `${onPrem.domainName}\\` : ''}${onPrem.samAccountName}` : undefined, onPrem.userPrincipalName]
        .filter((v) => v)
        .join(', ')
    : '';
  switch (source.kind) {
    case 'invitedGuest':
      return {
        title: user.userType === 'Member' ? 'Invited B2B user, added as a Member' : 'Invited B2B guest',
        text: 'Someone from another organization, invited by email. They sign in with an account of their own, not one we manage.',
      };
    case 'syncedPartner': {
      const marker = 'upnSuffix' in source.markedBy ? `its UPN suffix @${source.markedBy.upnSuffix}` : `${source.markedBy.attribute} = "${source.markedBy.value}"`;
      return {
        title: 'Locally managed partner account, synced from our on-prem Active Directory',
        text: `We create and manage this partner's account in our own AD${adAccount ? ` (${adAccount})` : ''}; Entra Connect copies it to the cloud. It is marked as a partner by ${marker}.`,
      };
    }
    case 'syncedMember':
      return {
        title: 'Synced from our on-prem Active Directory',
        text: `An account managed in our own AD${adAccount ? ` (${adAccount})` : ''} and copied to the cloud by Entra Connect. It carries no partner marker, so it counts as one of our own people.`,
      };
    case 'cloudOnly':
      return { title: 'Cloud-only account', text: 'Created directly in Microsoft Entra ID: not synced from on-prem AD and not invited.' };
    case 'emailVerified':
      return { title: 'Email-verified sign-up', text: 'The person joined by verifying their email address (a self-service, unmanaged sign-up), not through an invitation from us.' };
    case 'selfServiceSignUp':
      return { title: 'Self-service sign-up', text: 'The person signed themselves up through a self-service sign-up flow, not through an invitation.' };
    case 'localAccount':
      return { title: 'Local account', text: 'A local (username and password) account created in this directory.' };
  }
}

function warningWords(warning: AccountWarning, user: UserSummary): { label: string; title: string; text: string } {
  switch (warning.kind) {
    case 'partnerSyncedAsMember':
      return {
        label: 'Security gap',
        title: 'A partner synced as Member',
        text: `This account is marked as a partner (${warning.markedBy}) but is a Member, so ${user.displayName} gets the directory, Teams and SharePoint access of an employee. Fix the Entra Connect sync rule that sets UserType, then check what the account can already reach.`,
      };
    case 'syncedGuestWithoutMarker':
      return {
        label: 'Check this',
        title: 'A synced Guest without the partner marker',
        text: 'Entra Connect made this synced account a Guest, but it carries none of the partner markers the bot is configured with. The sync rule and the marker disagree: check both.',
      };
  }
}

export function signInMethodWords(method: SignInMethod): string {
  switch (method.kind) {
    case 'entra':
      return "Their own organization's Microsoft Entra account";
    case 'microsoftAccount':
      return 'A personal Microsoft account';
    case 'google':
      return 'A Google account';
    case 'facebook':
      return 'A Facebook account';
    case 'emailOtp':
      return 'A one-time passcode sent to their email';
    case 'federatedIdp':
      return `Their organization's own identity provider (SAML or WS-Federation): ${method.issuer}`;
    case 'ourAccount':
      return `Their account here: ${method.name}`;
    case 'other':
      return `${method.signInType || 'Unknown sign-in type'}${method.issuer ? ` (${method.issuer})` : ''}`;
  }
}

function lastSignInWords(s: NonNullable<UserSummary['lastSignIn']>): string {
  if (s.available) {
    return shownDateTime(s.lastSignIn) ?? 'None recorded: never signed in, or not since April 2020 when Entra began keeping this';
  }
  switch (s.reason) {
    case 'noLicence':
      return 'Not available: this tenant has no Microsoft Entra ID P1 or P2 licence, which sign-in activity needs';
    case 'noPermission':
      return 'Not available: the bot lacks the AuditLog.Read.All permission that sign-in activity needs';
    case 'throttled':
      return 'Not available right now: Graph allows only a few sign-in activity reads a minute; ask again shortly';
    case 'unavailable':
      return 'Not available: Graph did not answer for sign-in activity';
  }
}

function invitationWords(user: UserSummary): string | undefined {
  const invitation = user.invitation;
  if (!invitation) return undefined;
  const since = shownDateTime(invitation.since);
  switch (invitation.state) {
    case 'PendingAcceptance':
      return `Pending: not accepted yet${since ? ` (invited or reset ${since})` : ''}`;
    case 'Accepted':
      return `Accepted${since ? ` on ${since}` : ''}`;
    case 'unknown':
      return 'Not recorded';
  }
}

/** Said to a caller who may not see everything, naming who can: a member is told who can help, never an admin. */
export const RESTRICTED_DETAIL_NOTE =
  'Last sign-in, sponsors and app access are shown to partner managers and admins; the owners of an app see the assignments on their own app. Ask a partner manager if you need them.';

function appAccessWords(access: UserSummary['appAccess'], grantEnds: UserSummary['grantEnds'] = []): string[] {
  if (!access.available) {
    switch (access.reason) {
      case 'noPermission':
        return ['Not available: the bot may not read app assignments here (it needs Application.Read.All and AppRoleAssignment.ReadWrite.All).'];
      case 'throttled':
        return ['Not available right now: Graph asked the bot to slow down; ask again shortly.'];
      case 'unavailable':
        return ['Not available: Graph did not answer for app assignments.'];
    }
  }
  if (access.onlyOwnedApps) {
    if (access.apps.length === 0) return ['None on the on-prem apps you own. Assignments on other apps are shown to partner managers, admins and those apps\' owners.'];
  } else if (access.apps.length === 0) return ['None: no assignments to on-prem apps published through Application Proxy.'];
  const endOf = (a: { appName: string; roleName: string; throughGroup: boolean }): string => {
    const grant = a.throughGroup ? undefined : grantEnds.find((g) => g.appName === a.appName && g.roleName === a.roleName);
    if (!grant) return '';
    const groups = grant.adGroups && grant.adGroups.length > 0 ? `; AD groups added by the bot: ${grant.adGroups.join(', ')}` : '';
    return `, granted by the bot until ${shownDateTime(grant.endsAt) ?? grant.endsAt}${groups}`;
  };
  const lines = access.apps.map((a) => `${a.appName}: ${a.roleName}${a.throughGroup ? ' (through a group)' : ''}${endOf(a)}`);
  if (access.more) lines.push('And more: this list shows the first page of assignments only.');
  if (access.onlyOwnedApps) lines.push('Only the apps you own are listed.');
  return lines;
}

/** What the person asking may do from the card; the handlers check the same permissions again. */
export interface UserSummaryActions {
  canResend: boolean;
  /** Resetting an accepted guest's redemption (admins): the button says so, and the bot asks to confirm first. */
  canResetRedemption?: boolean;
  /** The access doctor on this person (partner managers and admins: without an app, the doctor is theirs). */
  canDoctor?: boolean;
}

/** The one invitation button, named for what it does: renew a pending invitation, or reset an accepted guest's redemption. */
function invitationButton(user: UserSummary, actions: UserSummaryActions): { resendTo: string; resendTitle: string } {
  const none = { resendTo: '', resendTitle: '' };
  if (!actions.canResend || user.source.kind !== 'invitedGuest' || !user.mail) return none;
  switch (user.invitation?.state) {
    case 'PendingAcceptance':
      return { resendTo: user.mail, resendTitle: 'Resend invitation' };
    case 'Accepted':
      return actions.canResetRedemption ? { resendTo: user.mail, resendTitle: 'Reset redemption…' } : none;
    case 'unknown':
    case undefined:
      return none;
  }
}

/** The band's colour says Guest or Member at a glance; the label stays in the default colour so it reads on that band. */
const TYPES = {
  Guest: {
    label: 'GUEST',
    color: 'default',
    style: 'warning',
    sentence: 'Guest: someone from outside our organization. Guests see less of our directory and get only what they are given.',
  },
  Member: {
    label: 'MEMBER',
    color: 'default',
    style: 'good',
    sentence: 'Member: a full member of our organization, with the access our employees have by default.',
  },
  unknown: { label: 'USER TYPE NOT SET', color: 'default', style: 'default', sentence: 'Entra ID reports no user type for this account.' },
} as const;

/** The whois card. Every directory value is plain text: a display name can carry Markdown or template syntax. */
export function userSummary(user: UserSummary, actions: UserSummaryActions = { canResend: false }) {
  const type = TYPES[user.userType ?? 'unknown'];
  const source = sourceWords(user.source, user);
  const facts: { title: string; value: string }[] = [
    { title: 'Account', value: user.accountEnabled === false ? 'Disabled: cannot sign in' : user.accountEnabled === true ? 'Enabled' : 'Not reported' },
    { title: 'Created', value: shownDateTime(user.created) ?? 'Not recorded (created before June 2018)' },
  ];
  if (user.lastSignIn) facts.push({ title: 'Last sign-in', value: lastSignInWords(user.lastSignIn) });
  if (user.mail && user.mail.toLowerCase() !== (user.userPrincipalName ?? '').toLowerCase()) facts.push({ title: 'Email', value: user.mail });
  if (user.companyName) facts.push({ title: 'Company', value: user.companyName });

  const guestFacts: { title: string; value: string }[] = [];
  const invitation = invitationWords(user);
  if (invitation) guestFacts.push({ title: 'Invitation', value: invitation });
  else if (user.onPremises && user.userType === 'Guest') {
    // A synced guest is a guest like an invited one for access, but Microsoft records no invitation or redemption for them.
    const adAccount = user.onPremises.samAccountName ?? user.onPremises.userPrincipalName;
    guestFacts.push({ title: 'Invitation', value: 'None: synced from our on-prem AD, not invited, so there is no invitation to redeem or resend' });
    guestFacts.push({ title: 'On-prem account', value: `Their own AD account${adAccount ? ` (${adAccount})` : ''}: Kerberos apps use it, so they need no shadow account` });
  }
  const guestLike = user.userType === 'Guest' || user.source.kind === 'invitedGuest';
  const methods = user.signInMethods.map(signInMethodWords);
  if (methods.length > 0) guestFacts.push({ title: 'Signs in with', value: methods.join('; ') });
  else if (guestLike) {
    guestFacts.push({ title: 'Signs in with', value: user.invitation?.state === 'PendingAcceptance' ? 'Nothing yet: the invitation has not been redeemed' : 'Not recorded' });
  }
  const sponsors = user.sponsors;
  if (sponsors && (sponsors.length > 0 || guestLike)) {
    guestFacts.push({
      title: 'Sponsors',
      value: sponsors.length > 0 ? sponsors.map((s) => (s.isGroup ? `${s.displayName} (group)` : s.displayName)).join(', ') : 'None',
    });
  }

  const notes: string[] = [];
  if (!user.lastSignIn && !user.sponsors) notes.push(RESTRICTED_DETAIL_NOTE);
  if (user.mailDomainDiffers) {
    notes.push(
      `Signs in here as ${user.userPrincipalName ?? ''}, but the email is in ${user.mailDomainDiffers.mailDomain}. A sign-in with the email goes wherever that domain belongs: use Check realm to see where.`,
    );
  }

  return renderCard(template, {
    doctor: actions.canDoctor === true,
    typeLabel: type.label,
    typeColor: type.color,
    typeStyle: type.style,
    typeSentence: type.sentence,
    displayName: plainLine(user.displayName, 120),
    principal: plainLine(user.userPrincipalName ?? '', 150),
    warnings: user.warnings.map((w) => {
      const words = warningWords(w, user);
      return { label: words.label, title: plain(words.title), text: plain(words.text, 600) };
    }),
    sourceTitle: plain(source.title),
    sourceText: plain(source.text, 500),
    facts: facts.map((f) => ({ title: f.title, value: plain(f.value, 300) })),
    guestHeading: guestLike ? 'As a guest' : user.sponsors ? 'Sign-in and sponsors' : 'Sign-in',
    guestFacts: guestFacts.map((f) => ({ title: f.title, value: plain(f.value, 600) })),
    note: plain(notes.join(' '), 500),
    appAccess: appAccessWords(user.appAccess, user.grantEnds).map((line) => plain(line, 300)),
    ...invitationButton(user, actions),
    realmTarget: user.realmTarget ?? '',
    id: user.id,
  });
}
