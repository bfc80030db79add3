import template from './checklist.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface ChecklistItem {
  heading: string;
  ok: boolean;
  /** The fact behind the verdict. */
  fact: string;
}

export interface ChecklistData {
  title: string;
  intro?: string;
  items: readonly ChecklistItem[];
  /** A line to copy, such as the sign-in address to send someone. */
  link?: { label: string; value: string };
  footnote?: string;
}

/**
 * A checklist with each step shown as done or missing, in words and colour, and the fact behind it: the `signin` answer
 * (the four steps of letting a synced partner use their email to sign in). Every text is data, shown as plain text.
 */
export function checklist(data: ChecklistData) {
  const allOk = data.items.every((i) => i.ok);
  return renderCard(template, {
    label: allOk ? 'All steps done' : `${data.items.filter((i) => !i.ok).length} of ${data.items.length} steps missing`,
    style: allOk ? 'good' : 'warning',
    title: plainLine(data.title, 200),
    intro: plain(data.intro ?? '', 600),
    items: data.items.map((i, n) => ({
      verdict: i.ok ? `${n + 1}. Done` : `${n + 1}. Missing`,
      // The tint carries the meaning, with the verdict in words; text stays default so it reads in every Teams theme.
      style: i.ok ? 'good' : 'attention',
      heading: plainLine(i.heading, 200),
      fact: plain(i.fact, 1000),
    })),
    linkLabel: plainLine(data.link?.label ?? '', 100),
    link: plain(data.link?.value ?? '', 400),
    footnote: plain(data.footnote ?? '', 600),
  });
}
