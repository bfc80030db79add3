import { parseTimeSpan, type TimeSpanResult, type UserZone } from '../timeSpan';

/** Where the person reads dates, as the activity said; UTC and en-US when it said nothing. */
export type UserZoneLike = UserZone;

const UTC: UserZone = { timeZone: 'UTC', locale: 'en-US', fallback: 'Dates are read in UTC: Teams did not say your time zone.' };

export interface EndReadOptions {
  now: Date;
  /** The latest end allowed, in days from now. */
  maxDays: number;
  zone?: UserZone;
}

/**
 * One end, understood; or why not, in a sentence that says what to type, with the readings to choose from when ambiguous.
 * An understood end says in which zone it was read (and why UTC, when Teams said none), so a confirmation can show it.
 */
export type EndRead =
  | { ok: true; endsAt: Date; label: string; lastDay: string; timeZone: string; fallback?: string }
  | { ok: false; problem: string; choices: string[] };

/**
 * A typed end ("until 2027-01-31", "for 2 weeks", "end on Friday") read by the shared strict parser (bot/services/timeSpan):
 * only one reading within the limits counts; an ambiguous, past, too-far or unreadable one is asked again, never guessed.
 */
export function readEnd(text: string, options: EndReadOptions): EndRead {
  const zone = options.zone ?? UTC;
  const result: TimeSpanResult | undefined = parseTimeSpan(text, { now: options.now, zone, maxDays: options.maxDays });
  if (!result) return { ok: false, problem: `"${text.slice(0, 80)}" is not an end I can read. Type it like "until 2027-01-31", "for 2 weeks" or "end on Friday".`, choices: [] };
  if (result.kind === 'end') {
    const { endsAt, label, lastDay } = result.reading;
    return { ok: true, endsAt, label, lastDay, timeZone: zone.timeZone, ...(zone.fallback ? { fallback: zone.fallback } : {}) };
  }
  if (result.kind === 'ambiguous') return { ok: false, problem: result.message, choices: result.readings.map((r) => r.label) };
  return { ok: false, problem: result.message, choices: [] };
}
