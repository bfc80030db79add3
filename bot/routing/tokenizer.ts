export interface TokenizedText {
  /** The first word, lower-cased: what the router matches against command names and aliases. */
  word: string;
  /** The remaining words; a double-quoted phrase ("Ann O'Neil", “smart quotes” too) is one token without its quotes. */
  args: string[];
  /** Everything after the first word, as typed (trimmed), for commands that take free text or several lines. */
  rest: string;
}

const QUOTES: Record<string, string> = { '"': '"', '\u201c': '\u201d', '\u201e': '\u201d' };

/** Removes Teams' <at>…</at> mentions (the bot's own, when it is @mentioned in a channel) and HTML line breaks. */
export function stripMentions(text: string): string {
  return text
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/&nbsp;/g, ' ')
    .trim();
}

function splitWords(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const close = QUOTES[ch];
    if (close) {
      const end = text.indexOf(close, i + 1);
      const stop = end === -1 ? text.length : end;
      // A quote glued to what follows (`"a b"@fabrikam.com`) is part of one word, kept as typed, not a phrase.
      if (end !== -1 && end + 1 < text.length && !/\s/.test(text.charAt(end + 1))) {
        let j = end + 1;
        while (j < text.length && !/\s/.test(text.charAt(j))) j += 1;
        tokens.push(text.slice(i, j));
        i = j;
        continue;
      }
      tokens.push(text.slice(i + 1, stop));
      i = stop + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text.charAt(j))) j += 1;
    tokens.push(text.slice(i, j));
    i = j;
  }
  return tokens;
}

export function tokenize(text: string): TokenizedText {
  const cleaned = stripMentions(text);
  const match = /^(\S+)\s*([\s\S]*)$/.exec(cleaned);
  if (!match) return { word: '', args: [], rest: '' };
  const rest = (match[2] ?? '').trim();
  return { word: (match[1] ?? '').toLowerCase(), args: splitWords(rest), rest };
}
