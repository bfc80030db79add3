import template from './bulkRun.card.json';
import { TONES, type Tone } from './notice';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface BulkRunData {
  id: string;
  tone: Tone;
  status: string;
  title: string;
  text?: string;
  /** Rows processed and rows in all, for the progress bar; omitted before the run starts. */
  progress?: { done: number; total: number };
  facts: { title: string; value: string }[];
  problems: string[];
  note?: string;
  showStart?: boolean;
  startTitle?: string;
  showApprove?: boolean;
  showCancel?: boolean;
  cancelTitle?: string;
  downloadUrl?: string;
  /** The Download button's title; "Download results (CSV)" by default. */
  downloadTitle?: string;
  /** Rows of one results page, each with the redemption link to send when Microsoft sent no email. */
  results?: { heading: string; detail?: string; link?: string }[];
  resultsTitle?: string;
  /** Pages to offer (bulk.results); omitted or 0 for none. */
  previousPage?: number;
  nextPage?: number;
  /** The Next button's title: "Next page", or "Show the redemption links" on the final card. */
  nextTitle?: string;
}

/** Rows one results card shows at most: with the caps below, 20 rows stay far below Teams' 100 KB message limit. */
export const MAX_RESULT_ROWS = 20;

/** One card for a bulk run, from confirmation through progress to the results: counts first, then the problems. */
export function bulkRun(data: BulkRunData) {
  const total = Math.max(1, data.progress?.total ?? 1);
  const done = Math.min(total, data.progress?.done ?? 0);
  const percent = Math.floor((done / total) * 100);
  // Styled containers have padding, so a sliver under 5 % would not fit its column: the bar moves in steps of 5 %.
  const barDone = Math.round(percent / 5) * 5;
  return renderCard(template, {
    ...TONES[data.tone],
    label: plainLine(data.status, 200),
    id: data.id,
    title: plain(data.title, 300),
    text: plain(data.text ?? '', 1000),
    showProgress: data.progress !== undefined,
    doneWeight: data.progress ? barDone : 0,
    restWeight: data.progress ? 100 - barDone : 0,
    progressText: data.progress ? `${done} of ${data.progress.total} rows done (${percent}%)` : '',
    facts: data.facts.slice(0, 12).map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 300) })),
    problems: data.problems.slice(0, 5).map((p) => ({ text: plain(p, 300) })),
    note: plain(data.note ?? '', 600),
    showStart: data.showStart === true,
    startTitle: data.startTitle ?? 'Start',
    showApprove: data.showApprove === true,
    showCancel: data.showCancel === true,
    cancelTitle: data.cancelTitle ?? 'Cancel',
    downloadUrl: data.downloadUrl && /^https?:\/\//.test(data.downloadUrl) ? data.downloadUrl : '',
    downloadTitle: plainLine(data.downloadTitle ?? 'Download results (CSV)', 60),
    resultsTitle: plainLine(data.resultsTitle ?? '', 200),
    results: (data.results ?? []).slice(0, MAX_RESULT_ROWS).map((r) => ({
      heading: plainLine(r.heading, 400),
      detail: plainLine(r.detail ?? '', 300),
      // Only a real https link is shown to be sent to a partner; the escaping keeps it literal, never a Markdown link.
      link: r.link && /^https:\/\/\S+$/.test(r.link) ? plainLine(r.link, 1500) : '',
    })),
    previousPage: data.previousPage ?? 0,
    nextPage: data.nextPage ?? 0,
    nextTitle: plainLine(data.nextTitle ?? 'Next page', 60),
  });
}
