/**
 * Makes untrusted text (names, justifications, anything from Graph or a user) safe to place in a TextBlock or FactSet, which
 * render Markdown: an attacker-chosen "[Approve here](https://evil)" must show as text in an approver's card, not as a link.
 */
const MARKDOWN = /[\\`*_~[\]<>]/g;
/** Bidi overrides and isolates can reorder what an approver reads (U+202E spoofing); ordinary RTL letters are kept. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/** Half of a surrogate pair, cut from its other half: not a character, so it is shown as U+FFFD. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/**
 * What makes a line a list item, a quote or a header (`- x`, `+ x`, `* x`, `1. x`, `1) x`, `> x`, `# x`) at the start of
 * any line, not only the first: a justification's second line must not turn into a list in an approver's card. `*` and
 * `>` are escaped everywhere already; the others are only markup here, so only here do they get their backslash.
 */
const LINE_START_MARKER = /^([ \t]*)(?:([-+]|#{1,6})|(\d{1,9})([.)]))(?=[ \t]|$)/gm;

export const DEFAULT_MAX_LENGTH = 200;

export function plain(text: string | null | undefined, maxLength = DEFAULT_MAX_LENGTH): string {
  if (text === null || text === undefined) return '';
  const cleaned = text.replace(CONTROL, '').replace(BIDI_CONTROLS, '').replace(LONE_SURROGATE, '\uFFFD');
  const chars = Array.from(cleaned);
  const cut = chars.length > maxLength ? `${chars.slice(0, maxLength - 1).join('')}…` : cleaned;
  return cut
    .replace(MARKDOWN, (c) => `\\${c}`)
    .replace(LINE_START_MARKER, (_, indent: string, sign: string | undefined, number: string | undefined, dot: string | undefined) =>
      sign ? `${indent}\\${sign}` : `${indent}${number ?? ''}\\${dot ?? ''}`,
    );
}

/** A line of plain text that must stay on one line (display names in titles and lists). */
export function plainLine(text: string | null | undefined, maxLength = DEFAULT_MAX_LENGTH): string {
  return plain((text ?? '').replace(/[\r\n\u2028\u2029]+/g, ' '), maxLength);
}
