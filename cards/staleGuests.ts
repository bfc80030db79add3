import template from './staleGuests.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface StaleGuestRow {
  name: string;
  address: string;
  signIn: string;
  invited: string;
  sponsors: string;
  /** The address Resend invites again; empty when the row has no pending invitation. */
  resendEmail: string;
}

export interface StaleGuestsCardView {
  scanId: string;
  days: number;
  title: string;
  scope: string;
  counts: { title: string; value: string }[];
  /** Why sign-in activity is missing and what the card shows instead; empty when it was read. */
  signInWarning: string;
  /** What an empty list means, in words that do not claim more than was read. */
  allClear: string;
  groups: { title: string; rule: string; attention: boolean; rows: StaleGuestRow[] }[];
  page: number;
  pages: number;
  /** The signed CSV link, or undefined when the bot has no public address to link to. */
  exportUrl?: string;
}

/**
 * The `stale` answer: counts of every group first, then one page of guests under their group's heading, each row with the
 * facts it rests on and, for a pending invitation, Resend. Each row's ActionSet is where per-guest actions go.
 */
export function staleGuests(view: StaleGuestsCardView) {
  return renderCard(template, {
    scanId: view.scanId,
    days: view.days,
    title: plainLine(view.title, 200),
    scope: plain(view.scope, 600),
    counts: view.counts.map((c) => ({ title: plainLine(c.title, 100), value: plainLine(c.value, 40) })),
    signInWarning: plain(view.signInWarning, 800),
    allClear: plain(view.allClear, 400),
    groups: view.groups.map((g) => ({
      title: plainLine(g.title, 120),
      rule: plain(g.rule, 300),
      color: g.attention ? 'attention' : 'accent',
      rows: g.rows.map((r) => ({
        name: plainLine(r.name, 200),
        address: plainLine(r.address, 200),
        signIn: plain(r.signIn, 300),
        invited: plain(r.invited, 300),
        sponsors: plain(r.sponsors, 600),
        resendEmail: r.resendEmail.slice(0, 320),
      })),
    })),
    pageLine: view.pages > 1 ? `Page ${view.page} of ${view.pages}` : 'Every guest that needs a look is shown.',
    previousPage: view.page > 1 ? view.page - 1 : 0,
    nextPage: view.page < view.pages ? view.page + 1 : 0,
    exportUrl: view.exportUrl ?? '',
    exportNote: view.exportUrl ? '' : 'Export needs PUBLIC_BASE_URL, so the link has somewhere to point.',
  });
}
