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

const DAY_MS = 86_400_000;

/** A calendar day with no time zone: the arithmetic of "a month from today" and "until 31 Jan". */
interface CivilDate {
  year: number;
  month: number;
  day: number;
}

interface WallClock extends CivilDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

function canonicalLocale(locale: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    return canonical && Intl.DateTimeFormat.supportedLocalesOf(canonical).length > 0 ? canonical : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 && value.length <= 100 ? value.trim() : undefined;
}

/**
 * The person's zone and locale from a Teams activity: `localTimezone` and `locale` first, then the `clientInfo` entity's
 * `timezone` and `locale`. Takes the activity as plain data (services never import botbuilder). A missing zone falls back
 * to UTC and says so; a zone this runtime does not know is kept as `unknownTimeZone`, so dates are asked, not guessed.
 */
export function userZone(activity: { localTimezone?: unknown; locale?: unknown; entities?: unknown }): UserZone {
  const clientInfo = Array.isArray(activity.entities)
    ? (activity.entities.find((e: unknown) => typeof e === 'object' && e !== null && (e as { type?: unknown }).type === 'clientInfo') as
        | { timezone?: unknown; locale?: unknown }
        | undefined)
    : undefined;
  const named = text(activity.localTimezone) ?? text(clientInfo?.timezone);
  const localeNamed = text(activity.locale) ?? text(clientInfo?.locale);
  const key = `${named ?? ''}\u0000${localeNamed ?? ''}`;
  let zone = zonesByName.get(key);
  if (!zone) {
    if (zonesByName.size >= MAX_REMEMBERED_ZONES) zonesByName.clear();
    zone = Object.freeze(resolveZone(named, localeNamed));
    zonesByName.set(key, zone);
  }
  return zone;
}

/**
 * What `userZone` answered per time-zone and locale name: every turn asks, the answer depends on the two names only, and
 * resolving them builds Intl objects that cost a Graph-free turn more than the rest of its work.
 */
const zonesByName = new Map<string, UserZone>();
const MAX_REMEMBERED_ZONES = 256;

function resolveZone(named: string | undefined, localeNamed: string | undefined): UserZone {
  const locale = (localeNamed && canonicalLocale(localeNamed)) ?? 'en-US';
  const notes: string[] = [];
  if (localeNamed && locale !== canonicalLocale(localeNamed)) notes.push(`Your locale "${localeNamed}" is not one I know, so dates are written in en-US.`);
  if (!named) {
    notes.push('Teams did not tell me your time zone, so dates are in UTC.');
    return { timeZone: 'UTC', locale, fallback: notes.join(' ') };
  }
  if (!isKnownTimeZone(named)) {
    notes.push(`I don't know the time zone "${named}" that Teams gave, so I read dates in UTC and ask you to confirm them.`);
    return { timeZone: 'UTC', locale, fallback: notes.join(' '), unknownTimeZone: named };
  }
  const timeZone = new Intl.DateTimeFormat('en-US', { timeZone: named }).resolvedOptions().timeZone;
  return notes.length > 0 ? { timeZone, locale, fallback: notes.join(' ') } : { timeZone, locale };
}

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function wallClockAt(instant: number, timeZone: string): WallClock {
  let format = partsFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partsFormats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const ms = ((instant % 1000) + 1000) % 1000;
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    millisecond: ms,
  };
}

function utcOf(wall: WallClock): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  return utcOf(wallClockAt(instant, timeZone)) - instant;
}

/**
 * The instant a wall-clock time happens in a zone. Two passes settle the offset across a DST change; a time that the
 * change skips (02:30 on a spring-forward night) lands just after the gap, as clocks do.
 */
function instantOf(wall: WallClock, timeZone: string): Date {
  const asUtc = utcOf(wall);
  const first = asUtc - offsetAt(asUtc, timeZone);
  const second = asUtc - offsetAt(first, timeZone);
  return new Date(utcOf(wallClockAt(second, timeZone)) === asUtc ? second : Math.max(first, second));
}

function civilDay(date: CivilDate): number {
  return Date.UTC(date.year, date.month - 1, date.day) / DAY_MS;
}

function fromDay(day: number): CivilDate {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isValidDate(date: CivilDate): boolean {
  return date.year >= 1900 && date.year <= 9999 && date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= daysInMonth(date.year, date.month);
}

/** Same day of month `months` later, or that month's last day ("a month" from 31 January ends 28 or 29 February). */
function addMonths(date: CivilDate, months: number): CivilDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

function isoDate(date: CivilDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

const labelFormats = new Map<string, Intl.DateTimeFormat>();

function label(date: CivilDate, locale: string): string {
  let format = labelFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    labelFormats.set(locale, format);
  }
  return format.format(new Date(civilDay(date) * DAY_MS));
}

function weekdayOf(date: CivilDate): number {
  return new Date(civilDay(date) * DAY_MS).getUTCDay();
}

/** How the phrase asks for an end, before it is checked against today and the maximum. */
type Reading =
  | { form: 'date'; date: CivilDate }
  | { form: 'duration'; unit: 'day' | 'week' | 'month' | 'year'; count: number };

interface Clock {
  now: Date;
  timeZone: string;
  wall: WallClock;
  today: CivilDate;
  locale: string;
}

function readingOf(reading: Reading, clock: Clock): EndReading {
  if (reading.form === 'date') {
    const next = fromDay(civilDay(reading.date) + 1);
    return {
      lastDay: isoDate(reading.date),
      endsAt: instantOf({ ...next, hour: 0, minute: 0, second: 0, millisecond: 0 }, clock.timeZone),
      days: civilDay(reading.date) - civilDay(clock.today),
      label: label(reading.date, clock.locale),
    };
  }
  const { unit, count } = reading;
  const date =
    unit === 'day'
      ? fromDay(civilDay(clock.today) + count)
      : unit === 'week'
        ? fromDay(civilDay(clock.today) + 7 * count)
        : addMonths(clock.today, unit === 'month' ? count : 12 * count);
  return {
    lastDay: isoDate(date),
    endsAt: instantOf({ ...clock.wall, ...date }, clock.timeZone),
    days: civilDay(date) - civilDay(clock.today),
    label: label(date, clock.locale),
  };
}

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6, jul: 7, july: 7,
  aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};
const WEEKDAYS: Record<string, number> = {
  sun: 0, sunday: 0, mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, wednesday: 3, thu: 4, thur: 4, thurs: 4,
  thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6,
};
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const NUMBERS: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12, fourteen: 14, fifteen: 15, twenty: 20, thirty: 30, sixty: 60, ninety: 90,
};

const MONTH = '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const WEEKDAY = '(sun(?:day)?|mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?)';
const ORDINAL = '(?:st|nd|rd|th)?';
const COUNT = `(\\d{1,6}|${Object.keys(NUMBERS).join('|')})`;

/** The date forms after "until"; each alternative is anchored on words, so a 10,000-character text is scanned in linear time. */
const DATE_FORMS = [
  `(?<iso>\\d{4}-\\d{1,2}-\\d{1,2})`,
  `(?<numeric>\\d{1,2}[/.]\\d{1,2}(?:[/.]\\d{2}(?:\\d{2})?)?)`,
  `(?:the\\s+)?(?<dm>\\d{1,2})${ORDINAL}\\s+(?:of\\s+)?${MONTH.replace('(', '(?<dmMonth>')}(?:,?\\s+(?<dmYear>\\d{4}))?`,
  `${MONTH.replace('(', '(?<mdMonth>')}\\s+(?<md>\\d{1,2})${ORDINAL}(?:,?\\s+(?<mdYear>\\d{4}))?`,
  `(?:the\\s+)?end\\s+of\\s+(?:the\\s+|this\\s+)?(?<endNext>next\\s+)?(?<endOf>month|week|year)`,
  `(?:the\\s+)?end\\s+of\\s+${MONTH.replace('(', '(?<endMonth>')}`,
  `(?:the\\s+)?(?<dayOnly>\\d{1,2})(?:st|nd|rd|th)`,
  `(?<which>this\\s+|next\\s+|(?:the\\s+)?coming\\s+)?${WEEKDAY.replace('(', '(?<weekday>')}`,
  `(?<relative>today|tonight|tomorrow)`,
].join('|');

const DURATION = `(?:the\\s+next\\s+)?${COUNT}\\s+(?<unit>days?|weeks?|months?|years?|fortnights?)`;
const UNTIL = `(?:until|till|til|'til|through|thru|up\\s+to|end(?:s|ing)?(?:\\s+on)?|expir(?:e|es|ing)(?:\\s+on)?|last(?:ing)?\\s+until)`;

/** In a sentence the phrase needs its word ("for", "until", "end on"); a whole answer may be just "a month" or "Friday". */
const IN_SENTENCE = new RegExp(
  `(?<![\\p{L}\\p{N}@.])(?:for\\s+(?<duration>${DURATION})|${UNTIL}\\s+(?<date>${DATE_FORMS}))(?![\\p{L}\\p{N}]|[/.-]\\p{N}|@)`,
  'giu',
);
const WHOLE_ANSWER = new RegExp(
  `^\\s*(?:(?:for\\s+)?(?<duration>${DURATION})|(?:${UNTIL}\\s+)?(?<date>${DATE_FORMS}))\\s*(?:please)?\\s*[.!]?\\s*$`,
  'iu',
);

type Groups = Record<string, string | undefined>;

type Parsed = { readings: Reading[]; reason?: AmbiguityReason; invalid?: string };

/** Without a year, the next such day from today on: "31 Jan" said in December is next January's. */
function yearOf(text: string | undefined, month: number, day: number, today: CivilDate): CivilDate {
  if (text) return { year: Number(text), month, day };
  const thisYear = { year: today.year, month, day };
  if (isValidDate(thisYear) && civilDay(thisYear) >= civilDay(today)) return thisYear;
  return { year: today.year + 1, month, day };
}

function parseDate(g: Groups, today: CivilDate): Parsed {
  if (g.iso) {
    const [y, m, d] = g.iso.split('-').map(Number);
    const date = { year: y ?? 0, month: m ?? 0, day: d ?? 0 };
    return isValidDate(date) ? { readings: [{ form: 'date', date }] } : { readings: [], invalid: `${g.iso} is not a date.` };
  }
  if (g.numeric) {
    const [a = 0, b = 0, y] = g.numeric.split(/[/.]/).map(Number);
    const year = y === undefined ? undefined : y < 100 ? 2000 + y : y;
    const candidates = [
      { month: b, day: a },
      { month: a, day: b },
    ]
      .map(({ month, day }) => (year === undefined ? yearOf(undefined, month, day, today) : { year, month, day }))
      .filter(isValidDate);
    const unique = candidates.filter((c, i) => candidates.findIndex((o) => isoDate(o) === isoDate(c)) === i);
    if (unique.length === 0) return { readings: [], invalid: `${g.numeric} is not a date.` };
    return { readings: unique.map((date) => ({ form: 'date', date })), reason: unique.length > 1 ? 'dayMonthOrder' : undefined };
  }
  const monthName = (g.dmMonth ?? g.mdMonth ?? g.endMonth)?.toLowerCase().replace(/\.$/, '');
  if (g.endMonth && monthName) {
    const month = MONTHS[monthName] ?? 0;
    const date = yearOf(undefined, month, daysInMonth(today.year, month), today);
    return { readings: [{ form: 'date', date: { ...date, day: daysInMonth(date.year, month) } }] };
  }
  if (monthName) {
    const month = MONTHS[monthName] ?? 0;
    const day = Number(g.dm ?? g.md);
    const date = yearOf(g.dmYear ?? g.mdYear, month, day, today);
    return isValidDate(date) ? { readings: [{ form: 'date', date }] } : { readings: [], invalid: `${day} ${monthName} is not a date.` };
  }
  if (g.dayOnly) {
    // "the 31st": this month's if it is still ahead, else next month's; a month without that day is not guessed past.
    const day = Number(g.dayOnly);
    const thisMonth = { ...today, day };
    const nextMonth = { ...addMonths({ ...today, day: 1 }, 1), day };
    const date = isValidDate(thisMonth) && civilDay(thisMonth) >= civilDay(today) ? thisMonth : nextMonth;
    return isValidDate(date) ? { readings: [{ form: 'date', date }] } : { readings: [], invalid: `${MONTH_NAMES[date.month - 1] ?? ''} ${date.year} has no day ${day}.` };
  }
  if (g.endOf) {
    const next = Boolean(g.endNext);
    if (g.endOf.toLowerCase() === 'month') {
      const month = addMonths({ ...today, day: 1 }, next ? 1 : 0);
      return { readings: [{ form: 'date', date: { ...month, day: daysInMonth(month.year, month.month) } }] };
    }
    if (g.endOf.toLowerCase() === 'year') return { readings: [{ form: 'date', date: { year: today.year + (next ? 1 : 0), month: 12, day: 31 } }] };
    // Whether a week ends on Friday (work) or Sunday (ISO) depends on who asks: both readings are offered.
    const base = civilDay(today) + (next ? 7 : 0);
    const toFriday = (5 - weekdayOf(today) + 7) % 7;
    const toSunday = (7 - weekdayOf(today)) % 7;
    return {
      readings: [
        { form: 'date', date: fromDay(base + toFriday) },
        { form: 'date', date: fromDay(base + toSunday) },
      ],
      reason: 'weekEnd',
    };
  }
  if (g.weekday) {
    const target = WEEKDAYS[g.weekday.toLowerCase()] ?? 0;
    // The next such day after today: "until Friday" said on a Friday means next week's.
    const ahead = ((target - weekdayOf(today) + 6) % 7) + 1;
    const coming = fromDay(civilDay(today) + ahead);
    if (g.which && /^next/i.test(g.which.trim())) {
      // "next Friday" is the coming one to some and the one after to others.
      return { readings: [{ form: 'date', date: coming }, { form: 'date', date: fromDay(civilDay(coming) + 7) }], reason: 'nextWeekday' };
    }
    return { readings: [{ form: 'date', date: coming }] };
  }
  const relative = g.relative?.toLowerCase();
  return { readings: [{ form: 'date', date: fromDay(civilDay(today) + (relative === 'tomorrow' ? 1 : 0)) }] };
}

function parseDuration(g: Groups): Parsed {
  const countText = (g.duration ?? '').trim().replace(/^the\s+next\s+/i, '').split(/\s+/)[0]?.toLowerCase() ?? '';
  const count = /^\d+$/.test(countText) ? Number(countText) : (NUMBERS[countText] ?? 0);
  const unitText = (g.unit ?? '').toLowerCase().replace(/s$/, '');
  if (count < 1) return { readings: [], invalid: 'A grant lasts at least one day.' };
  if (unitText === 'fortnight') return { readings: [{ form: 'duration', unit: 'week', count: 2 * count }] };
  const unit = unitText === 'week' || unitText === 'month' || unitText === 'year' ? unitText : 'day';
  return { readings: [{ form: 'duration', unit, count: Math.min(count, 100_000) }] };
}

function result(match: RegExpExecArray, start: number, matched: string, options: TimeSpanOptions): TimeSpanResult {
  const g: Groups = match.groups ?? {};
  const { zone, maxDays } = options;
  const wall = wallClockAt(options.now.getTime(), zone.timeZone);
  const clock: Clock = { now: options.now, timeZone: zone.timeZone, wall, today: { year: wall.year, month: wall.month, day: wall.day }, locale: zone.locale };
  const where = { matched, start, end: start + matched.length };
  const parsed = g.duration ? parseDuration(g) : parseDate(g, clock.today);
  const zoneWords = zone.timeZone === 'UTC' ? ' (UTC)' : ` (${zone.timeZone})`;
  if (parsed.invalid || parsed.readings.length === 0) {
    return { ...where, kind: 'invalid', message: `${parsed.invalid ?? `"${matched}" is not a date I can read.`} Give a date such as 2027-01-31 or 31 Jan, or a duration such as "for 2 weeks".` };
  }
  const readings = parsed.readings.map((r) => readingOf(r, clock));
  const [first] = readings;
  if (!first) return { ...where, kind: 'invalid', message: `"${matched}" is not a date I can read.` };
  const form = parsed.readings[0]?.form ?? 'date';
  if (parsed.reason || (zone.unknownTimeZone && form === 'date')) {
    const reason = parsed.reason ?? 'timeZone';
    const options = readings.map((r) => r.label).join(' or ');
    const why =
      reason === 'timeZone'
        ? `I don't know your time zone "${zone.unknownTimeZone ?? ''}", so "${matched}" would end at the end of ${options} in UTC. Is that what you mean?`
        : reason === 'dayMonthOrder'
          ? `"${matched}" could be ${options}. Which one? Writing it as 2027-01-31 or 31 Jan avoids the question.`
          : `"${matched}" could be ${options}. Which one?`;
    return { ...where, kind: 'ambiguous', reason, readings, message: why };
  }
  if (first.days < 0) return { ...where, kind: 'past', reading: first, message: `${first.label} has already passed${zoneWords}. Give a date from tomorrow on.` };
  if (first.days === 0) return { ...where, kind: 'today', reading: first, message: `${first.label} is today${zoneWords}; a grant lasts at least one day. Give a date from tomorrow on.` };
  if (first.days > maxDays) {
    return {
      ...where,
      kind: 'tooLong',
      reading: first,
      maxDays,
      message: `"${matched}" would end on ${first.label}, ${first.days} days from today; a grant lasts at most ${maxDays} days here. Give a shorter duration or an earlier date.`,
    };
  }
  const ends = form === 'date' ? `at the end of ${first.label}` : `on ${first.label}`;
  const fallback = zone.fallback ? ` ${zone.fallback}` : '';
  return { ...where, kind: 'end', form, reading: first, message: `Access ends ${ends}${zoneWords}, ${first.days} day${first.days === 1 ? '' : 's'} from today.${fallback}` };
}

/** The longest text scanned for time phrases; a longer one is cut, so the work stays bounded whatever is pasted. */
export const MAX_TIME_SPAN_TEXT = 10_000;

/**
 * Every duration or end date inside a sentence, in order: "for 2 weeks", "until 31 Jan", "end on Friday", "till the end of
 * the month". A phrase needs its word (for, until, till, through, end on, …) so "Timesheets 2" or "room 12/3" is not a date.
 */
export function findTimeSpans(input: string, options: TimeSpanOptions): TimeSpanResult[] {
  const textToScan = input.slice(0, MAX_TIME_SPAN_TEXT);
  const found: TimeSpanResult[] = [];
  for (const match of textToScan.matchAll(IN_SENTENCE)) {
    found.push(result(match, match.index ?? 0, match[0], options));
    if (found.length >= 10) break;
  }
  return found;
}

/**
 * A whole answer to "How long?" or "When should it end?": the same phrases, with the leading word optional ("a month",
 * "Friday", "2027-01-31"). Undefined when the answer is anything else, so the dialog asks again rather than guess.
 */
export function parseTimeSpan(input: string, options: TimeSpanOptions): TimeSpanResult | undefined {
  if (input.length > 200) return undefined;
  const match = WHOLE_ANSWER.exec(input);
  if (!match) return undefined;
  const leading = input.length - input.trimStart().length;
  const matched = input.trim().replace(/\s*(?:please)?\s*[.!]?$/i, '');
  return result(match, leading, matched, options);
}
