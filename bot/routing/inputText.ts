/**
 * Checks on text as it arrives from Teams (a message, or a card's inputs), before any command or action sees it.
 *
 * A lone UTF-16 surrogate (half of an emoji or symbol, left by a cut copy and paste or a hostile client) is not a
 * character: `encodeURIComponent` throws on it, so it would fail deep inside a Graph call with an internal error. It is
 * refused here, with words the person can act on, instead.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const BROKEN_CHARACTER = {
  title: "Your message has a character I can't read",
  text:
    'It contains half of a character (a lone UTF-16 surrogate), which usually comes from a copy and paste that cut an emoji ' +
    'or symbol in two. Type the text again by hand.',
  onCard:
    "A field on this card has a character I can't read: half of an emoji or symbol, usually from a cut copy and paste. " +
    'Type that field again by hand and retry.',
} as const;

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** Whether any string in card data (keys included, at any depth) has a lone surrogate. */
export function dataHasLoneSurrogate(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return hasLoneSurrogate(value);
  if (depth > 20 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((item) => dataHasLoneSurrogate(item, depth + 1));
  return Object.entries(value).some(([key, item]) => hasLoneSurrogate(key) || dataHasLoneSurrogate(item, depth + 1));
}
