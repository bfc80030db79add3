import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { SsoKind } from '../graph/appProxy';
import type { OutgoingMessage } from '../services/ports';
import type { AccessEndMessages, GrantEnding, HeldOnApp, RevokeCheck, RevokeOutcome, RevokePreview, ShadowEffect } from '../services/accessRevocation';
import type { RemoveResult } from '../services/appAccess';
import { groupCn } from '../services/access/adGroups';
import type { AccessRequestRecord } from '../store';

/** Turns revoke and expiry outcomes into cards, for the revoke command, its card actions and the proactive messages. */

/** Shown with every complaint about the arguments, so the person sees the shape the command wants. */
export const REVOKE_USAGE = 'revoke <app> for <email>';

function when(date: Date | undefined): string {
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'date unknown';
}

const SSO_WORDS: Record<SsoKind, string> = {
  saml: 'SAML',
  kerberos: 'Kerberos (KCD), with a shadow account in on-prem AD',
  headerBased: 'Header-based',
  none: 'None (the app asks for its own sign-in)',
};

function ssoWords(kind: string): string {
  return SSO_WORDS[kind as SsoKind] ?? kind;
}

function guestName(guest: { displayName?: string | null; mail?: string | null; userPrincipalName: string }): string {
  return guest.displayName || guest.mail || guest.userPrincipalName;
}

function recordGuest(record: AccessRequestRecord): string {
  return record.guestDisplayName || record.guestMail || record.guestUpn;
}

function recordEmail(record: AccessRequestRecord): string {
  return record.guestMail ?? record.guestUpn;
}

/** A synced partner's own AD account is theirs, not a shadow account: the bot never changes it. */
const OWN_ACCOUNT =
  "Their own AD account (a partner synced from on-prem AD, not a shadow account) is untouched: the bot never changes it. If they should lose on-prem access too, disable it in AD.";

const SHADOW_RESULT: Record<RemoveResult['shadow'], string> = {
  disabled: 'Shadow account disabled in on-prem AD (kept, so a later grant re-enables the same account)',
  alreadyDisabled: 'Shadow account already disabled in on-prem AD',
  missing: 'No shadow account found in on-prem AD',
  keptForOtherKerberosApps: 'Shadow account kept enabled: the partner still has Kerberos app access (another app, or this one through a group)',
  keptForOtherGrant: "Shadow account kept enabled: another of the bot's grants still uses it, and disables it when it ends",
  notTheBots: "Shadow account left as it was: the bot did not create or re-enable it",
  ownAccount: OWN_ACCOUNT,
  notKerberos: 'Not involved (the app does not sign in with Kerberos)',
  notConfigured: 'Not touched: no on-prem directory is configured for this bot. An admin should disable the shadow account by hand.',
};

function shadowPreview(effect: ShadowEffect): string {
  switch (effect.kind) {
    case 'disable':
      return 'Shadow account will be disabled (kept, so a later grant re-enables the same account)';
    case 'keep':
      return `Shadow account stays enabled: the partner still uses ${effect.otherApps.join(', ')}`;
    case 'keepForGrant':
      return `Shadow account stays enabled: the bot's grant of ${effect.apps.join(', ')} still uses it`;
    case 'notTheBots':
      return 'Shadow account left as it is: the bot did not create or re-enable it';
    case 'ownAccount':
      return OWN_ACCOUNT;
    case 'notKerberos':
      return 'Not involved (the app does not sign in with Kerberos)';
    case 'notConfigured':
      return 'Not touched: no on-prem directory is configured for this bot. An admin should disable the shadow account by hand.';
  }
}

function day(iso: string | undefined): string {
  return iso ? iso.slice(0, 10) : 'date unknown';
}

/** One line per assignment, saying where it comes from. */
function heldLine(held: HeldOnApp): string {
  switch (held.origin.kind) {
    case 'bot': {
      const r = held.origin.request;
      const approved = r.decidedByName ? `, approved by ${r.decidedByName}` : '';
      const until = r.state === 'granted' && r.expiresAt ? `, until ${when(r.expiresAt)}` : ` (the grant ${endedSentence(r)}, but Entra still lists it)`;
      return `${held.roleName}: granted by the bot (request ${r.id}, asked by ${r.requesterName || 'a partner manager'}${approved}${until}). Removed.`;
    }
    case 'direct':
      return `Also remove ${held.roleName}: direct, not granted by the bot (created ${day(held.origin.createdDateTime)})`;
    case 'group':
      return `${held.roleName}: through the group ${held.origin.groupName ?? held.origin.groupId}. Revoke cannot remove it (it never changes groups); to end it, remove them from that group in Microsoft Entra ID.`;
  }
}

/** Group assignments are the group owner's business: revoke never changes a group, and says so. */
function groupSentence(count: number): string {
  const what = count === 1 ? 'a group that is assigned' : `${count} groups that are assigned`;
  return `They are a member of ${what} to this app, and keep that access: revoke does not change groups. To end it, remove them from the group in Microsoft Entra ID.`;
}

function grantSentence(grant: AccessRequestRecord): string {
  const approved = grant.decidedByName ? `, approved by ${grant.decidedByName}` : '';
  const expires = grant.expiresAt ? `, until ${when(grant.expiresAt)}` : '';
  return `Through this bot at ${grant.requesterName || 'a partner manager'}'s request${approved}${expires}`;
}

function endedSentence(record: AccessRequestRecord): string {
  if (record.state === 'revoked') return `was revoked on ${when(record.endedAt)}`;
  if (record.state === 'failed') return `did not complete (it failed on ${when(record.updatedAt)})`;
  return `expired on ${when(record.endedAt ?? record.expiresAt)}`;
}

function grantedWords(preview: RevokePreview): string {
  switch (preview.source) {
    case 'bot':
      return preview.activeGrants.map(grantSentence).join('; ');
    case 'endedGrant':
      return `Directly in Entra: this bot's grant ${preview.endedGrants[0] ? endedSentence(preview.endedGrants[0]) : 'has ended'}, but Entra still lists the assignment`;
    case 'outsideBot':
      return 'Directly in Entra, not through this bot';
  }
}

/** Group CNs, unescaped, for a line. */
function groupNames(dns: readonly string[]): string {
  return dns.map(groupCn).join(', ');
}

/** What ending the access did to the AD groups the bot's grants had added the account to. */
function adGroupFacts(removal: RemoveResult): { title: string; value: string }[] {
  const groups = removal.adGroups;
  if (!groups) return [];
  const parts = [
    ...(groups.removed.length > 0 ? [`removed from ${groupNames(groups.removed)}`] : []),
    ...(groups.keptForOtherGrant.length > 0 ? [`kept in ${groupNames(groups.keptForOtherGrant)} for another live grant`] : []),
  ];
  return parts.length > 0 ? [{ title: 'AD groups', value: `${parts.join('; ')}. Memberships the bot did not add stay.` }] : [];
}

/** The one confirmation before anything is removed; it warns when the access is not the bot's or a request would re-grant it. */
export function revokeConfirmCard(preview: RevokePreview, confirmationId: string): Attachment {
  const warnings = [
    ...(preview.held.some((h) => h.origin.kind === 'direct')
      ? ['Some of this access was not granted through this bot. It stays unless you switch it on below; whoever granted it is not told.']
      : []),
    ...preview.pendingRequests.map(
      (r) => `${r.requesterName || 'A partner manager'} has a request for this app for this partner waiting for approval; approving it later grants access again.`,
    ),
  ];
  const bot = preview.held.filter((h) => h.origin.kind === 'bot');
  return cards.revokeConfirm({
    servicePrincipalId: preview.app.servicePrincipalId,
    address: preview.address,
    confirmationId,
    guestName: guestName(preview.guest),
    email: preview.email,
    userPrincipalName: preview.guest.userPrincipalName,
    appName: preview.app.displayName,
    sso: ssoWords(preview.app.ssoKind),
    roles: preview.roles,
    granted: grantedWords(preview),
    shadow: `${shadowPreview(preview.shadow)}${preview.adGroups && preview.adGroups.length > 0 ? ` AD groups: it is taken out of ${groupNames(preview.adGroups)}, the ones the bot added it to; memberships it had before stay.` : ''}`,
    warnings,
    botItems: bot.length > 0 ? bot.map(heldLine) : preview.activeGrants.length > 0 ? [`${grantedWords(preview)}. The bot's grant changed nothing in Entra (the partner already had this access), so ending it removes nothing.`] : [],
    directItems: preview.held.filter((h) => h.origin.kind === 'direct').map((h) => ({ assignmentId: h.id, title: heldLine(h) })),
    groupItems: preview.held.filter((h) => h.origin.kind === 'group').map(heldLine),
    note:
      preview.allowedAs === 'admin'
        ? 'You may revoke this as an admin. Access is removed the moment you confirm, and whoever asked for the grant is told.'
        : 'You may revoke this as an owner of the app in Microsoft Entra. Access is removed the moment you confirm, and whoever asked for the grant is told.',
  });
}

/** Replies for every outcome except a finished revoke: the command, the pick list's buttons and the confirm button share them. */
export function revokeCheckCard(check: Exclude<RevokeCheck, { kind: 'confirm' }>): Attachment {
  switch (check.kind) {
    case 'invalidEmail':
      return cards.notice({ tone: 'warning', title: "That is not a partner's email address", text: `${check.problem} Usage:`, code: REVOKE_USAGE });
    case 'pickApp':
      return cards.revokePicker({
        query: check.query,
        address: check.address,
        matched: check.matched,
        candidates: check.candidates.map((a) => ({ servicePrincipalId: a.servicePrincipalId, displayName: a.displayName, sso: `Single sign-on: ${ssoWords(a.ssoKind)}` })),
      });
    case 'appNotNamed':
      return cards.notice({
        tone: 'warning',
        title: `No app is called "${check.query}"`,
        text: "Give the app's full name as Microsoft Entra shows it (you must be one of its owners). Nothing was changed. Usage:",
        code: REVOKE_USAGE,
      });
    case 'appGone':
      return cards.notice({
        tone: 'warning',
        title: 'That app is no longer published through application proxy',
        text: 'Nothing was changed. Send the apps command to see the current apps, then revoke again.',
      });
    case 'notAllowed': {
      const owners = check.owners.map((o) => o.displayName ?? o.userPrincipalName ?? o.id);
      return cards.notice({
        tone: 'warning',
        title: `Only admins and the owners of ${check.app.displayName} can revoke access to it`,
        text:
          owners.length > 0
            ? `You are not an owner of this app in Microsoft Entra (its owners: ${owners.slice(0, 10).join(', ')}). Ask one of them or an admin. Nothing was changed.`
            : 'This app has no owners in Microsoft Entra, so only admins can revoke access to it. Ask an admin. Nothing was changed.',
      });
    }
    case 'unknownUser':
      return cards.notice({
        tone: 'warning',
        title: `No one in our directory has the address ${check.email}`,
        text: 'Check the spelling and use the address the partner was invited with; whois <email> shows what the directory knows. Nothing was changed.',
      });
    case 'ambiguousUser':
      return cards.notice({
        tone: 'warning',
        title: `${check.users.length} guest accounts use the address ${check.email}`,
        text: `I will not guess which one you mean: ${check.users.map((u) => u.userPrincipalName).join(', ')}. An admin should remove the duplicate in Microsoft Entra, or remove the access there. Nothing was changed.`,
      });
    case 'notGuest':
      return cards.notice({
        tone: 'warning',
        title: `${check.email} is not a partner's guest account`,
        text: `It belongs to ${guestName(check.user)} (${check.user.userPrincipalName}), a member of our organization. This bot manages partners' access only; remove a member's access in the Entra admin center (Enterprise applications → ${check.app.displayName} → Users and groups). Nothing was changed.`,
      });
    case 'grantInProgress':
      return cards.notice({
        tone: 'info',
        title: `${guestName(check.guest)} is being given access to ${check.app.displayName} right now`,
        text: `${check.request.decidedByName ?? 'An approver'} approved ${check.request.requesterName ? `${check.request.requesterName}'s` : 'the'} request and the grant is still running. Wait until it finishes (${check.request.requesterName || 'the requester'} is told), then revoke again. Nothing was changed.`,
      });
    case 'noAccess':
      return cards.notice({
        tone: 'info',
        title:
          check.viaGroups > 0
            ? `Nothing to revoke: ${guestName(check.guest)} holds ${check.app.displayName} only through a group`
            : `${guestName(check.guest)} has no access to ${check.app.displayName}`,
        text: check.viaGroups > 0
          ? `${check.lastEnded ? `The access this bot granted ${endedSentence(check.lastEnded)}. ` : ''}${check.groups.map(heldLine).join(' ')} Nothing was changed.`
          : `${check.lastEnded ? `The access this bot granted ${endedSentence(check.lastEnded)}. ` : ''}Entra assigns them nothing in this app, so there is nothing to revoke. Nothing was changed.`,
      });
  }
}

/** What the typed command and a pick from the list answer: the confirmation, or why there is nothing to confirm. */
/** `confirmationId`: issued for revoke.confirm by the caller when the check asks to confirm (see issueRevokeConfirmation). */
export function revokeCheckReply(check: RevokeCheck, confirmationId: string | undefined): Attachment {
  if (check.kind !== 'confirm') return revokeCheckCard(check);
  if (!confirmationId) throw new Error('a revoke confirmation card needs a confirmation id');
  return revokeConfirmCard(check.preview, confirmationId);
}

const SESSION_NOTE =
  'A session the partner already has open in the app may last until it expires; to end it now, an admin can revoke their sessions in Entra (Users → the guest → Revoke sessions).';

/** The confirm button's answer: the revoke as it ended, or why it did not happen. */
export function revokeOutcomeCard(outcome: RevokeOutcome): Attachment {
  if (outcome.kind === 'failed') {
    const { preview } = outcome;
    return cards.accessEnded({
      tone: 'attention',
      title: `Revoking ${guestName(preview.guest)}'s access to ${preview.app.displayName} did not finish`,
      text: `${outcome.message.replace(/\.$/, '')}. ${
        outcome.revokedRequests.length > 0 ? "The bot's grant is already marked revoked, so it will not return by itself, but the access may still be in place. " : 'The access may still be in place. '
      }Send the same revoke command again to finish: it removes whatever Entra and on-prem AD still hold.`,
      facts: [
        { title: 'Partner', value: preview.email },
        { title: 'App', value: preview.app.displayName },
      ],
    });
  }
  if (outcome.kind === 'notOffered') {
    return cards.notice({
      tone: 'warning',
      title: 'That card asked to remove access it did not offer',
      text: `Revoke removes only the partner's own assignments that its confirmation card listed, and Entra no longer lists ${outcome.ids.length === 1 ? 'one of them' : 'some of them'} that way. Nothing was changed. Send the revoke command again for a current card.`,
    });
  }
  if (outcome.kind === 'nothingChosen') {
    return cards.notice({
      tone: 'info',
      title: `Nothing to remove from ${guestName(outcome.preview.guest)}'s access to ${outcome.preview.app.displayName}`,
      text: "None of this access was granted by the bot, and no other assignment was switched on. Nothing was changed. To remove a direct assignment, send the revoke command again and switch it on.",
    });
  }
  if (outcome.kind !== 'revoked') return revokeCheckCard(outcome);
  const { preview, removal } = outcome;
  const told = [
    ...(outcome.notified.length > 0 ? [`${outcome.notified.join(', ')} (told)`] : []),
    ...(outcome.unreachable.length > 0 ? [`${outcome.unreachable.join(', ')} (could not be reached: the bot is not installed for them)`] : []),
  ];
  return cards.accessEnded({
    tone: removal.shadow === 'notConfigured' ? 'warning' : 'good',
    title: `${guestName(preview.guest)}'s access to ${preview.app.displayName} is revoked`,
    text:
      removal.removedAssignments > 0 && (removal.keptDirect ?? 0) === 0 && removal.keptThroughGroups === 0
        ? 'Microsoft Entra no longer assigns the app to them, so they cannot sign in to it again.'
        : removal.removedAssignments > 0
          ? "The bot's access is removed; what they hold otherwise on this app stays (see below)."
          : "The bot's grant is ended. Entra lists no assignment of the bot's for them in this app, so none was removed.",
    facts: [
      { title: 'Partner', value: preview.email },
      { title: 'App', value: preview.app.displayName },
      { title: 'Assignments removed', value: String(removal.removedAssignments) },
      ...((removal.keptDirect ?? 0) > 0 ? [{ title: 'Kept', value: `${removal.keptDirect ?? 0} direct assignment(s) not granted by the bot` }] : []),
      { title: 'On-prem account', value: SHADOW_RESULT[removal.shadow] },
      ...adGroupFacts(removal),
      { title: 'Granted', value: grantedWords(preview) },
      ...(removal.keptThroughGroups > 0 ? [{ title: 'Through groups', value: groupSentence(removal.keptThroughGroups) }] : []),
      ...(told.length > 0 ? [{ title: 'Requester', value: told.join('; ') }] : []),
    ],
    note: SESSION_NOTE,
  });
}

function endedMessage(record: AccessRequestRecord, ending: GrantEnding, removal: RemoveResult): OutgoingMessage {
  const guest = recordGuest(record);
  const expired = ending.how === 'expired';
  const title = expired ? `${guest}'s access to ${record.appDisplayName} has expired` : `${guest}'s access to ${record.appDisplayName} was revoked`;
  return {
    card: cards.accessEnded({
      tone: 'info',
      title,
      text: expired
        ? `The access you asked for ended on ${when(record.expiresAt)}, as approved. To ask for more time, send: request ${record.appDisplayName} for ${recordEmail(record)}`
        : `${ending.byName || 'An approver'} revoked it on ${when(record.endedAt)}. ${ending.reason ? `Their reason: ${ending.reason}` : 'Ask them if you need to know why.'}`,
      facts: [
        { title: 'Partner', value: recordEmail(record) },
        { title: 'App', value: record.appDisplayName },
        { title: 'Role', value: record.appRoleName ?? record.appRoleId },
        { title: 'Granted', value: when(record.grantedAt) },
        { title: 'Removed', value: record.grantProgress.alreadyHadAccess ? 'Nothing: the partner already had this access before the grant, and keeps it' : `${removal.removedAssignments} assignment(s) the bot made` },
        ...((removal.keptDirect ?? 0) + removal.keptThroughGroups > 0 ? [{ title: 'Still held', value: "Access the bot did not grant (direct, or through a group) stays in place" }] : []),
        { title: 'On-prem account', value: SHADOW_RESULT[removal.shadow] },
        ...adGroupFacts(removal),
      ],
    }),
    text: title,
  };
}

/** The proactive messages of revoke and expiry: to the partner manager who asked for the grant. */
export const accessEndMessages: AccessEndMessages = {
  ended: endedMessage,
  expiryFailed(record, error): OutgoingMessage {
    const guest = recordGuest(record);
    const title = `${guest}'s access to ${record.appDisplayName} could not be removed at its expiry`;
    return {
      card: cards.accessEnded({
        tone: 'attention',
        title,
        text: `It should have ended on ${when(record.expiresAt)}, but the bot gave up after retrying: ${error.replace(/\.$/, '')}. The access may still be in place. Ask an admin to remove it: revoke ${record.appDisplayName} for ${recordEmail(record)}, or in the Entra admin center.`,
        facts: [
          { title: 'Partner', value: recordEmail(record) },
          { title: 'App', value: record.appDisplayName },
          { title: 'Request', value: record.id },
        ],
      }),
      text: title,
    };
  },
};
