import type { ProxyApp } from '../graph/appProxy';

/**
 * How a typed app name resolved. Only an exact name (or id) or a name that only one app can be read as picks the app by
 * itself; a typo's near matches come back as a pick list, so a person never acts on an app they did not name.
 */
export type AppMatch =
  | { kind: 'one'; app: ProxyApp }
  /** Several apps fit what was typed, or only near matches (typos) were found: the person picks. */
  | { kind: 'several'; candidates: ProxyApp[] }
  /** Nothing is close: every app, best guesses first, so the person can pick from the full list. */
  | { kind: 'none'; suggestions: ProxyApp[] };

/** Enough to pick from in chat; the apps command lists them all. */
export const MAX_APP_CANDIDATES = 10;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Lower case, accents, apostrophes and punctuation dropped: "Contoso Timesheets (IWA)" reads as "contoso timesheets iwa". */
export function normalizeAppName(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['\u2018\u2019`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function words(text: string): string[] {
  return normalizeAppName(text)
    .split(' ')
    .filter((w) => w.length > 0);
}

/** Levenshtein distance, bounded: word lengths here are small, so the plain table is cheap. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(above + 1, (row[j - 1] ?? 0) + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length] ?? 0;
}

/** How far a typed word is from the closest word of the name (0 for a prefix: "time" for "timesheets"). */
function wordScore(typed: string, nameWords: readonly string[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (const w of nameWords) {
    if (w.startsWith(typed)) return 0;
    best = Math.min(best, distance(typed, w.slice(0, Math.max(typed.length, 1) + 1)), distance(typed, w));
  }
  return best;
}

/** A typo allowance that grows with the word: none for 1–3 letters, one for 4–7, two beyond. */
function tolerance(word: string): number {
  return word.length <= 3 ? 0 : word.length <= 7 ? 1 : 2;
}

/** Resolves what a person typed for an app: its name (any case, punctuation optional), part of it, or its id. */
export function matchApp(apps: readonly ProxyApp[], query: string): AppMatch {
  const typed = query.trim();
  if (GUID.test(typed)) {
    const byId = apps.find((a) => a.servicePrincipalId.toLowerCase() === typed.toLowerCase() || a.appId.toLowerCase() === typed.toLowerCase());
    if (byId) return { kind: 'one', app: byId };
  }
  const q = normalizeAppName(typed);
  const qWords = words(typed);
  if (qWords.length === 0) return { kind: 'none', suggestions: apps.slice(0, MAX_APP_CANDIDATES) };

  const exact = apps.filter((a) => normalizeAppName(a.displayName) === q);
  if (exact.length === 1 && exact[0]) return { kind: 'one', app: exact[0] };
  if (exact.length > 1) return { kind: 'several', candidates: exact.slice(0, MAX_APP_CANDIDATES) };

  const scored = apps.map((app) => {
    const nameWords = words(app.displayName);
    const scores = qWords.map((w) => wordScore(w, nameWords));
    return { app, total: scores.reduce((s, x) => s + x, 0), within: scores.every((s, i) => s <= tolerance(qWords[i] ?? '')), contains: normalizeAppName(app.displayName).includes(q) };
  });
  const partial = scored.filter((s) => s.contains || s.total === 0);
  if (partial.length === 1 && partial[0]) return { kind: 'one', app: partial[0].app };
  if (partial.length > 1) return { kind: 'several', candidates: partial.map((s) => s.app).slice(0, MAX_APP_CANDIDATES) };

  const near = scored.filter((s) => s.within).sort((a, b) => a.total - b.total);
  if (near.length > 0) return { kind: 'several', candidates: near.map((s) => s.app).slice(0, MAX_APP_CANDIDATES) };
  return { kind: 'none', suggestions: [...scored].sort((a, b) => a.total - b.total).map((s) => s.app).slice(0, MAX_APP_CANDIDATES) };
}
