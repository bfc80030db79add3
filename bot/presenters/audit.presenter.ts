import type { Attachment } from 'botbuilder';
import { z } from 'zod';
import { cards } from '../../cards';
import { describeBreak, type ChainReport } from '../store';
import type { SignInActivity } from '../graph/users';
import type { AuditPage, ExportLinkOutcome, HistoryOutcome, PartnerFacts, PersonCandidate } from '../services/audit/auditTrail';
import { StoredFilterSchema, type StoredFilter } from '../services/audit/auditTrail';
import type { TimelineLine } from '../services/audit/timeline';

/** Times in chat are UTC to the minute, said so once in the footer: the log's own times are UTC. */
export function shownWhen(at: Date): string {
  return Number.isNaN(at.getTime()) ? '?' : `${at.toISOString().slice(0, 16).replace('T', ' ')}`;
}

function shownDay(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? undefined : `${shownWhen(at)} UTC`;
}

function encodeState(state: unknown): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** The Older button's state: card data is user input, so it comes back through zod or not at all. */
function decodeState<T>(schema: z.ZodType<T>, state: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(state, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const HistoryStateSchema = z.object({ q: z.string().min(1).max(320) }).strict();
export const AuditStateSchema = z.object({ filter: StoredFilterSchema, described: z.array(z.string().max(400)).max(6) }).strict();

export function decodeHistoryState(state: string): z.infer<typeof HistoryStateSchema> | undefined {
  return decodeState(HistoryStateSchema, state);
}

export function decodeAuditState(state: string): z.infer<typeof AuditStateSchema> | undefined {
  return decodeState(AuditStateSchema, state);
}

const TIMES_FOOTER = 'Newest first; times in UTC. #n is the row\'s place in the audit log\'s hash chain.';

function lastSignInWords(s: SignInActivity): string {
  if (s.available) return shownDay(s.lastSignIn) ?? 'None recorded';
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

function factRows(facts: PartnerFacts): { title: string; value: string }[] {
  const rows: { title: string; value: string }[] = [];
  const created = shownDay(facts.created);
  if (created) rows.push({ title: 'Account created', value: created });
  const since = shownDay(facts.invitationStateSince);
  if (facts.invitationState === 'Accepted') rows.push({ title: 'Invitation', value: since ? `Redeemed ${since}` : 'Redeemed' });
  else if (facts.invitationState === 'PendingAcceptance') rows.push({ title: 'Invitation', value: since ? `Not redeemed yet (sent ${since})` : 'Not redeemed yet' });
  else if (facts.syncedFromAd) {
    const account = facts.syncedFromAd.account ? ` (${facts.syncedFromAd.account})` : '';
    rows.push({ title: 'Invitation', value: `None: synced from our on-prem AD${account}, so there is no invitation or redemption to show` });
  }
  if (facts.lastSignIn) rows.push({ title: 'Last sign-in', value: lastSignInWords(facts.lastSignIn) });
  return rows;
}

function lineOf(line: TimelineLine, target?: string): { when: string; what: string; meta: string } {
  const source = line.seq > 0 ? `${line.action} (${line.outcome}) · #${line.seq}` : 'from Microsoft Graph';
  return { when: shownWhen(line.at), what: line.what, meta: [line.who, ...(target === undefined ? [] : [target]), source].join(' · ') };
}

function candidateLines(candidates: readonly PersonCandidate[]): string {
  return candidates.map((c) => `${c.displayName}: ${c.userPrincipalName ?? c.mail ?? ''} (${c.id})`).join('\n');
}

/** The `history` answer, also for the Older button. */
export function historyCard(outcome: HistoryOutcome): Attachment {
  switch (outcome.kind) {
    case 'ambiguous':
      return cards.notice({
        tone: 'warning',
        title: `${outcome.candidates.length}${outcome.more ? '+' : ''} people match "${outcome.query}"`,
        text: `${candidateLines(outcome.candidates)}\nSend history again with one of these UPNs or object ids.`,
      });
    case 'nobody':
      return cards.notice({
        tone: 'info',
        title: `Nobody matches "${outcome.query}"`,
        text: 'No one in the directory has this address or id, and the audit log holds nothing under it. Check the spelling, or find the address with whois.',
      });
    case 'timeline': {
      const person = outcome.person;
      return cards.auditTimeline({
        heading: outcome.firstPage ? 'History' : 'History (older)',
        title: person?.displayName ?? outcome.query,
        subtitle: person ? [person.userPrincipalName ?? person.mail, person.id].filter(Boolean).join(' · ') : '',
        facts: outcome.firstPage && outcome.facts ? factRows(outcome.facts) : [],
        notes: person ? [] : [`Nobody in the directory has "${outcome.query}" now; this is what the audit log recorded under it.`],
        emptyText: outcome.firstPage ? 'The audit log holds nothing for this person yet.' : 'Nothing older.',
        lines: outcome.lines.map((line) => lineOf(line)),
        footer: TIMES_FOOTER,
        ...(outcome.olderThan === undefined ? {} : { older: { verb: 'history.older' as const, state: encodeState({ q: person?.id ?? outcome.query }), olderThan: outcome.olderThan } }),
      });
    }
  }
}

/** An `audit` page, also for the Older button. */
export function auditPageCard(page: AuditPage, first: boolean): Attachment {
  return cards.auditTimeline({
    heading: first ? 'Audit log' : 'Audit log (older)',
    title: page.described.length > 0 ? page.described.join(', ') : 'Everything',
    notes: page.notes,
    emptyText: first ? 'No audit rows match.' : 'Nothing older.',
    lines: page.lines.map((line) => lineOf(line, line.target)),
    footer: `${TIMES_FOOTER} audit export gives the same rows as a file.`,
    ...(page.olderThan === undefined ? {} : { older: { verb: 'audit.older' as const, state: encodeState({ filter: page.filter, described: page.described }), olderThan: page.olderThan } }),
  });
}

/** Who or what a filter could not settle (several people, no such app), with the candidates when there are some. */
export function auditProblemCard(problem: string, candidates?: readonly PersonCandidate[]): Attachment {
  return cards.notice({ tone: 'warning', title: 'I could not apply that filter', text: candidates && candidates.length > 0 ? `${problem}\n${candidateLines(candidates)}` : problem });
}

const MAX_BREAKS_SHOWN = 8;

/** `audit verify`: intact, with the head to write down elsewhere; or each break by row. */
export function verifyCard(report: ChainReport): Attachment {
  if (report.breaks.length === 0) {
    return cards.notice({
      tone: 'good',
      title: report.rows === 0 ? 'The audit log is empty, and its chain is intact' : `The audit log is intact: ${report.rows} rows, #1 to #${report.headSeq}`,
      text: 'Every row matches its hash and follows the row before it, and the newest row is the chain head. Note the head hash below somewhere else: a later check that finds it again proves nothing before it changed.',
      code: `#${report.headSeq} ${report.headHash}`,
    });
  }
  const shown = report.breaks.slice(0, MAX_BREAKS_SHOWN).map(describeBreak);
  const more = report.breaks.length - shown.length;
  const first = report.breaks[0];
  const where = first ? ('seq' in first ? first.seq : 'fromSeq' in first ? first.fromSeq : first.lastSeq) : 0;
  return cards.notice({
    tone: 'attention',
    title: `The audit log's chain breaks at row #${where}`,
    text: `${shown.join('\n')}${more > 0 ? `\n…and ${more} more.` : ''}\nRead ${report.rows} rows. Nothing was changed by this check; tell your security team.`,
  });
}

/** `audit export`: the link, or why there is none. */
export function exportCard(outcome: ExportLinkOutcome): Attachment {
  if (outcome.kind === 'noBaseUrl') {
    return cards.notice({ tone: 'warning', title: 'No download address is configured', text: 'Set PUBLIC_BASE_URL to the bot\'s public https address, so the export link has somewhere to point.' });
  }
  const what = outcome.described.length > 0 ? outcome.described.join(', ') : 'the whole log';
  return cards.auditExport({
    title: `${outcome.format === 'csv' ? 'CSV' : 'JSON lines'}: ${what}`,
    text: 'Every column of each matching row, oldest first, with its place in the chain (seq), the previous row\'s hash and its own.',
    note:
      outcome.format === 'csv'
        ? `A cell starting with = + - @, a tab or CR gets a leading ' so a spreadsheet shows it as text. To recompute hashes, use "audit export json", which keeps every value as stored. The link works for ${outcome.expiresInHours} hours; anyone holding it can download the file.`
        : `One JSON object per line, every value exactly as stored, so each row's hash can be recomputed (see the README). The link works for ${outcome.expiresInHours} hours; anyone holding it can download the file.`,
    button: 'Download',
    url: outcome.url,
  });
}

export type { StoredFilter };
