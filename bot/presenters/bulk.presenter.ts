import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { Caller } from '../identity/caller';
import type { OutgoingMessage } from '../services/ports';
import type { BulkDecision, BulkMessages, BulkResultsPage, BulkRunView } from '../services/bulk/bulkRuns';
import { sameObjectId } from '../identity/objectId';

/** Cards for bulk runs: the confirmation, the admins' approval, the live progress and the final results. */

const STATUS: Record<BulkRunView['state'], { tone: 'info' | 'good' | 'warning' | 'attention'; words: string }> = {
  draft: { tone: 'info', words: 'Not started' },
  awaitingApproval: { tone: 'warning', words: 'Waiting for a second admin' },
  running: { tone: 'info', words: 'Running' },
  finished: { tone: 'good', words: 'Finished' },
  stopped: { tone: 'attention', words: 'Stopped' },
  cancelled: { tone: 'warning', words: 'Cancelled' },
};

function countFacts(view: BulkRunView): { title: string; value: string }[] {
  const c = view.counts;
  return [
    { title: 'Rows', value: String(c.total) },
    { title: 'Invited', value: String(c.invited) },
    { title: 'Already guest', value: String(c.alreadyGuest) },
    { title: 'Refused by policy', value: String(c.refused) },
    { title: 'Failed', value: String(c.failed) },
    { title: 'Invalid (skipped)', value: String(c.invalid) },
    ...(c.notAttempted > 0 ? [{ title: 'Not attempted', value: String(c.notAttempted) }] : []),
    { title: 'Remaining', value: String(c.pending) },
    { title: 'Requested by', value: view.requesterName },
    ...(view.decidedByName ? [{ title: 'Approved by', value: view.decidedByName }] : []),
  ];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** How the partners will get their invitation, said before the run starts: Microsoft's email, or links the inviter sends. */
function deliveryText(view: BulkRunView): string {
  const { byEmail, byLink } = view.delivery;
  const links = view.resultsFile ? 'the final card gives you a results file with each redemption link' : 'the final card lists each redemption link';
  if (byLink === 0) return `Microsoft emails the invitation to ${byEmail === 1 ? 'the partner' : `all ${byEmail} partners`}.`;
  const who = byEmail === 0 ? (byLink === 1 ? 'The partner gets' : `The ${byLink} partners get`) : `${plural(byLink, 'partner')} ${byLink === 1 ? 'gets' : 'get'}`;
  const noEmail = `${who} no email from Microsoft: you send each their redemption link (${links}).`;
  return byEmail === 0 ? noEmail : `Microsoft emails the invitation to ${plural(byEmail, 'partner')}. ${noEmail}`;
}

/** On the running and final cards: where the results are, and what the inviter still has to send. */
function downloadNote(view: BulkRunView): string {
  const { linksReady } = view.delivery;
  const send = linksReady > 0 ? `${plural(linksReady, 'partner')} got no email from Microsoft: send each their redemption link. ` : '';
  if (view.downloadUrl) return `${send}The results file (CSV) has every row with its redemption link; the download link is signed for this run and expires.`;
  if (linksReady > 0) return `${send}The bot has no public address (PUBLIC_BASE_URL) for a results file, so the links are listed page by page here.`;
  return 'No results download: the bot has no public address (PUBLIC_BASE_URL). The counts above are complete.';
}

/** The button to the paged results, on a final card without a results file. */
function resultsButton(view: BulkRunView): { nextPage?: number; nextTitle?: string } {
  if (view.downloadUrl || view.counts.total === 0) return {};
  return { nextPage: 1, nextTitle: view.delivery.linksReady > 0 ? 'Show the redemption links' : 'Show every row' };
}

function downloadTitle(view: BulkRunView): string {
  return view.delivery.linksReady > 0 ? 'Download results with the links (CSV)' : 'Download results (CSV)';
}

function base(view: BulkRunView) {
  const status = STATUS[view.state];
  const c = view.counts;
  const valid = c.total - c.invalid;
  return {
    id: view.id,
    tone: status.tone,
    status: status.words,
    facts: countFacts(view),
    problems: view.problems.map((p) => `${p.input}: ${p.detail}`),
    progress: view.state === 'draft' || view.state === 'awaitingApproval' ? undefined : { done: valid - c.pending, total: valid },
  };
}

/** The requester's card: confirm before start, then progress, then results. */
export function bulkCard(view: BulkRunView, viewer?: Caller): Attachment {
  const c = view.counts;
  const valid = c.total - c.invalid;
  switch (view.state) {
    case 'draft':
      return cards.bulkRun({
        ...base(view),
        title: `Invite ${valid} partner${valid === 1 ? '' : 's'}?`,
        text: `${deliveryText(view)} ${c.invalid > 0 ? `${c.invalid} row(s) are invalid and will be skipped. ` : ''}Each address is checked first; existing guests and accounts are not invited again. Invitations are paced to avoid Microsoft's anti-abuse block, and the run stops at once if Microsoft blocks invitations.`,
        note: view.needsApproval ? 'This run is larger than the approval threshold: another admin must approve it before it starts.' : undefined,
        showStart: valid > 0,
        startTitle: view.needsApproval ? 'Ask another admin to approve' : `Start inviting ${valid}`,
        showCancel: true,
      });
    case 'awaitingApproval':
      return cards.bulkRun({ ...base(view), title: `Bulk invitation of ${valid} partners is waiting for approval`, text: 'Another admin must approve it; you will see the progress here once it starts.', showCancel: sameObjectId(viewer?.aadObjectId, view.requesterId), cancelTitle: 'Cancel the run' });
    case 'running':
      return cards.bulkRun({ ...base(view), title: `Inviting ${valid} partners`, text: `This card updates as the run goes on. You can leave the chat; the run continues. ${deliveryText(view)}`, note: downloadNote(view), showCancel: true, cancelTitle: 'Stop the run', downloadUrl: view.downloadUrl, downloadTitle: downloadTitle(view) });
    case 'finished':
      return cards.bulkRun({ ...base(view), tone: c.failed + c.refused > 0 ? 'warning' : 'good', title: `Bulk invitation finished: ${c.invited} invited`, note: downloadNote(view), downloadUrl: view.downloadUrl, downloadTitle: downloadTitle(view), ...resultsButton(view) });
    case 'stopped':
      return cards.bulkRun({
        ...base(view),
        title: 'Bulk invitation stopped',
        text: /suspicious activity/i.test(view.stopReason ?? '')
          ? 'Microsoft blocked invitations for this directory due to suspicious activity. The run stopped at once and will not retry; only Microsoft support can lift the block. Rows not yet processed are marked "not attempted".'
          : `The run stopped: ${view.stopReason ?? 'unknown reason'}.`,
        note: downloadNote(view),
        downloadUrl: view.downloadUrl,
        downloadTitle: downloadTitle(view),
        ...resultsButton(view),
      });
    case 'cancelled':
      return cards.bulkRun({
        ...base(view),
        title: 'Bulk invitation cancelled',
        text: 'No further invitations are sent. Invitations already sent stay.',
        downloadUrl: view.downloadUrl,
        downloadTitle: downloadTitle(view),
        note: view.downloadUrl || view.delivery.linksReady > 0 ? downloadNote(view) : undefined,
        ...(view.delivery.linksReady > 0 ? resultsButton(view) : {}),
      });
  }
}

/**
 * One page of a run's results, for when there is no results file: each row with its outcome and, where Microsoft sent no
 * email, the redemption link to send. At most 20 rows a card, well under Teams' 100 KB message limit.
 */
export function bulkResultsCard(results: BulkResultsPage): Attachment {
  const { view, page, pages } = results;
  const c = view.counts;
  return cards.bulkRun({
    ...base(view),
    problems: [],
    title: `Bulk invitation results: page ${page} of ${pages}`,
    text: view.delivery.linksReady > 0 ? `${plural(view.delivery.linksReady, 'partner')} got no email from Microsoft: send each the link under their address. Each link is for its partner only.` : `${c.invited} invited; no links to send.`,
    resultsTitle: `Rows ${results.rows[0]?.number ?? 0} to ${results.rows.at(-1)?.number ?? 0} of ${c.total}`,
    results: results.rows.map((row) => ({ heading: `${row.number}. ${row.address}: ${row.status}`, detail: row.detail, link: row.redeemUrl })),
    previousPage: page > 1 ? page - 1 : 0,
    nextPage: page < pages ? page + 1 : 0,
  });
}

/** The second admin's card. */
export function bulkApprovalCard(view: BulkRunView, viewer?: Caller): Attachment {
  const valid = view.counts.total - view.counts.invalid;
  if (view.state !== 'awaitingApproval') {
    return cards.bulkRun({ ...base(view), title: `Bulk invitation by ${view.requesterName}: ${STATUS[view.state].words.toLowerCase()}`, text: 'This request is settled; nothing more to do.' });
  }
  const own = sameObjectId(viewer?.aadObjectId, view.requesterId);
  return cards.bulkRun({
    ...base(view),
    title: `${view.requesterName} asks to invite ${valid} partners at once`,
    text: 'Large runs need a second admin. Approving starts the run now, paced, with the requester as sponsor of every guest.',
    showApprove: !own,
    note: own ? 'You asked for this run, so another admin must approve it.' : undefined,
  });
}

export function bulkDecisionReply(decision: BulkDecision, viewer: Caller, asApprover: boolean): { card: Attachment } | { message: string } {
  switch (decision.kind) {
    case 'notFound':
      return { message: 'This bulk run is no longer known.' };
    case 'notYours':
      return { message: 'Only the admin who prepared this run can start it.' };
    case 'selfApproval':
      return { message: 'You cannot approve your own bulk run: another admin must.' };
    case 'awaitingApproval':
      return {
        card:
          decision.adminsReached > 0
            ? bulkCard(decision.view, viewer)
            : cards.notice({ tone: 'warning', title: 'No other admin could be reached', text: 'None of the other admins has the bot installed in Teams. The run waits; ask an admin to open a chat with the bot.' }),
      };
    case 'started':
      return asApprover
        ? { card: bulkApprovalCard(decision.view, viewer) }
        : { card: cards.bulkRun({ ...base(decision.view), title: `Started: inviting ${decision.view.counts.total - decision.view.counts.invalid} partners`, text: 'The progress card below is updated as the run goes on. You can leave the chat; the run continues.' }) };
    case 'current':
      return { card: asApprover ? bulkApprovalCard(decision.view, viewer) : bulkCard(decision.view, viewer) };
  }
}

export const bulkMessages: BulkMessages = {
  progress(view): OutgoingMessage {
    const c = view.counts;
    return { card: bulkCard(view), text: `Bulk invitation: ${c.invited} invited, ${c.pending} remaining` };
  },
  approval(view): OutgoingMessage {
    return { card: bulkApprovalCard(view), text: `${view.requesterName} asks to approve a bulk invitation` };
  },
};
