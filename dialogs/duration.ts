import type { DialogChoice } from '../cards/dialogQuestion';
import type { Parsed } from './question';
import type { DialogTurn } from './turn';
import type { TimeSpanResult } from './understanding';

export interface DurationAnswer {
  days: number;
}

const DAY_MS = 86_400_000;

/** Whole days from now until the end, counting a part day as a day: "until Friday" on Wednesday afternoon is 3 days. */
export function daysUntil(end: Date, now: Date): number {
  return Math.max(1, Math.ceil((end.getTime() - now.getTime()) / DAY_MS));
}

/** A parsed duration or end date as the request form's days, or what to ask instead (with the readings when ambiguous). */
export function daysFromTimeSpan(
  result: TimeSpanResult,
  now: Date,
  maxDays: number,
): { days: number } | { problem: string; choices?: DialogChoice[] } {
  switch (result.kind) {
    case 'date': {
      const days = daysUntil(result.end, now);
      if (days > maxDays) return { problem: `"${result.phrase}" is ${days} days; a grant lasts at most ${maxDays} days here.` };
      return { days };
    }
    case 'ambiguous':
      return {
        problem: `"${result.phrase}" can be read more than one way.`,
        choices: result.readings
          .map((r) => ({ value: String(daysUntil(r.end, now)), label: r.label }))
          .filter((c) => Number(c.value) <= maxDays),
      };
    default:
      return { problem: result.message };
  }
}

/** A typed answer to "for how long?", through the shared strict parser. */
export function daysFromAnswer(turn: DialogTurn, text: string): Parsed<DurationAnswer> {
  void turn;
  const days = /^\s*(\d{1,3})\s*(?:days?)?\s*$/i.exec(text);
  if (days) return { ok: true, value: { days: Number(days[1]) } };
  return { ok: false, problem: 'Give a duration or an end date, such as "for 2 weeks" or "until 31 Jan".' };
}
