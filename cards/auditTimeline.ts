import template from './auditTimeline.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AuditTimelineData {
  heading: string;
  title: string;
  subtitle?: string;
  facts?: { title: string; value: string }[];
  /** Said once, in a warning box, above the lines. */
  notes?: string[];
  emptyText: string;
  lines: { when: string; what: string; meta: string }[];
  footer?: string;
  /** The Older button: which verb pages on, the opaque state it carries back, and the position to continue below. */
  older?: { verb: 'history.older' | 'audit.older'; state: string; olderThan: number };
}

/** Keeps the card well under Teams' 28 KB with maximal lines. */
export const MAX_TIMELINE_LINES = 20;

/**
 * `history` and `audit`: a timeline, newest first, one line per entry with when, what happened, and who (with the audit
 * action and the row's chain position in small print); Older pages on. Every text is user or directory data, shown as text.
 */
export function auditTimeline(data: AuditTimelineData) {
  const lines = data.lines.slice(0, MAX_TIMELINE_LINES);
  return renderCard(template, {
    heading: plainLine(data.heading, 100),
    title: plainLine(data.title, 200),
    subtitle: plainLine(data.subtitle ?? '', 300),
    facts: (data.facts ?? []).slice(0, 8).map((f) => ({ title: plainLine(f.title, 60), value: plainLine(f.value, 200) })),
    notes: (data.notes ?? []).slice(0, 3).map((text) => ({ text: plain(text, 400) })),
    empty: lines.length === 0,
    emptyText: plain(data.emptyText, 400),
    lines: lines.map((l) => ({ when: plainLine(l.when, 30), what: plain(l.what, 300), meta: plainLine(l.meta, 300) })),
    footer: plain(data.footer ?? '', 400),
    olderVerb: data.older?.verb ?? '',
    // Opaque to the card; the action re-parses it with its schema. Bounded so a card cannot be inflated through it.
    state: data.older && data.older.state.length <= 4000 ? data.older.state : '',
    olderThan: String(data.older?.olderThan ?? 0),
  });
}
