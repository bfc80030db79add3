/**
 * Where the person reads dates: the time zone and locale their Teams client reports on the activity, or UTC and en-US
 * when it reports nothing (and then every answer says so, because "until Friday" ends at a different instant).
 */
export interface UserZone {
  /** IANA name the dates are computed in ("Europe/Berlin"); "UTC" when the activity named none or one this runtime lacks. */
  timeZone: string;
  /** BCP 47 tag dates are written back in ("en-GB"); never used to guess the order of day and month. */
  locale: string;
  /** Why UTC or en-US is used instead of what the activity said, as a sentence for the person; absent when nothing fell back. */
  fallback?: string;
  /** The zone the activity named that this runtime does not know: every date reading is then `ambiguous`, never guessed. */
  unknownTimeZone?: string;
}

/** What a parse needs besides the text: injected so tests (and the job clock) decide what "today" is. */
export interface TimeSpanOptions {
  now: Date;
  zone: UserZone;
  /** The longest grant, in days (ACCESS_MAX_DAYS): a longer reading is `tooLong`, not clamped. */
  maxDays: number;
}

/** One way to read an end: the last day with access, and the instant access ends. */
export interface EndReading {
  /** The last calendar day with access, `YYYY-MM-DD`, in the zone's calendar. */
  lastDay: string;
  /**
   * The instant access ends. A date ("until 31 Jan") ends at the midnight after that day in the zone; a duration
   * ("for 2 weeks") ends at the same wall-clock time that many days, weeks or months later, across DST changes.
   */
  endsAt: Date;
  /** Whole calendar days from today (in the zone) to `lastDay`: the number the request form's days field holds. */
  days: number;
  /** The reading in words, in the person's locale, e.g. "Friday, 31 January 2027". */
  label: string;
}

interface Matched {
  /** The phrase as typed ("until 31 Jan"), to show back and for the grammar to cut out of the sentence. */
  matched: string;
  /** UTF-16 offset of the phrase in the text given. */
  start: number;
  /** UTF-16 offset just after the phrase. */
  end: number;
  /** One sentence for the person that says what was understood or what is wrong and what to type instead. */
  message: string;
}

/** Why a phrase has more than one reading. */
export type AmbiguityReason =
  /** "01/02": 1 February or 2 January. */
  | 'dayMonthOrder'
  /** "next Friday": the coming one or the one after. */
  | 'nextWeekday'
  /** "the end of the week": Friday or Sunday. */
  | 'weekEnd'
  /** The activity named a time zone this runtime does not know; the readings are in UTC. */
  | 'timeZone';

/** What a typed duration or end date means. Never guessed: every result but `end` asks the person again. */
export type TimeSpanResult =
  /** Understood: one reading within 1..maxDays days. */
  | (Matched & { kind: 'end'; form: 'duration' | 'date'; reading: EndReading })
  /** Several readings: ask which one (a pick list of `readings`). */
  | (Matched & { kind: 'ambiguous'; reason: AmbiguityReason; readings: EndReading[] })
  /** The date has already passed in the person's zone. */
  | (Matched & { kind: 'past'; reading: EndReading })
  /** The end is today: a grant needs at least one day. */
  | (Matched & { kind: 'today'; reading: EndReading })
  /** Longer than `maxDays`; `reading` is kept so the message can say by how much. */
  | (Matched & { kind: 'tooLong'; reading: EndReading; maxDays: number })
  /** Looks like a duration or date but is not one: "31 Feb", "for 0 days", "until 2027-13-01". */
  | (Matched & { kind: 'invalid' });
