import template from './partners.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface PartnersCardView {
  scanId: string;
  title: string;
  scope: string;
  counts: { title: string; value: string }[];
  groups: { title: string; attention: boolean; records: { name: string; sentence: string; matched: string }[] }[];
  page: number;
  pages: number;
  /** The signed CSV link, or undefined when the bot has no public address to link to. */
  exportUrl?: string;
}

/** The `partners` overview: counts first, then one page of the accounts that need action, grouped by state. */
export function partners(view: PartnersCardView) {
  return renderCard(template, {
    scanId: view.scanId,
    title: plainLine(view.title, 200),
    scope: plain(view.scope, 400),
    counts: view.counts.map((c) => ({ title: plainLine(c.title, 100), value: plainLine(c.value, 20) })),
    allClear: 'No account needs action: every partner in AD is a Guest in Entra, and every synced Guest is a partner in AD.',
    groups: view.groups.map((g) => ({
      title: plainLine(g.title, 120),
      color: g.attention ? 'attention' : 'accent',
      records: g.records.map((r) => ({ name: plainLine(r.name, 200), sentence: plain(r.sentence, 1200), matched: plainLine(r.matched, 200) })),
    })),
    pageLine: view.pages > 1 ? `Page ${view.page} of ${view.pages}` : 'All accounts that need action are shown.',
    previousPage: view.page > 1 ? view.page - 1 : 0,
    nextPage: view.page < view.pages ? view.page + 1 : 0,
    exportUrl: view.exportUrl ?? '',
    exportNote: view.exportUrl ? '' : 'Export needs PUBLIC_BASE_URL, so the link has somewhere to point.',
  });
}
