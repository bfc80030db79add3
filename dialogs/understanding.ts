import type { Understanding, UnderstandContext } from './understand/types';

export type { Intent, Understanding, UnderstandContext } from './understand/types';

/**
 * PLACEHOLDER until the grammar (dialogs/understand/index.ts, branch `grammar`) is merged: understands nothing, so every
 * sentence gets the one question. Replaced by a re-export of the grammar's functions.
 */
export function understand(_text: string, _context: UnderstandContext): Understanding {
  return { intent: 'unknown', emails: [], refusedAddresses: [], conflicts: [] };
}

export function mayUnderstand(text: string, commandWords: Iterable<string>): boolean {
  const word = (/^\s*(\S+)/.exec(text)?.[1] ?? '').toLowerCase();
  return word !== '' && ![...commandWords].map((w) => w.toLowerCase()).includes(word);
}
