import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import { groupCn } from '../services/access/adGroups';
import type { Tone } from '../../cards/notice';
import { DEFAULT_ACCESS_ROLE_ID, type ProxyApp, type SsoKind } from '../graph/appProxy';
import type { Caller } from '../identity/caller';
import { canDecideAccess, canWithdrawAccessRequest } from '../identity/capabilities';
import type { OutgoingMessage } from '../services/ports';
import type {
  AccessRequestMessages,
  DecisionOutcome,
  ForwardForm,
  ForwardFormOutcome,
  ForwardOutcome,
  FieldProblem,
  FormField,
  PartnerProblem,
  PartnerView,
  RequestForm,
  StartOutcome,
  SubmitOutcome,
  WithdrawOutcome,
} from '../services/accessRequests';
import type { AccessRequestRecord, AccessRequestState, ForwardEntry, HeldAssignment, ShadowPlan } from '../store';
import { sameObjectId } from '../identity/objectId';

/** Turns access request outcomes into cards, for the request, requests and pending commands, their actions and proactive messages. */

function when(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return 'unknown';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function day(date: Date | undefined): string {
  return date && !Number.isNaN(date.getTime()) ? date.toISOString().slice(0, 10) : 'unknown';
}

function days(n: number): string {
  return n === 1 ? '1 day' : `${n} days`;
}

const SSO_WORDS: Record<SsoKind, { label: string; short: string; color: string }> = {
  saml: { label: 'Single sign-on: SAML', short: 'SAML', color: 'default' },
  kerberos: { label: 'Single sign-on: Kerberos (KCD), which needs an account in on-prem AD', short: 'Kerberos (KCD)', color: 'accent' },
  headerBased: { label: 'Single sign-on: header-based', short: 'header-based', color: 'default' },
  none: { label: 'Single sign-on: none (the app asks for its own sign-in)', short: 'none', color: 'default' },
};

function sso(kind: string): { label: string; short: string; color: string } {
  return SSO_WORDS[kind as SsoKind] ?? SSO_WORDS.none;
}

const SHADOW_WORDS: Record<ShadowPlan, string> = {
  notNeeded: 'Not needed: the app does not use Kerberos',
  synced: "Not needed: the partner's own account is synced from on-prem AD",
  create: 'Will be created in on-prem AD (smartcard-only, excluded from sync)',
  reuse: 'Exists in on-prem AD and will be reused',
  reenable: 'Exists in on-prem AD, disabled; it will be re-enabled',
  ensure: 'Will be created in on-prem AD, or re-enabled if the partner already has one',
};

function shadowWords(record: AccessRequestRecord): string {
  const made = record.grantProgress.shadowAccount;
  if (made) return `${made.samAccountName} (${made.created ? 'created' : 'reused'})`;
  return SHADOW_WORDS[record.shadowPlan];
}

function invitationState(state: string | undefined): string {
  if (state === 'Accepted') return 'Accepted';
  if (state === 'PendingAcceptance') return 'Pending acceptance: the partner has not redeemed the invitation yet';
  return state ?? 'Not invited (synced or created directly)';
}

function partnerLine(record: Pick<AccessRequestRecord, 'guestDisplayName' | 'guestMail' | 'guestUpn'>): string {
  return `${record.guestDisplayName} (${record.guestMail ?? record.guestUpn})`;
}

function roleWords(record: AccessRequestRecord): string {
  return record.appRoleName ?? 'Default access (the app declares no roles)';
}

function approverWords(record: AccessRequestRecord): string {
  const base = record.approverSource === 'owners' ? 'Owners of the app' : 'Bot admins (the app has no other owners)';
  if (!record.escalatedAt || record.approverSource === 'admins') return base;
  return `${base}, and the bot admins since ${when(record.escalatedAt)} (nobody had decided in time)`;
}

const TITLES: Record<AccessRequestState, string> = {
  pending: 'Waiting for approval',
  approved: 'Approved: granting',
  granted: 'Granted',
  failed: 'Approved, but granting failed',
  denied: 'Denied',
  timedOut: 'Timed out',
  withdrawn: 'Withdrawn',
  revoked: 'Revoked',
  expired: 'Expired',
  extended: 'Extended',
};

/** An extension's new end, as it was asked. */
function extendedUntil(record: AccessRequestRecord): Date | undefined {
  return record.expiresAt ?? (record.extendsFrom ? new Date(record.extendsFrom.getTime() + record.durationDays * 86_400_000) : undefined);
}

/** The state in words, with who and when. */
export function statusWords(record: AccessRequestRecord): string {
  const by = record.decidedByName || 'an approver';
  switch (record.state) {
    case 'pending':
      return `Waiting for approval (until ${when(record.approvalDeadline)})`;
    case 'approved':
      return record.grantError ? `Approved by ${by}; granting failed: ${record.grantError}. Retrying.` : `Approved by ${by}: granting…`;
    case 'granted':
      return `Approved by ${by}: granted until ${day(record.expiresAt)}`;
    case 'failed':
      return `Approved by ${by}, but granting failed: ${record.grantError ?? 'unknown error'}`;
    case 'denied':
      return `Denied by ${by}`;
    case 'timedOut':
      return `Timed out: nobody decided by ${when(record.approvalDeadline)}`;
    case 'withdrawn':
      return `Withdrawn by ${record.requesterName} ${when(record.endedAt)}, before anyone decided`;
    case 'revoked':
      return `Revoked ${day(record.endedAt)}`;
    case 'expired':
      return `Expired ${day(record.endedAt ?? record.expiresAt)}`;
    case 'extended':
      return `Approved by ${by}: the grant now ends ${day(record.expiresAt)}`;
  }
}

function toneOf(record: AccessRequestRecord): Tone {
  switch (record.state) {
    case 'granted':
    case 'extended':
      return 'good';
    case 'pending':
      return 'info';
    case 'approved':
      return record.grantError ? 'warning' : 'info';
    case 'revoked':
    case 'expired':
    case 'withdrawn':
      return 'info';
    case 'denied':
    case 'failed':
    case 'timedOut':
      return 'attention';
  }
}

const COLOR: Record<Tone, string> = { good: 'good', warning: 'warning', attention: 'attention', info: 'accent' };

function outcomeFacts(record: AccessRequestRecord): { title: string; value: string }[] {
  const facts: { title: string; value: string }[] = [];
  if (record.decidedByName) facts.push({ title: 'Decided by', value: `${record.decidedByName}, ${when(record.decidedAt)}` });
  if (record.decisionComment) facts.push({ title: 'Comment', value: record.decisionComment });
  if (record.state === 'granted' || record.state === 'revoked' || record.state === 'expired') {
    if (record.grantedAt) facts.push({ title: 'Granted', value: when(record.grantedAt) });
    if (record.expiresAt) facts.push({ title: record.state === 'granted' ? 'Ends' : 'Was to end', value: when(record.expiresAt) });
  }
  if (record.endedAt && (record.state === 'revoked' || record.state === 'expired')) facts.push({ title: 'Ended', value: when(record.endedAt) });
  if (record.grantError && (record.state === 'approved' || record.state === 'failed')) facts.push({ title: 'Problem', value: record.grantError });
  return facts;
}

function summaryFor(record: AccessRequestRecord): string {
  if (record.extendsRequestId && record.state === 'pending') {
    return `${record.requesterName} asks to extend ${record.guestDisplayName}'s access to ${record.appDisplayName} from ${when(record.extendsFrom)} until ${when(extendedUntil(record))}. The access stays as it is until you decide; approving only moves its end date.`;
  }
  switch (record.state) {
    case 'pending':
      return `${record.requesterName} asks for ${record.guestDisplayName}'s access to ${record.appDisplayName} for ${days(record.durationDays)}. Approving grants it at once; it ends by itself.`;
    case 'approved':
      return record.grantError
        ? 'The bot keeps retrying the grant by itself; nothing to do unless it gives up.'
        : 'The bot is granting the access now; this card updates when it is done.';
    case 'granted':
      return record.grantProgress.alreadyHadAccess
        ? `${ALREADY_HAD} The grant is recorded until ${when(record.expiresAt)}.`
        : `${record.guestDisplayName} can use ${record.appDisplayName} until ${when(record.expiresAt)}; the access then ends by itself.`;
    case 'failed':
      return 'The access was not granted. Fix the problem below, then ask for it again with request; nothing was left half-done.';
    case 'withdrawn':
      return record.extendsRequestId && record.decisionComment
        ? `${record.decisionComment} There is nothing to decide.`
        : `${record.requesterName} took this request back before anyone decided. Nothing was granted, and there is nothing to decide.`;
    case 'extended':
      return `${record.guestDisplayName} can use ${record.appDisplayName} until ${when(record.expiresAt)} now; the access then ends by itself.`;
    case 'denied':
    case 'timedOut':
    case 'revoked':
    case 'expired':
      return 'This request is settled; nothing more to do.';
  }
}

/** One line per assignment the partner already holds: how (direct, since when; or which group). */
function heldWords(held: readonly HeldAssignment[], roleOf: (appRoleId: string) => string): string {
  return held
    .map((h) =>
      h.via === 'group'
        ? `${roleOf(h.appRoleId)} through the group ${h.groupName ?? 'a group'}`
        : `${roleOf(h.appRoleId)} by a direct assignment (created ${h.createdDateTime ? h.createdDateTime.slice(0, 10) : 'date unknown'}), not granted by the bot`,
    )
    .join('; ');
}

const ALREADY_HAD = 'The partner already had this access, so the bot changed nothing in Entra, and the end of this grant removes nothing.';

function alreadyHeldFacts(record: AccessRequestRecord): { title: string; value: string }[] {
  const held = record.grantProgress.before?.held ?? record.grantProgress.heldAtRequest ?? [];
  if (held.length === 0) return [];
  const words = heldWords(held, () => roleWords(record));
  return [{ title: 'Already has access', value: `${words}. Approving changes nothing in Entra.` }];
}

/** The AD groups of a Kerberos role: what the grant will add, then what it added and what was already there. */
function adGroupFacts(record: AccessRequestRecord): { title: string; value: string }[] {
  const groups = record.grantProgress.adGroups;
  if (!groups) return [];
  const account = record.guestOnPremSynced ? "the partner's own AD account" : 'the shadow account';
  if (groups.added !== undefined || groups.alreadyMember !== undefined) {
    const parts = [
      ...((groups.added ?? []).length > 0 ? [`${account} added to ${(groups.added ?? []).map(groupCn).join(', ')}`] : []),
      ...((groups.alreadyMember ?? []).length > 0 ? [`already a member of ${(groups.alreadyMember ?? []).map(groupCn).join(', ')} (left as it was)`] : []),
    ];
    return parts.length > 0 ? [{ title: 'AD groups', value: `${parts.join('; ')}.` }] : [];
  }
  const planned = groups.planned ?? [];
  if (planned.length === 0) return [];
  return [{ title: 'AD groups', value: `Approving adds ${account} to ${planned.map(groupCn).join(', ')}; the end of the grant removes only the memberships it added.` }];
}

/** Everything the approver decides on: who asks, for whom, what the partner is, what the grant does. */
function requestFacts(record: AccessRequestRecord): { title: string; value: string }[] {
  return [
    { title: 'Requested by', value: record.requesterName },
    { title: 'Partner', value: partnerLine(record) },
    { title: 'User type', value: `${record.guestUserType ?? 'Guest'}${record.guestOnPremSynced ? ', synced from on-prem AD' : ''}` },
    { title: 'Invitation', value: invitationState(record.guestExternalState) },
    { title: 'Sign-in', value: record.guestRealm ?? 'Not known: the home realm could not be checked.' },
    { title: 'App', value: record.appDisplayName },
    { title: 'Single sign-on', value: sso(record.ssoKind).short },
    { title: 'Role', value: roleWords(record) },
    ...(record.extendsRequestId
      ? [
          { title: 'Extension', value: `${days(record.durationDays)} more: from ${when(record.extendsFrom)} until ${when(extendedUntil(record))}` },
          { title: 'Shadow account', value: 'Unchanged: an extension only moves the end date' },
        ]
      : [
          { title: 'Duration', value: days(record.durationDays) },
          { title: 'Shadow account', value: shadowWords(record) },
          ...adGroupFacts(record),
        ]),
    ...alreadyHeldFacts(record),
    { title: 'Approvers', value: approverWords(record) },
    ...forwardFacts(record),
    { title: 'Requested', value: when(record.createdAt) },
  ];
}

/** The card shows the last few hand-overs; the audit log and history have them all. */
const FORWARDS_SHOWN = 3;

/** Forward to…: who handed the request to whom, when, and why; the latest last. */
function forwardFacts(record: AccessRequestRecord): { title: string; value: string }[] {
  return (record.forwards ?? []).slice(-FORWARDS_SHOWN).map((f) => ({ title: 'Forwarded', value: forwardWords(f) }));
}

function forwardWords(f: ForwardEntry): string {
  return `by ${f.byName} to ${f.toName}, ${when(new Date(f.at))}: ${f.comment}`;
}


function approvalCard(record: AccessRequestRecord, approverTeamsIds: string[], canDecide: boolean, viewerNote?: string): Attachment {
  return cards.accessApproval({
    id: record.id,
    tone: toneOf(record),
    status: statusWords(record),
    title: `${record.extendsRequestId ? 'Extension' : 'Access request'}: ${record.guestDisplayName} → ${record.appDisplayName}`,
    summary: summaryFor(record),
    facts: requestFacts(record),
    justification: record.justification,
    outcome: outcomeFacts(record),
    canDecide,
    viewerNote,
    approverIds: approverTeamsIds,
  });
}

/** The approval card as a given viewer sees it: only an approver other than the requester and partner, while pending, gets buttons. */
export function approvalCardFor(record: AccessRequestRecord, viewer: Caller, approverTeamsIds: string[]): Attachment {
  const pending = record.state === 'pending';
  const canDecide = pending && canDecideAccess(viewer, record).allowed;
  let note: string | undefined;
  if (pending && sameObjectId(viewer.aadObjectId, record.requesterObjectId)) note = 'You asked for this access, so someone else must decide.';
  else if (pending && !canDecide) note = `Only ${approverWords(record).toLowerCase()} can decide on this request.`;
  else if (canDecide) {
    const toMe = [...(record.forwards ?? [])].reverse().find((f) => sameObjectId(f.to, viewer.aadObjectId));
    note = toMe
      ? `${toMe.byName} forwarded this request to you to decide. Microsoft Entra lists you as an approver; this is checked again when you click.`
      : 'Approver: you are asked because Microsoft Entra lists you as one; this is checked again when you click. Forward to… hands it to another approver.';
  }
  return approvalCard(record, approverTeamsIds, canDecide, note);
}

/** Forward to…'s form: the request in brief, who may decide it, a name to type and the comment. */
export function forwardFormCard(form: ForwardForm): Attachment {
  const { record } = form;
  return cards.accessForward({
    id: record.id,
    title: `${record.extendsRequestId ? 'Extension' : 'Access request'}: ${record.guestDisplayName} → ${record.appDisplayName}`,
    text:
      form.choices.length > 0
        ? 'Pick who should decide this request instead of you, or type their name or email. They get the approval card with your comment, the requester is told, and the request is still decided once.'
        : 'Nobody else may decide this request right now but you. Type the name or email of one of the app\'s owners if Microsoft Entra lists one since.',
    facts: [
      { title: 'Requested by', value: record.requesterName },
      { title: 'Partner', value: partnerLine(record) },
      { title: 'Role', value: roleWords(record) },
      { title: 'Approvers', value: approverWords(record) },
      ...forwardFacts(record),
    ],
    choices: form.choices,
    problem: form.problem,
    person: form.person,
    comment: form.comment,
  });
}

function notDecidableReply(outcome: { kind: 'notFound' } | { kind: 'notApprover'; record: AccessRequestRecord; approverSource: 'owners' | 'admins' }): { message: string } {
  if (outcome.kind === 'notFound') return { message: 'This request is no longer known.' };
  return {
    message:
      outcome.approverSource === 'owners'
        ? `Only the owners of ${outcome.record.appDisplayName}, as Microsoft Entra lists them now, can decide on this request or forward it.`
        : 'Only the bot admins can decide on this request or forward it (the app has no other owners).',
  };
}

/** Forward to… clicked: the form, or why not (decided already: the card as it stands). */
export function forwardFormReply(outcome: ForwardFormOutcome, viewer: Caller, approverTeamsIds: string[]): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'notFound':
    case 'notApprover':
      return notDecidableReply(outcome);
    case 'current':
      return { card: approvalCardFor(outcome.record, viewer, approverTeamsIds) };
    case 'form':
      return { card: forwardFormCard(outcome.form) };
  }
}

/** Forward's Send: the approval card as the forwarding approver now sees it, the form again with what to fix, or why not. */
export function forwardReply(outcome: ForwardOutcome, viewer: Caller, approverTeamsIds: string[]): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'notFound':
    case 'notApprover':
      return notDecidableReply(outcome);
    case 'invalid':
      return { card: forwardFormCard(outcome.form) };
    case 'current':
      return {
        card: approvalCard(
          outcome.record,
          approverTeamsIds,
          false,
          `Not forwarded: ${statusWords(outcome.record)}. There is nothing left to decide.`,
        ),
      };
    case 'forwarded':
      return {
        card: approvalCard(
          outcome.record,
          approverTeamsIds,
          canDecideAccess(viewer, outcome.record).allowed,
          `Forwarded to ${outcome.forward.toName}: they get this card, and ${outcome.record.requesterName} is told. You can still decide it until someone does.`,
        ),
      };
  }
}

/** The requester's view, refreshed for them when they look at it. */
/** On an outcome sent again after the bot restarted while sending it: Teams cannot say whether the first one arrived. */
export const REPEATED_OUTCOME_NOTE = 'the bot restarted while telling you this, so you may have got this message already';

export function statusCard(record: AccessRequestRecord, requesterTeamsId?: string, extra?: { text?: string; note?: string }): Attachment {
  const facts = [
    { title: 'Partner', value: partnerLine(record) },
    { title: 'App', value: record.appDisplayName },
    { title: 'Single sign-on', value: sso(record.ssoKind).short },
    { title: 'Role', value: roleWords(record) },
    { title: 'Duration', value: days(record.durationDays) },
    { title: 'Shadow account', value: shadowWords(record) },
    ...alreadyHeldFacts(record),
    { title: 'Approvers', value: approverWords(record) },
    ...forwardFacts(record),
    ...outcomeFacts(record),
  ];
  const text =
    extra?.text ??
    (record.state === 'pending'
      ? `The approvers decide by ${when(record.approvalDeadline)}; after that the request times out. You get a message here when it is settled.`
      : record.state === 'failed'
        ? 'The access was not granted, and nothing was left half-done. Once the problem above is fixed, request it again.'
        : record.state === 'timedOut'
          ? 'Nobody decided in time. Ask again with request if the partner still needs the access, and remind the approvers.'
          : record.state === 'withdrawn'
            ? 'You withdrew this request. Nothing was granted, and the approvers\' cards say so. Ask again with request if the partner needs the access after all.'
            : undefined);
  return cards.accessRequestStatus({
    id: record.id,
    tone: toneOf(record),
    status: statusWords(record),
    title: `${record.appDisplayName} for ${record.guestDisplayName}: ${TITLES[record.state]}`,
    text,
    facts,
    note: extra?.note,
    viewerIds: requesterTeamsId ? [requesterTeamsId] : [],
  });
}

export function partnerProblemCard(problem: PartnerProblem): Attachment {
  switch (problem.kind) {
    case 'invalidEmail':
      return cards.notice({ tone: 'warning', title: "That is not a partner's email address", text: problem.problem, code: problem.input });
    case 'notGuest':
      return cards.notice({
        tone: 'warning',
        title: `${problem.address.display} is not a guest here yet`,
        text: 'Access can only be requested for a partner who already has a guest account. Invite them first with the command below; once the invitation is sent, request the access again.',
        code: `invite ${problem.address.display}`,
      });
    case 'member':
      return cards.notice({
        tone: 'warning',
        title: `${problem.address.display} belongs to a member account, not a partner guest`,
        text: `The address is used by ${problem.user.displayName ?? problem.user.userPrincipalName} (${problem.user.userType ?? 'Member'}). Access requests here are for partner guests; members get app access through Entra as usual. If this account should be a partner, check it with whois.`,
      });
    case 'disabled':
      return cards.notice({
        tone: 'warning',
        title: `${problem.partner.displayName}'s guest account is disabled`,
        text: 'A disabled guest cannot sign in, so access would not help. Find out why it was disabled; once it is enabled in Microsoft Entra (an admin task), request again.',
      });
    case 'self':
      return cards.notice({ tone: 'warning', title: 'You cannot request access for yourself', text: 'Access requests are made for partners by a partner manager or admin.' });
  }
}

function partnerFacts(partner: PartnerView | undefined): { title: string; value: string }[] {
  if (!partner) return [];
  return [
    { title: 'Partner', value: `${partner.displayName} (${partner.mail ?? partner.address})` },
    { title: 'User type', value: `${partner.userType}${partner.onPremSynced ? ', synced from on-prem AD' : ''}` },
    { title: 'Invitation', value: invitationState(partner.externalUserState) },
  ];
}

function shadowPreview(app: ProxyApp, partner: PartnerView | undefined): string {
  if (app.ssoKind !== 'kerberos') return SHADOW_WORDS.notNeeded;
  if (partner?.onPremSynced) return SHADOW_WORDS.synced;
  return SHADOW_WORDS.ensure;
}

/** A typed address that cannot be the partner, in one line under the address input. */
function partnerProblemLine(problem: PartnerProblem): string {
  switch (problem.kind) {
    case 'invalidEmail':
      return `Partner: that is not an email address. ${problem.problem}`;
    case 'notGuest':
      return `Partner: ${problem.address.display} is not a guest here yet. Check the spelling; if it is right, invite them first with invite ${problem.address.display}.`;
    case 'member':
      return `Partner: ${problem.address.display} belongs to a member account (${problem.user.displayName ?? problem.user.userPrincipalName}), not a partner guest.`;
    case 'disabled':
      return `Partner: ${problem.partner.displayName}'s guest account is disabled, so access would not help: it must be enabled in Microsoft Entra first.`;
    case 'self':
      return 'Partner: that is your own account. Access requests are made for partners.';
  }
}

function problemsByField(problems: readonly FieldProblem[]): Partial<Record<FormField, string>> {
  const byField: Partial<Record<FormField, string>> = {};
  for (const problem of problems) {
    const line = 'partner' in problem ? partnerProblemLine(problem.partner) : problem.message;
    byField[problem.field] = byField[problem.field] ? `${byField[problem.field]} ${line}` : line;
  }
  return byField;
}

export function formCard(form: RequestForm): Attachment {
  const { app, partner } = form;
  const single = app.roles.length === 1 ? app.roles[0] : undefined;
  const roleFact = app.roles.length === 0 ? 'Default access (the app declares no roles)' : single ? single.displayName : undefined;
  return cards.accessRequestForm({
    formId: form.formId,
    servicePrincipalId: app.servicePrincipalId,
    appName: app.displayName,
    sso: sso(app.ssoKind).label,
    ssoColor: sso(app.ssoKind).color,
    facts: [
      ...partnerFacts(partner),
      ...(app.externalUrl ? [{ title: 'External URL', value: app.externalUrl }] : []),
      ...(roleFact ? [{ title: 'Role', value: roleFact }] : []),
      { title: 'Shadow account', value: shadowPreview(app, partner) },
      ...(form.alreadyHeld
        ? [{ title: 'Already has access', value: `${heldWords(form.alreadyHeld, (id) => (id === DEFAULT_ACCESS_ROLE_ID ? 'Default access' : app.roles.find((r) => r.id.toLowerCase() === id.toLowerCase())?.displayName ?? id))}. Asking for a role they hold changes nothing in Entra.` }]
        : []),
    ],
    partner: partner?.address,
    roles: app.roles.length > 1 ? app.roles.map((r) => ({ id: r.id, name: r.displayName })) : [],
    days: form.days,
    maxDays: form.maxDays,
    justification: form.justification,
    email: form.email,
    appRoleId: form.appRoleId,
    problems: problemsByField(form.problems ?? []),
    notes: form.notes,
    warning: form.kerberosNeedsOnPrem
      ? `${app.displayName} uses Kerberos (KCD), and no on-prem directory is configured for this bot, so only partners whose accounts are synced from on-prem AD can be given access. Invited guests need the bot's on-prem settings (ONPREM_*), which the bot's operator configures.`
      : partner?.externalUserState === 'PendingAcceptance'
        ? 'The partner has not accepted the invitation yet. The access can be granted now; they can use it once they redeem.'
        : undefined,
  });
}

export function startReply(outcome: StartOutcome): Attachment {
  switch (outcome.kind) {
    case 'noApps':
      return cards.notice({ tone: 'info', title: 'No apps to request', text: 'No apps are published through application proxy in this tenant, so there is nothing to request access to.' });
    case 'appNotFound':
      return cards.notice({ tone: 'warning', title: 'That app is no longer published', text: 'It is not an application proxy app any more, or it was removed. Send apps for the current list.' });
    case 'blocked':
      return cards.notice({ tone: 'attention', title: `Access to ${outcome.app.displayName} cannot be granted here`, text: outcome.reason });
    case 'pickApp': {
      const { candidates, prefill } = outcome;
      const title =
        outcome.matched === 'notGiven'
          ? 'Choose the app'
          : outcome.matched === 'several'
            ? `${candidates.length} apps match "${outcome.query ?? ''}"`
            : `No app is called "${outcome.query ?? ''}"`;
      return cards.accessPick({
        title,
        text: outcome.matched === 'none' ? 'These are the closest names. Choose one, or send apps to see them all.' : 'Choose the app the partner needs.',
        candidates: candidates.map((a) => ({
          servicePrincipalId: a.servicePrincipalId,
          name: a.displayName,
          details: [sso(a.ssoKind).short, a.roles.length > 1 ? `${a.roles.length} roles` : undefined, a.externalUrl].filter((v) => v).join(' · '),
        })),
        partner: prefill.email,
        days: prefill.days,
        justification: prefill.justification,
        more: false,
      });
    }
    case 'form':
      return formCard(outcome.form);
    case 'invalidEmail':
    case 'notGuest':
    case 'member':
    case 'disabled':
    case 'self':
      return partnerProblemCard(outcome);
  }
}

export function submitReply(outcome: SubmitOutcome, requesterTeamsId: string): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'invalid':
      return { card: formCard(outcome.form) };
    case 'appNotFound':
      return { card: startReply(outcome) };
    case 'blocked':
      return { card: startReply(outcome) };
    case 'notYours':
      return { message: 'This form belongs to someone else. Start your own with request.' };
    case 'duplicate': {
      const existing = outcome.existing;
      return {
        card: statusCard(existing, undefined, {
          text:
            existing.state === 'granted'
              ? `${existing.guestDisplayName} already has this access, until ${when(existing.expiresAt)}. No second request was made. To change it, an admin can revoke it first.`
              : `${existing.requesterName} already asked for this on ${when(existing.createdAt)}, and it is still open. No second request was made.`,
        }),
      };
    }
    case 'noApprovers':
      return {
        card: cards.notice({
          tone: 'attention',
          title: `Nobody else can approve access to ${outcome.app.displayName}`,
          text: "The app's only owner is you (or the partner), and no other admin could be found. The app needs another owner in Entra, or another admin must make the request.",
        }),
      };
    case 'current':
      return { card: statusCard(outcome.record, requesterTeamsId) };
    case 'requested': {
      const { record, reached, unreachable, channel } = outcome;
      const parts: string[] = [];
      parts.push(reached === 0 ? 'No approver could be sent the card in Teams.' : reached === 1 ? 'One approver got the card in Teams.' : `${reached} approvers got the card in Teams.`);
      if (unreachable.length > 0) {
        parts.push(
          `Not reachable, because the bot is not installed for them: ${unreachable.join(', ')}. They can still decide by sending pending to the bot once they install it; tell them.`,
        );
      }
      if (channel === 'sent') parts.push('The approvals channel has it too.');
      if (channel === 'failed') parts.push('It could not be posted to the approvals channel; an admin should check that the bot is installed there.');
      return {
        card: statusCard(record, requesterTeamsId, { note: parts.join(' ') }),
      };
    }
    case 'invalidEmail':
    case 'notGuest':
    case 'member':
    case 'disabled':
    case 'self':
      return { card: partnerProblemCard(outcome) };
  }
}

export function decisionReply(outcome: DecisionOutcome, viewer: Caller, approverTeamsIds: string[]): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'notFound':
      return { message: 'This request is no longer known.' };
    case 'selfApproval':
      return { message: 'You cannot decide on your own request: another approver must approve or deny it.' };
    case 'partner':
      return { message: 'The partner cannot decide on their own access.' };
    case 'notApprover':
      return {
        message:
          outcome.approverSource === 'owners'
            ? `Only the owners of ${outcome.record.appDisplayName}, as Microsoft Entra lists them now, can decide on this request.`
            : 'Only the bot admins can decide on this request (the app has no other owners).',
      };
    case 'current':
    case 'decided':
      return { card: approvalCardFor(outcome.record, viewer, approverTeamsIds) };
  }
}

function listItem(record: AccessRequestRecord, perspective: 'mine' | 'pending', viewer?: Caller) {
  const tone = toneOf(record);
  return {
    id: record.id,
    name: `${record.appDisplayName} for ${record.guestDisplayName}`,
    status: statusWords(record),
    color: COLOR[tone],
    details:
      perspective === 'mine'
        ? `${roleWords(record)} · ${days(record.durationDays)} · asked ${day(record.createdAt)}`
        : `Asked by ${record.requesterName} on ${day(record.createdAt)} · ${roleWords(record)} · ${days(record.durationDays)}`,
    button: perspective === 'mine' ? 'Show' : 'Review',
    withdraw: perspective === 'mine' && viewer !== undefined && canWithdrawAccessRequest(viewer, record),
  };
}

/** `requests`: the caller's own requests; each one nobody has decided yet has Withdraw. */
export function myRequestsCard(records: AccessRequestRecord[], viewer: Caller, outcome?: { tone: 'good' | 'warning'; text: string }): Attachment {
  const open = records.filter((r) => r.state === 'pending' || r.state === 'approved').length;
  const withdrawable = records.some((r) => canWithdrawAccessRequest(viewer, r));
  return cards.accessRequestList({
    heading: 'Your access requests',
    title: records.length === 0 ? 'No requests yet' : open === 0 ? `${records.length} recent, none open` : `${open} open, ${records.length - open} recent`,
    emptyText: 'You have not asked for any partner access yet. Use request <app> for <email>, or the Request access button in apps.',
    items: records.map((r) => listItem(r, 'mine', viewer)),
    note: withdrawable ? 'Withdraw takes back a request nobody has decided yet; its approvers\' cards then say so.' : undefined,
    outcome,
  });
}

/** The list again after a Withdraw click, with what the click did on top. */
export function withdrawReply(outcome: Exclude<WithdrawOutcome, { kind: 'notFound' | 'notYours' }>, records: AccessRequestRecord[], viewer: Caller): Attachment {
  const { record } = outcome;
  const subject = `${record.appDisplayName} for ${record.guestDisplayName}`;
  if (outcome.kind === 'withdrawn') {
    return myRequestsCard(records, viewer, { tone: 'good', text: `Withdrawn: ${subject}. Nothing was granted, and the approvers' cards now say so.` });
  }
  const text =
    record.state === 'withdrawn'
      ? `${subject} was already withdrawn; nothing changed.`
      : record.state === 'approved' || record.state === 'granted'
        ? `Too late to withdraw ${subject}: ${statusWords(record)}. To take the access away, the app's owners or an admin can revoke it.`
        : `${subject} can no longer be withdrawn: ${statusWords(record)}. Nothing changed.`;
  return myRequestsCard(records, viewer, { tone: 'warning', text });
}

export function pendingCard(records: AccessRequestRecord[]): Attachment {
  return cards.accessRequestList({
    heading: 'Waiting for your decision',
    title: records.length === 0 ? 'Nothing waiting for you' : records.length === 1 ? '1 request' : `${records.length} requests`,
    emptyText: 'No access request is waiting for your approval.',
    items: records.map((r) => listItem(r, 'pending')),
    note: records.length > 0 ? 'Oldest first. Review opens the request with its Approve and Deny buttons.' : undefined,
  });
}

/** Proactive messages the service sends: approval cards for approvers and the outcome for the requester. */
export const accessRequestMessages: AccessRequestMessages = {
  approval(record, approverTeamsIds): OutgoingMessage {
    // Sent once to every approver and the channel; `refresh` then gives each approver their own view.
    return {
      card: approvalCard(record, approverTeamsIds, record.state === 'pending'),
      text:
        record.state === 'pending'
          ? `${record.requesterName} asks for ${record.guestDisplayName}'s access to ${record.appDisplayName}`
          : `${record.appDisplayName} for ${record.guestDisplayName}: ${statusWords(record)}`,
    };
  },
  reminder(record, { waitingHours }): OutgoingMessage {
    const waiting = waitingHours === 1 ? '1 hour' : `${waitingHours} hours`;
    const title = `${record.appDisplayName} for ${record.guestDisplayName} still waits for a decision`;
    return {
      card: cards.accessReminder({
        id: record.id,
        title,
        text: `${record.requesterName} asked ${waiting} ago, and nobody has decided yet. Approve or deny it before it times out.`,
        facts: [
          { title: 'Partner', value: `${record.guestDisplayName} (${record.guestMail ?? record.guestUpn})` },
          { title: 'App', value: record.appRoleName ? `${record.appDisplayName}, role ${record.appRoleName}` : record.appDisplayName },
          { title: 'Requested by', value: record.requesterName },
          { title: 'Times out', value: when(record.approvalDeadline) },
        ],
      }),
      text: `Reminder: ${title}`,
    };
  },
  escalated(record): OutgoingMessage {
    const text = `${record.appDisplayName} for ${record.guestDisplayName}: nobody had decided, so the bot admins can decide it now too`;
    return {
      card: statusCard(record, undefined, {
        text: `Nobody had decided your request yet, so it now goes to the bot admins as well. They decide by ${when(record.approvalDeadline)}; after that it times out.`,
      }),
      text,
    };
  },
  forwarded(record, forward): OutgoingMessage {
    return {
      card: statusCard(record, undefined, {
        text: `${forward.byName} handed your request to ${forward.toName} to decide, with the comment below. It is still the same request; the approvers decide by ${when(record.approvalDeadline)}.`,
      }),
      text: `${record.appDisplayName} for ${record.guestDisplayName}: forwarded by ${forward.byName} to ${forward.toName}`,
    };
  },
  requesterOutcome(record, options = {}): OutgoingMessage {
    const text = `${record.appDisplayName} for ${record.guestDisplayName}: ${statusWords(record)}`;
    if (!options.repeat) return { card: statusCard(record), text };
    return { card: statusCard(record, undefined, { note: REPEATED_OUTCOME_NOTE }), text: `${text} (sent again: ${REPEATED_OUTCOME_NOTE})` };
  },
};
