import { parseTimeSpan, type TimeSpanResult } from '../bot/services/timeSpan';
import type { DialogChoice } from '../cards/dialogQuestion';
import type { Parsed } from './question';
import type { DialogTurn } from './turn';

export interface DurationAnswer {
  days: number;
  /** What was understood, in words ("until Friday, 31 January 2027"), shown back with the form. */
  said: string;
}

/**
 * A duration or end date the shared parser read, as the request form's days, or what to ask instead: the parser's own
 * sentence, and for an ambiguous one its readings as the choices (never a guess).
 */
export function daysFromTimeSpan(result: TimeSpanResult): DurationAnswer | { problem: string; choices?: DialogChoice[] } {
  switch (result.kind) {
    case 'end':
      return { days: result.reading.days, said: result.message };
    case 'ambiguous':
      return { problem: result.message, choices: result.readings.map((r) => ({ value: String(r.days), label: r.label, details: r.days === 1 ? '1 day' : `${r.days} days` })) };
    case 'past':
    case 'today':
    case 'tooLong':
    case 'invalid':
      return { problem: result.message };
  }
}

/** A typed answer to "for how long?", through the same strict parser the sentence went through. */
export function daysFromAnswer(turn: DialogTurn, text: string): Parsed<DurationAnswer> {
  const result = parseTimeSpan(text, { now: turn.now, zone: turn.zone, maxDays: turn.services.accessRequests.settings.maxDays });
  if (!result) return { ok: false, problem: `"${text.slice(0, 80)}" is not a duration or a date I can read. Type one such as "for 2 weeks", "a month" or "until 31 Jan".` };
  const days = daysFromTimeSpan(result);
  return 'days' in days ? { ok: true, value: days } : { ok: false, problem: days.problem };
}
