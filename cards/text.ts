/**
 * Makes untrusted text (names, justifications, anything from Graph or a user) safe to place in a TextBlock or FactSet, which
 * render Markdown: an attacker-chosen "[Approve here](https://evil)" must show as text in an approver's card, not as a link.
 */
const MARKDOWN = /[\\`*_~[\]<>]/g;
/** Bidi overrides and isolates can reorder what an approver reads (U+202E spoofing); ordinary RTL letters are kept. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export const DEFAULT_MAX_LENGTH = 200;

export function plain(text: string | null | undefined, maxLength = DEFAULT_MAX_LENGTH): string {
  if (text === null || text === undefined) return '';
  const cleaned = text.replace(CONTROL, '').replace(BIDI_CONTROLS, '');
  const chars = Array.from(cleaned);
  const cut = chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join('')}…` : cleaned;
  return cut.replace(MARKDOWN, (c) => `\\${c}`).replace(/^(\s*)([-+]|\d+\.)(\s)/, '$1\\$2$3');
}

/** A line of plain text that must stay on one line (display names in titles and lists). */
export function plainLine(text: string | null | undefined, maxLength = DEFAULT_MAX_LENGTH): string {
  return plain((text ?? '').replace(/[\r\n\u2028\u2029]+/g, ' '), maxLength);
}
