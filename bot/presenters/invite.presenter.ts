import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import { forbiddenInvitationNote } from './permission.presenter';
import type { ExistingUser } from '../graph/graphInvitations';
import type { Caller } from '../identity/caller';
import { canDecideInvitation, canInviteWithoutApproval, canResetRedemption } from '../identity/capabilities';
import type { OutgoingMessage } from '../services/ports';
import { checkPartnerAddress, describeAddress, describeDomain, type PartnerAddress } from '../services/emailAddress';
import type {
  BlockSource,
  DecisionOutcome,
  FieldProblem,
  InvitationMessages,
  InvitationRecord,
  PrepareOutcome,
  ResendOutcome,
  SubmitOutcome,
  TypedInvite,
} from '../services/invitations';
import type { RealmVerdict } from '../services/realmVerdict';
import { sameObjectId } from '../identity/objectId';

/** Turns invitation outcomes into cards, for the invite and resend commands, their card actions and proactive messages. */

function when(iso: string | null | undefined): string {
  if (!iso) return 'date unknown';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function domainOf(email: string): string {
  const checked = checkPartnerAddress(email);
  return checked.ok ? describeDomain(checked.value) : email.slice(email.lastIndexOf('@') + 1);
}

function shown(email: string): string {
  const checked = checkPartnerAddress(email);
  return checked.ok ? checked.value.display : email;
}

function guestState(user: ExistingUser): string {
  if (user.externalUserState === 'Accepted') return `Accepted (since ${when(user.externalUserStateChangeDateTime)})`;
  if (user.externalUserState === 'PendingAcceptance') return `Pending acceptance (invited ${when(user.externalUserStateChangeDateTime)})`;
  return user.externalUserState ?? 'Unknown';
}

/** The button says what it does: a pending guest's invitation is renewed; an accepted guest's redemption reset (admins, confirmed). */
export function existingGuestCard(address: PartnerAddress, user: ExistingUser, caller: Caller): Attachment {
  const accepted = user.externalUserState === 'Accepted';
  const offerReset = accepted && canResetRedemption(caller);
  return cards.inviteOutcome({
    tone: 'info',
    title: `${address.display} is already a guest`,
    text: 'No second invitation was sent: the guest account below already exists.',
    facts: [
      { title: 'Name', value: user.displayName ?? '' },
      { title: 'State', value: guestState(user) },
      { title: 'Sign-in name', value: user.userPrincipalName },
      { title: 'Object id', value: user.id },
    ],
    note: accepted
      ? 'Sending again would mean resetting the redemption: the guest keeps their groups and apps but must accept a new invitation before signing in again. Only admins can do that, after confirming.'
      : 'Resending issues a fresh redemption link for the same account.',
    resendEmail: !accepted || offerReset ? address.address : '',
    resendTitle: accepted ? 'Reset redemption…' : 'Resend invitation',
  });
}

/**
 * An address held by an account that is not an invited guest. A synced partner (UserType Guest, synced from AD) is a guest
 * for authorization, but has no invitation: invite would make a second identity, and resend has nothing to renew.
 */
export function existingMemberCard(address: PartnerAddress, user: ExistingUser, caller?: Caller, asked: 'invite' | 'resend' = 'invite'): Attachment {
  const synced = user.onPremisesSyncEnabled === true;
  const syncedGuest = synced && user.userType === 'Guest';
  const who = `${user.displayName || user.userPrincipalName} (${user.userPrincipalName})`;
  const syncedText =
    asked === 'resend'
      ? 'This partner has an account synced from on-premises Active Directory (shown as Guest) and no invitation: there is nothing to resend. They sign in with their AD account. To have them sign in with their own organization\'s account instead, an admin can run convert.'
      : `${who} is a partner whose account our on-premises Active Directory manages; Entra Connect syncs it here as a Guest, so for access they are a guest like an invited one. ` +
        'They sign in with that on-prem account and its password, not through an invitation: inviting this address would create a second, conflicting identity, so no invitation was sent. ' +
        'To have them sign in with their own organization\'s account instead, an admin can run convert.';
  return cards.inviteOutcome({
    tone: 'warning',
    title: syncedGuest ? `${address.display} is a locally managed partner account` : `${address.display} already belongs to an account here`,
    text: syncedGuest
      ? syncedText
      : asked === 'resend'
        ? 'This address belongs to an account in our directory that was not invited, so there is no invitation to resend.'
        : 'This address is already used by an account in our directory (as its mail or a proxy address). Entra would refuse an invitation for it, so none was sent.',
    facts: [
      { title: 'Name', value: user.displayName ?? '' },
      { title: 'Sign-in name', value: user.userPrincipalName },
      { title: 'User type', value: user.userType ?? 'Member' },
      { title: 'Source', value: synced ? 'Synced from on-premises AD' : 'Cloud' },
      { title: 'Object id', value: user.id },
    ],
    note:
      caller && canInviteWithoutApproval(caller)
        ? 'If this is wrong, check the account with whois and in Entra.'
        : 'If this is wrong, ask an admin to check the account with whois.',
  });
}

export function invalidAddressCard(input: string, problem: string): Attachment {
  return cards.notice({ tone: 'warning', title: 'That address cannot be invited', text: `${problem}`, code: input });
}

/** What to do about a refused domain depends on whose list it is and on who asks: an admin is never told to ask an admin. */
function blockedAdvice(source: BlockSource, asAdmin: boolean | undefined): string {
  if (asAdmin === undefined) {
    return source === 'tenant'
      ? "The tenant's collaboration restrictions are set by an admin in Entra (External collaboration settings)."
      : "The bot's domain lists are its PARTNER_DOMAINS_ALLOW / PARTNER_DOMAINS_BLOCK settings.";
  }
  if (source === 'tenant') {
    return asAdmin
      ? "To invite this partner, change the tenant's collaboration restrictions in the Entra admin center (External Identities > External collaboration settings), then run invite again."
      : "If this partner is expected, ask an admin to change the tenant's collaboration restrictions in Entra (External collaboration settings).";
  }
  return asAdmin
    ? "To invite this partner, change the bot's PARTNER_DOMAINS_ALLOW / PARTNER_DOMAINS_BLOCK settings and restart it."
    : "If this partner is expected, ask an admin to change the bot's domain settings.";
}

export function blockedCard(address: PartnerAddress, reason: string, source: BlockSource = 'bot', caller?: Caller): Attachment {
  const asAdmin = caller === undefined ? undefined : canInviteWithoutApproval(caller);
  return cards.notice({
    tone: 'attention',
    title: `Invitations to ${describeDomain(address)} are not allowed`,
    text: `${reason} Nothing was sent. ${blockedAdvice(source, asAdmin)}`,
  });
}

function signInSentence(realm: RealmVerdict | undefined): string {
  if (!realm) return 'Not known yet: the partner may sign in with their work account, a Microsoft account or an email one-time passcode.';
  const missing = realm.missing.length > 0 ? ` (incomplete: ${realm.missing.join(', ')})` : '';
  return `${realm.sentence}${missing}`;
}

export function prepareReply(caller: Caller, outcome: PrepareOutcome): Attachment {
  switch (outcome.kind) {
    case 'invalid':
      return invalidAddressCard(outcome.input, outcome.problem);
    case 'blocked':
      return blockedCard(outcome.address, outcome.reason, outcome.source, caller);
    case 'existingGuest':
      return existingGuestCard(outcome.address, outcome.user, caller);
    case 'existingMember':
      return existingMemberCard(outcome.address, outcome.user, caller);
    case 'draft':
      return inviteForm(caller, outcome.record, outcome.realm, outcome.tenantCaution);
  }
}

function cautionSentence(caution: string | undefined): string | undefined {
  return caution ? `${caution} Microsoft Entra checks its allow or block list when the invitation is sent, and may still refuse it.` : undefined;
}

/** The invite form, first shown or shown again with what was typed and each problem by its field. */
function inviteForm(
  caller: Caller,
  record: InvitationRecord,
  realm: RealmVerdict | undefined,
  tenantCaution: string | undefined,
  typed?: TypedInvite,
  problems: readonly FieldProblem[] = [],
): Attachment {
  const checked = checkPartnerAddress(record.email);
  const address = checked.ok ? checked.value : undefined;
  const byField: Partial<Record<FieldProblem['field'], string>> = {};
  for (const p of problems) {
    const field = p.field === 'delivery' ? 'form' : p.field;
    byField[field] = byField[field] ? `${byField[field]} ${p.message}` : p.message;
  }
  if (problems.length > 0 && !byField.form) byField.form = 'Nothing was sent. Fix the fields marked below and send again.';
  return cards.inviteConfirm({
    id: record.id,
    email: address?.display ?? record.email,
    domain: address ? describeDomain(address) : domainOf(record.email),
    lookalike: address?.international
      ? `The domain is written with non-Latin or accented letters: ${address.domain} is really ${address.asciiDomain}. Make sure this is the partner's real domain and not a look-alike.`
      : undefined,
    signIn: signInSentence(realm),
    sponsor: caller.name,
    displayName: record.options.displayName,
    redirectUrl: record.options.redirectUrl ?? '',
    asAdmin: canInviteWithoutApproval(caller),
    tenantCaution: cautionSentence(tenantCaution),
    ...(typed ? { typed } : {}),
    problems: byField,
  });
}

const STATE_WORDS: Record<InvitationRecord['state'], string> = {
  draft: 'Not sent yet',
  pending: 'Waiting for an admin',
  denied: 'Denied',
  cancelled: 'Cancelled',
  inviting: 'Being sent',
  invited: 'Invited',
  refused: 'Refused',
  failed: 'Failed',
};

/** The requester's view of an invitation, whatever state it is in. */
/** On an outcome sent again after the bot restarted while sending it: Teams cannot say whether the first one arrived. */
export const REPEATED_INVITE_OUTCOME_NOTE = 'the bot restarted while telling you this, so you may have got this message already';

export function recordCard(record: InvitationRecord, repeatNote?: string): Attachment {
  const email = shown(record.email);
  const facts = [
    ...(repeatNote ? [{ title: 'Sent again', value: repeatNote }] : []),
    { title: 'Email', value: email },
    { title: 'Domain', value: domainOf(record.email) },
    { title: 'State', value: STATE_WORDS[record.state] },
    ...(record.decidedByName ? [{ title: 'Decided by', value: record.decidedByName }] : []),
    ...(record.options.decisionComment ? [{ title: 'Their comment', value: record.options.decisionComment }] : []),
  ];
  const result = record.result;
  switch (record.state) {
    case 'invited': {
      const invited = result?.kind === 'invited' ? result : undefined;
      const groups = invited?.groups ?? [];
      const failedGroups = groups.filter((g) => g.outcome === 'failed');
      const viaLink = record.options.delivery === 'link';
      return cards.inviteOutcome({
        tone: failedGroups.length > 0 ? 'warning' : 'good',
        title: invited?.reusedExisting ? `${email} already had a guest account: it was reused` : `${email} is invited`,
        text: viaLink
          ? 'Microsoft sent no email: send the partner the redemption link below yourself, with your message.'
          : 'Microsoft is sending its standard invitation email. Microsoft drops personal messages in invitations sent by an app, so yours was not included; you can also send the link below yourself.',
        facts: [
          ...facts,
          { title: 'Guest object id', value: invited?.userId ?? '' },
          ...groups.map((g) => ({
            title: 'Group',
            value: `${g.groupId}: ${g.outcome === 'added' ? 'added' : g.outcome === 'already' ? 'already a member' : `not added (${g.detail ?? 'error'})`}`,
          })),
        ],
        redeemUrl: invited?.redeemUrl,
        personalMessage: viaLink ? record.options.message : undefined,
        note: failedGroups.length > 0 ? 'Some group memberships were not added; an admin can add them in Entra.' : undefined,
      });
    }
    case 'refused': {
      const refusal = result?.kind === 'refused' ? result.refusal : undefined;
      const abuse = refusal?.kind === 'abuse';
      return cards.inviteOutcome({
        tone: 'attention',
        title: abuse ? 'Microsoft has blocked invitations for this organization' : `Microsoft Entra refused to invite ${email}`,
        text: abuse
          ? 'Entra answered that invitations are blocked for this directory due to suspicious activity. Do not retry: only Microsoft support can lift this block. Nothing was sent.'
          : `${refusal?.message ?? 'The invitation was refused.'} Nothing was sent.${refusal?.kind === 'forbidden' ? ` ${forbiddenInvitationNote('invite')}` : ''}`,
        facts,
        note:
          refusal?.kind === 'policy'
            ? "Entra's B2B rules refused it: our allow or block list (External collaboration settings) or the cross-tenant access settings of our organization or the partner's. An admin can change them in Entra under External Identities."
            : undefined,
      });
    }
    case 'failed':
      return cards.inviteOutcome({
        tone: 'attention',
        title: `The invitation to ${email} could not be completed`,
        text: `${result?.kind === 'failed' ? result.message : 'Microsoft Entra did not answer.'}. Send the invite command again to retry: the address is checked first, so no second invitation is created.`,
        facts,
      });
    case 'pending':
      return cards.inviteOutcome({
        tone: 'info',
        title: `Your invitation of ${email} is waiting for an admin`,
        text: 'An admin other than you decides. You will get a message here when they do.',
        facts,
      });
    case 'denied':
      return cards.inviteOutcome({ tone: 'attention', title: `${email}: ${STATE_WORDS[record.state]}`, facts });
    case 'inviting':
      return cards.inviteOutcome({
        tone: 'info',
        title: `Sending the invitation to ${email}…`,
        text: 'Microsoft Entra is creating the guest account now. You will get a message here with the outcome and, if chosen, the redemption link.',
        facts,
      });
    case 'draft':
    case 'cancelled':
      return cards.inviteOutcome({ tone: 'info', title: `${email}: ${STATE_WORDS[record.state]}`, facts });
  }
}

export function submitReply(outcome: SubmitOutcome, caller: Caller): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'notFound':
      return { message: 'This invitation is no longer known. Send the invite command again.' };
    case 'notYours':
      return { message: `Only ${outcome.record.requesterName || 'the person who started it'} can send this invitation.` };
    case 'invalidOptions':
      return { card: inviteForm(caller, outcome.record, outcome.realm, outcome.tenantCaution, outcome.typed, outcome.problems) };
    case 'requested':
      return {
        card:
          outcome.adminsReached > 0
            ? recordCard(outcome.record)
            : cards.inviteOutcome({
                tone: 'warning',
                title: `Your invitation of ${shown(outcome.record.email)} is waiting, but no admin could be reached`,
                text: 'No admin was notified: none has the bot installed in Teams, or the admin list could not be read just now. The request stays open; ask an admin to open a chat with the bot.',
              }),
      };
    case 'current':
    case 'started':
      return { card: recordCard(outcome.record) };
  }
}

function approvalData(record: InvitationRecord, approverIds: string[]) {
  const decided = record.decidedByName ?? 'an admin';
  const status =
    record.state === 'pending'
      ? 'Waiting for an admin'
      : record.state === 'denied'
        ? `Denied by ${decided}`
        : record.state === 'cancelled'
          ? 'Cancelled by the requester'
          : record.state === 'invited'
            ? `Approved by ${decided}: invited`
            : record.state === 'refused' || record.state === 'failed'
              ? `Approved by ${decided}: ${STATE_WORDS[record.state].toLowerCase()}`
              : record.state === 'inviting'
                ? `Approved by ${decided}: sending the invitation…`
                : `Approved by ${decided}`;
  const tone = record.state === 'pending' ? 'info' : record.state === 'invited' ? 'good' : 'attention';
  return {
    id: record.id,
    tone,
    status,
    summary:
      record.state === 'pending'
        ? `${record.requesterName} asks to invite this partner as a guest. Approving sends the invitation now, with ${record.requesterName} as sponsor.`
        : 'This request is settled; nothing more to do.',
    email: shown(record.email),
    domain: domainOf(record.email),
    requester: record.requesterName,
    displayName: record.options.displayName,
    delivery: record.options.delivery === 'link' ? 'Requester sends the redemption link' : 'Microsoft sends its standard email',
    groups: record.options.groupIds.join(', '),
    requestedAt: when(record.createdAt.toISOString()),
    message: record.options.message,
    justification: record.options.justification,
    signIn: record.options.realmAtRequest,
    decisionComment: record.options.decisionComment,
    decidedBy: record.decidedByName,
    approverIds,
  } as const;
}

/** The approval card as a given viewer sees it: only another admin, while it is pending, gets the buttons. */
export function approvalCardFor(record: InvitationRecord, viewer: Caller | undefined, approverIds: string[]): Attachment {
  const own = sameObjectId(viewer?.aadObjectId, record.requesterId);
  const canDecide = viewer !== undefined && canDecideInvitation(viewer, record);
  return cards.inviteApproval({
    ...approvalData(record, approverIds),
    canDecide,
    viewerNote: record.state === 'pending' && own ? 'You asked for this invitation, so another admin must decide.' : undefined,
  });
}

export function decisionReply(outcome: DecisionOutcome, viewer: Caller, approverIds: string[]): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'notFound':
      return { message: 'This request is no longer known.' };
    case 'selfApproval':
      return { message: 'You cannot decide on your own request: another admin must approve or deny it.' };
    case 'alreadyDecided':
    case 'decided':
      return { card: approvalCardFor(outcome.record, viewer, approverIds) };
  }
}

/** Proactive messages the service sends: approval cards for admins and the outcome for the requester. */
export const invitationMessages: InvitationMessages = {
  approval(record, approverIds): OutgoingMessage {
    // Sent once to every admin; `refresh` then gives each their own view. Without a viewer, buttons show while pending.
    const data = approvalData(record, approverIds);
    return {
      card: cards.inviteApproval({ ...data, canDecide: record.state === 'pending' }),
      text: record.state === 'pending' ? `${record.requesterName} asks to invite ${shown(record.email)}` : `${shown(record.email)}: ${data.status}`,
    };
  },
  requesterOutcome(record, options = {}): OutgoingMessage {
    const text = `Your invitation of ${shown(record.email)}: ${STATE_WORDS[record.state].toLowerCase()}`;
    if (!options.repeat) return { card: recordCard(record), text };
    return { card: recordCard(record, REPEATED_INVITE_OUTCOME_NOTE), text: `${text} (sent again: ${REPEATED_INVITE_OUTCOME_NOTE})` };
  },
};

export function resendReply(outcome: ResendOutcome, caller?: Caller): Attachment {
  switch (outcome.kind) {
    case 'invalid':
      return invalidAddressCard(outcome.input, outcome.problem);
    case 'blocked':
      return blockedCard(outcome.address, outcome.reason, outcome.source, caller);
    case 'existingMember':
      return existingMemberCard(outcome.address, outcome.user, caller, 'resend');
    case 'notFound':
      return cards.notice({
        tone: 'warning',
        title: `No guest with the address ${describeAddress(outcome.address)}`,
        text: 'There is nothing to resend. To invite this partner, use: invite <email>.',
      });
    case 'needsConfirmation':
      return cards.notice({
        tone: 'warning',
        title: `${describeAddress(outcome.address)} has accepted their invitation`,
        text: 'Nothing was changed. Sending again now means resetting the redemption, which needs your confirmation: send resend again to be asked.',
      });
    case 'needsAdmin':
      return cards.notice({
        tone: 'warning',
        title: `${describeAddress(outcome.address)} has already accepted`,
        text: 'Sending again means resetting the redemption (the guest accepts again, keeping groups and apps). Only admins can do that; ask one to run resend.',
      });
    case 'refused':
      return cards.inviteOutcome({
        tone: 'attention',
        title: `Microsoft Entra refused to resend to ${describeAddress(outcome.address)}`,
        text: outcome.refusal.message,
        note: outcome.refusal.kind === 'forbidden' ? forbiddenInvitationNote('resend') : undefined,
      });
    case 'resent':
      return cards.inviteOutcome({
        tone: 'good',
        title: outcome.reset ? `Redemption reset for ${describeAddress(outcome.address)}` : `Invitation renewed for ${describeAddress(outcome.address)}`,
        text: outcome.reset
          ? 'The guest keeps their object id, groups and app assignments, and must accept again with the link below.'
          : 'The guest account is unchanged; send the partner this fresh link.',
        facts: [
          { title: 'Name', value: outcome.user.displayName ?? '' },
          { title: 'Object id', value: outcome.user.id },
        ],
        redeemUrl: outcome.redeemUrl,
        note: 'Microsoft sent no email: the bot is an app, and invitations it sends carry no personal message, so send the link yourself.',
      });
  }
}
