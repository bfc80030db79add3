import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { Caller } from '../identity/caller';
import { canExtendGrant, canRevoke } from '../identity/capabilities';
import type {
  ExpiringOutcome,
  ExtensionForm,
  ExtensionFormOutcome,
  ExtensionSubmitOutcome,
  GrantLifeMessages,
  LetEndOutcome,
  ShortenCheck,
  ShortenOutcome,
} from '../services/accessRequests';
import type { AccessRequestRecord } from '../store';
import type { UserZone } from '../services/timeSpan';
import { MAX_NOTICED_SPONSORS } from '../services/access/types';
import { statusCard } from './access.presenter';

/** A grant's life in cards: the expiry notice, the grant's own card, the extension form, End earlier and `expiring`. */

function when(date: Date | undefined): string {
  if (!date || Number.isNaN(date.getTime())) return 'unknown';
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function inDays(n: number): string {
  return n === 1 ? 'tomorrow' : `in ${n} days`;
}

function roleWords(record: AccessRequestRecord): string {
  return record.appRoleName ?? 'Default access (the app declares no roles)';
}

function subject(record: AccessRequestRecord): string {
  return `${record.guestDisplayName}'s access to ${record.appDisplayName}`;
}

function grantFacts(record: AccessRequestRecord): { title: string; value: string }[] {
  return [
    { title: 'Partner', value: `${record.guestDisplayName} (${record.guestMail ?? record.guestUpn})` },
    { title: 'App', value: record.appDisplayName },
    { title: 'Role', value: roleWords(record) },
    { title: 'Ends', value: when(record.expiresAt) },
    { title: 'Requested by', value: record.requesterName },
    ...(record.grantedAt ? [{ title: 'Granted', value: when(record.grantedAt) }] : []),
    ...(record.letEndAt ? [{ title: 'Let it end', value: `Chosen ${when(record.letEndAt)}: no more notices` }] : []),
    ...(record.guestOnPremSynced && record.ssoKind === 'kerberos' ? [{ title: 'On-prem account', value: SYNCED_OWN_ACCOUNT }] : []),
  ];
}

/** Where a synced partner's grant ends differently from an invited guest's: no shadow account to disable, their AD account stays. */
const SYNCED_OWN_ACCOUNT = 'Their own AD account (a partner synced from on-prem AD), not a shadow account: the end does not disable or delete it';

/**
 * The grant's own card (from `expiring`, and what Extend, Let it end and End earlier answer with): Extend and Let it end
 * for those who may ask (capabilities), End earlier with its date input for admins (an app owner gets it from the command,
 * whose right is checked against Graph).
 */
export function grantCard(
  record: AccessRequestRecord,
  viewer: Caller,
  extra: { outcome?: { tone: 'good' | 'warning' | 'attention'; text: string }; when?: string; whenProblem?: string; confirmation?: { id: string; label: string }; open?: AccessRequestRecord } = {},
): Attachment {
  const live = record.state === 'granted';
  const confirming = extra.confirmation !== undefined;
  const mayAsk = live && !confirming && canExtendGrant(viewer, record) !== undefined;
  return cards.grantNotice({
    grantId: record.id,
    heading: live ? 'Grant' : 'Grant ended',
    headingColor: live ? 'accent' : 'good',
    title: live ? `${subject(record)} ends ${when(record.expiresAt)}` : `${subject(record)}: ${record.state}`,
    text: extra.open ? `An extension is waiting for approval: ${extra.open.durationDays} more days, asked by ${extra.open.requesterName}.` : undefined,
    facts: grantFacts(record),
    ...(extra.outcome ? { outcome: extra.outcome } : {}),
    canExtend: mayAsk && !extra.open,
    canLetEnd: mayAsk && !record.letEndAt,
    canShorten: live && !confirming && canRevoke(viewer) !== undefined,
    ...(extra.when ? { when: extra.when } : {}),
    ...(extra.whenProblem ? { whenProblem: extra.whenProblem } : {}),
    ...(extra.confirmation ? { confirmation: extra.confirmation } : {}),
    note: live && !confirming ? 'Extend asks the approvers for a new end; the access stays as it is until they decide. End earlier moves the end date sooner, after a confirmation.' : undefined,
  });
}

/** The expiry notice sent proactively to the requester and the partner's sponsors. */
export const grantLifeMessages: GrantLifeMessages = {
  expiryNotice(record, notice) {
    const card = cards.grantNotice({
      grantId: record.id,
      heading: `Access ends ${inDays(notice.days)}`,
      headingColor: 'attention',
      title: `${subject(record)} ends ${when(record.expiresAt)}`,
      text:
        notice.reader === 'requester'
          ? 'You asked for this access. If the partner still needs it, Extend asks the approvers for a new end; otherwise Let it end, and nobody is reminded again.'
          : `You are one of ${record.guestDisplayName}'s sponsors. If they still need it, Extend asks the approvers for a new end; otherwise Let it end, and nobody is reminded again.`,
      ...(notice.sponsorsNotTold
        ? { outcome: { tone: 'warning' as const, text: `${record.guestDisplayName}'s sponsors, with the members of their sponsor groups, are more than ${MAX_NOTICED_SPONSORS}: only ${MAX_NOTICED_SPONSORS} of them got this notice, and ${notice.sponsorsNotTold} did not.` } }
        : {}),
      facts: grantFacts(record),
      canExtend: true,
      canLetEnd: true,
      canShorten: false,
    });
    return { card, text: `${subject(record)} ends ${when(record.expiresAt)}` };
  },
};

export function extensionFormCard(form: ExtensionForm, zone?: UserZone): Attachment {
  const { grant } = form;
  const problem = (field: 'until' | 'justification') => form.problems.filter((p) => p.field === field).map((p) => p.message).join(' ') || undefined;
  const untilProblem = problem('until');
  const justificationProblem = problem('justification');
  return cards.grantExtend({
    formId: form.formId,
    grantId: grant.id,
    title: `Extend ${subject(grant)}`,
    text: `It ends ${when(grant.expiresAt)}. Say until when it should last (at most ${form.maxDays} days from today) and why; the app's approvers decide, as for any request. Nothing changes until they approve.`,
    facts: grantFacts(grant),
    // The zone the typed end will be read in, so "until Friday" means the person's Friday and they can see that it does.
    untilLabel: `New end (read in ${zone?.timeZone ?? 'UTC'} time)`,
    ...(form.until ? { until: form.until } : {}),
    ...(form.justification ? { justification: form.justification } : {}),
    ...(untilProblem ? { untilProblem } : {}),
    ...(justificationProblem ? { justificationProblem } : {}),
    ...(form.open ? { warning: `${form.open.requesterName} already asked to extend this grant (${form.open.durationDays} more days); it is waiting for approval, so another request would be refused.` } : {}),
  });
}

type GrantProblemKind = { kind: 'notFound' } | { kind: 'notLive'; grant: AccessRequestRecord } | { kind: 'notAllowed'; grant: AccessRequestRecord };

function grantProblemReply(outcome: GrantProblemKind, doing: string): { message: string } {
  switch (outcome.kind) {
    case 'notFound':
      return { message: 'This grant is no longer known.' };
    case 'notLive':
      return { message: `${subject(outcome.grant)} has already ended (${outcome.grant.state}), so there is nothing to ${doing}.` };
    case 'notAllowed':
      return { message: `Only the person who asked for this access, the partner's sponsors, partner managers and admins can ${doing} it.` };
  }
}

export function extensionFormReply(outcome: ExtensionFormOutcome, zone?: UserZone): { card: Attachment } | { message: string } {
  if (outcome.kind !== 'form') return grantProblemReply(outcome, 'extend');
  return { card: extensionFormCard(outcome.form, zone) };
}

export function extensionSubmitReply(outcome: ExtensionSubmitOutcome, viewer: Caller, zone?: UserZone): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'notFound':
    case 'notLive':
    case 'notAllowed':
      return grantProblemReply(outcome, 'extend');
    case 'invalid':
      return { card: extensionFormCard(outcome.form, zone) };
    case 'notYours':
      return { message: 'This form belongs to someone else. Use Extend on the notice or in expiring for your own.' };
    case 'noApprovers':
      return { message: `Nobody else can approve access to ${outcome.grant.appDisplayName}: the app needs another owner in Entra, or another admin must ask.` };
    case 'duplicate':
      return { card: statusCard(outcome.existing, undefined, { text: `${outcome.existing.requesterName} already asked to extend this grant on ${when(outcome.existing.createdAt)}, and it is still open. No second request was made.` }) };
    case 'current':
      return { card: statusCard(outcome.record, viewer.teamsUserId) };
    case 'requested': {
      const { reached, unreachable } = outcome;
      const asked = outcome.until ? `New end asked: ${inZone(outcome.until)} (${when(outcome.until.endsAt)}).${outcome.until.fallback ? ` ${outcome.until.fallback}` : ''}` : undefined;
      const parts = [...(asked ? [asked] : []), reached === 0 ? 'No approver could be sent the card in Teams.' : reached === 1 ? 'One approver got the card in Teams.' : `${reached} approvers got the card in Teams.`];
      if (unreachable.length > 0) parts.push(`Not reachable, because the bot is not installed for them: ${unreachable.join(', ')}.`);
      parts.push('The access stays as it is until they decide.');
      return { card: statusCard(outcome.record, viewer.teamsUserId, { note: parts.join(' ') }) };
    }
  }
}

export function letEndReply(outcome: LetEndOutcome, viewer: Caller): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'notFound':
    case 'notLive':
    case 'notAllowed':
      return grantProblemReply(outcome, 'let end');
    case 'recorded':
      return { card: grantCard(outcome.grant, viewer, { outcome: { tone: 'good', text: `Recorded: ${subject(outcome.grant)} ends ${when(outcome.grant.expiresAt)} as planned. Nobody gets another notice about it.` } }) };
    case 'already':
      return { card: grantCard(outcome.grant, viewer, { outcome: { tone: 'good', text: `Let it end was already chosen ${when(outcome.grant.letEndAt)}; nothing changed.` } }) };
  }
}

/** What End earlier (the card's button or the `shorten` command) answers before anything changes. */
export function shortenCheckReply(check: ShortenCheck, viewer: Caller, confirmationId: string | undefined): { card: Attachment } | { message: string } {
  switch (check.kind) {
    case 'notFound':
      return { message: 'This grant is no longer known.' };
    case 'notLive':
      return { message: `${subject(check.grant)} has already ended (${check.grant.state}).` };
    case 'notAllowed':
      return { message: `Only admins and the owners of ${check.grant.appDisplayName} can end a grant earlier.` };
    case 'invalidEmail':
      return { card: cards.notice({ tone: 'warning', title: "That is not a partner's email address", text: check.problem, code: check.input }) };
    case 'appNotFound':
      return { card: cards.notice({ tone: 'warning', title: `No app is called "${check.query}"`, text: 'Name the app exactly as apps lists it.' }) };
    case 'noGrant':
      return { card: cards.notice({ tone: 'info', title: `${check.email} has no live grant of ${check.app} from the bot`, text: 'Nothing to end earlier. expiring lists the grants that end soon.' }) };
    case 'severalGrants':
      return { card: cards.notice({ tone: 'warning', title: 'The partner has several grants of this app', text: 'Use Open on the grant in expiring, and End earlier on its card, to choose which one.' }) };
    case 'badDate':
      return {
        card: grantCard(check.grant, viewer, {
          whenProblem: `${check.problem}${check.choices.length > 0 ? ` It could be: ${check.choices.join('; ')}. Type the one you mean.` : ''}`,
        }),
      };
    case 'notEarlier':
      return { card: grantCard(check.grant, viewer, { whenProblem: `${inZone(check)} is not earlier than the current end (${when(check.grant.expiresAt)}). To give more time, use Extend.` }) };
    case 'confirm': {
      const extensions = check.openExtensions.length > 0 ? ` The extension waiting for approval (${check.openExtensions.map((e) => `${e.durationDays} more days, asked by ${e.requesterName}`).join('; ')}) is withdrawn: it was asked against the old end.` : '';
      return {
        card: grantCard(check.grant, viewer, {
          outcome: { tone: 'attention', text: `End ${subject(check.grant)} on ${inZone(check)} (${when(check.endsAt)}) instead of ${when(check.grant.expiresAt)}? The access is removed then, as at any expiry.${extensions}${check.fallback ? ` ${check.fallback}` : ''}` },
          // The last day with access in the person's own calendar, not UTC's: for Auckland or Los Angeles they differ.
          ...(confirmationId ? { confirmation: { id: confirmationId, label: `End it ${check.lastDay}` } } : {}),
        }),
      };
    }
  }
}

/** A typed end as it was understood: the day in the person's words, and the zone it was read in. */
function inZone(end: { label: string; timeZone: string }): string {
  return `${end.label}, ${end.timeZone} time`;
}

export function shortenReply(outcome: ShortenOutcome, viewer: Caller): { card: Attachment } | { message: string } {
  switch (outcome.kind) {
    case 'changed':
      return { card: grantCard(outcome.grant, viewer, { outcome: { tone: 'warning', text: `The end date changed since the confirmation was shown (it is now ${when(outcome.grant.expiresAt)}); nothing was changed. Try again if it should still end earlier.` } }) };
    case 'shortened': {
      const withdrawn = outcome.withdrawnExtensions.length > 0 ? ` The waiting extension was withdrawn, and its approvers' cards say so.` : '';
      return { card: grantCard(outcome.grant, viewer, { outcome: { tone: 'good', text: `Done: ${subject(outcome.grant)} now ends ${when(outcome.grant.expiresAt)} instead of ${when(outcome.from)}.${withdrawn}` } }) };
    }
    case 'notFound':
    case 'notLive':
    case 'notAllowed':
    case 'invalidEmail':
    case 'appNotFound':
    case 'noGrant':
    case 'severalGrants':
    case 'badDate':
    case 'notEarlier':
      return shortenCheckReply(outcome, viewer, undefined);
  }
}

export function expiringCard(outcome: ExpiringOutcome, viewer: Caller): { card: Attachment } | { message: string } {
  if (outcome.kind === 'notAllowed') return { message: 'expiring is for partner managers and admins.' };
  const { grants, days } = outcome;
  return {
    card: cards.grantList({
      heading: 'Grants ending soon',
      title: grants.length === 0 ? `No grant ends within ${days} days` : `${grants.length === 1 ? '1 grant' : `${grants.length} grants`} end within ${days} days`,
      emptyText: `No grant made by the bot ends in the next ${days} days.`,
      items: grants.map((g) => {
        const open = outcome.openExtensions.get(g.id);
        return {
          id: g.id,
          name: `${g.appDisplayName} for ${g.guestDisplayName}`,
          ends: `Ends ${when(g.expiresAt)}${g.letEndAt ? ' · let it end' : ''}`,
          color: g.letEndAt ? 'default' : 'attention',
          details: `${roleWords(g)} · asked by ${g.requesterName}${open ? ` · extension waiting (${open.durationDays} more days)` : ''}`,
          extend: !open && canExtendGrant(viewer, g) !== undefined,
        };
      }),
      note: grants.length > 0 ? 'Soonest first. Extend asks the approvers for a new end; Open shows the grant, with End earlier for admins.' : undefined,
    }),
  };
}
