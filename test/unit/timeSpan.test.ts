import { findTimeSpans, parseTimeSpan, userZone, type TimeSpanOptions, type TimeSpanResult, type UserZone } from '../../bot/services/timeSpan';

/** Wednesday 2 December 2026, 10:00 UTC. */
const NOW = new Date('2026-12-02T10:00:00Z');
const UTC: UserZone = { timeZone: 'UTC', locale: 'en-US' };
const at = (now: string, timeZone = 'UTC', maxDays = 90): TimeSpanOptions => ({ now: new Date(now), zone: { timeZone, locale: 'en-US' }, maxDays });
const base: TimeSpanOptions = { now: NOW, zone: UTC, maxDays: 90 };

function first(text: string, options: TimeSpanOptions = base): TimeSpanResult {
  const [found] = findTimeSpans(text, options);
  if (!found) throw new Error(`no time phrase found in "${text}"`);
  return found;
}

function summary(result: TimeSpanResult): string {
  switch (result.kind) {
    case 'end':
      return `end ${result.form} ${result.reading.lastDay} ${result.reading.days}d`;
    case 'ambiguous':
      return `ambiguous ${result.reason} ${result.readings.map((r) => r.lastDay).join(' | ')}`;
    case 'tooLong':
      return `tooLong ${result.reading.lastDay} ${result.reading.days}d`;
    case 'past':
    case 'today':
      return `${result.kind} ${result.reading.lastDay}`;
    case 'invalid':
      return 'invalid';
  }
}

describe('durations and end dates inside a sentence (today is Wednesday 2 December 2026, UTC)', () => {
  it.each([
    ['for 2 weeks', 'end duration 2026-12-16 14d'],
    ['for a month', 'end duration 2027-01-02 31d'],
    ['for one month', 'end duration 2027-01-02 31d'],
    ['for 30 days', 'end duration 2027-01-01 30d'],
    ['for 1 day', 'end duration 2026-12-03 1d'],
    ['for a fortnight', 'end duration 2026-12-16 14d'],
    ['for the next 3 weeks', 'end duration 2026-12-23 21d'],
    ['For Ten Days', 'end duration 2026-12-12 10d'],
    ['until 2027-01-31', 'end date 2027-01-31 60d'],
    ['until Friday', 'end date 2026-12-04 2d'],
    ['end on Friday', 'end date 2026-12-04 2d'],
    ['ending on fri', 'end date 2026-12-04 2d'],
    ['until this Friday', 'end date 2026-12-04 2d'],
    ['until Wednesday', 'end date 2026-12-09 7d'],
    ['until 31 Jan', 'end date 2027-01-31 60d'],
    ['till 31st January 2027', 'end date 2027-01-31 60d'],
    ['through the 31st of January', 'end date 2027-01-31 60d'],
    ['until Jan 31st, 2027', 'end date 2027-01-31 60d'],
    ['until December 24', 'end date 2026-12-24 22d'],
    ['till the end of the month', 'end date 2026-12-31 29d'],
    ['until end of month', 'end date 2026-12-31 29d'],
    ['until the end of next month', 'end date 2027-01-31 60d'],
    ['until the end of January', 'end date 2027-01-31 60d'],
    ['until tomorrow', 'end date 2026-12-03 1d'],
    ['until the 24th', 'end date 2026-12-24 22d'],
    ['until the 1st', 'end date 2027-01-01 30d'],
    ['until 13/01', 'end date 2027-01-13 42d'],
    ['until 31/12/2026', 'end date 2026-12-31 29d'],
    ['until 01/02', 'ambiguous dayMonthOrder 2027-02-01 | 2027-01-02'],
    ['until 3.1.27', 'ambiguous dayMonthOrder 2027-01-03 | 2027-03-01'],
    ['until next Friday', 'ambiguous nextWeekday 2026-12-04 | 2026-12-11'],
    ['until the end of the week', 'ambiguous weekEnd 2026-12-04 | 2026-12-06'],
    ['until today', 'today 2026-12-02'],
    ['until 2 Dec', 'today 2026-12-02'],
    ['until 2026-11-30', 'past 2026-11-30'],
    ['until 30 Nov 2026', 'past 2026-11-30'],
    ['until 1 Dec', 'tooLong 2027-12-01 364d'],
    ['for 6 months', 'tooLong 2027-06-02 182d'],
    ['for 91 days', 'tooLong 2027-03-03 91d'],
    ['for 999999 days', 'tooLong'],
    ['for a year', 'tooLong 2027-12-02 365d'],
    ['until 2027-02-30', 'invalid'],
    ['until 31/02', 'invalid'],
    ['until 31 Feb', 'invalid'],
    ['for 0 days', 'invalid'],
  ])('%s → %s', (text, expected) => {
    expect(summary(first(`Raj needs Timesheets ${text}, thanks`))).toMatch(new RegExp(`^${expected.replace(/[|]/g, '\\|')}`));
  });

  it.each([
    ['an app name with a number', 'Raj needs Timesheets 2'],
    ['a room number that looks like a date', 'meet in room 12/3'],
    ['"for" before something that is not a duration', 'access for Timesheets for the audit'],
    ['a month name as a person', 'give access to Jan from Woodgrove'],
    ['a date without its word', 'Timesheets 31 Jan'],
    ['a phrase glued to a word', 'raj.until@woodgrove.test'],
    ['a duration glued to more digits', 'for 2 weeks2'],
    ['a date inside an address', 'until 2027-01-31@woodgrove.test'],
  ])('%s is not a time phrase', (_label, text) => {
    expect(findTimeSpans(text, base)).toEqual([]);
  });

  it('returns the phrase as typed and where it is, so the grammar can cut it out', () => {
    const text = "give lena@tailspin.test access to Timesheets until 31 Jan, she's on the kickoff project";
    const found = first(text);
    expect(found).toMatchObject({ kind: 'end', matched: 'until 31 Jan' });
    expect(text.slice(found.start, found.end)).toBe('until 31 Jan');
  });

  it('finds every phrase, so two ends in one sentence can be reported as a conflict', () => {
    expect(findTimeSpans('for 2 weeks, or until Friday', base).map((f) => f.matched)).toEqual(['for 2 weeks', 'until Friday']);
  });

  it('ends a date at the midnight after it, and a duration at the same time of day', () => {
    expect(first('until 2027-01-31')).toMatchObject({ reading: { endsAt: new Date('2027-02-01T00:00:00Z') } });
    expect(first('for 2 weeks')).toMatchObject({ reading: { endsAt: new Date('2026-12-16T10:00:00Z') } });
  });

  it('says what it understood, what is wrong, and what to type instead', () => {
    expect(first('until Friday').message).toBe('Access ends at the end of Friday, December 4, 2026 (UTC), 2 days from today.');
    expect(first('for 6 months').message).toContain('at most 90 days');
    expect(first('until 2026-11-30').message).toContain('has already passed');
    expect(first('until today').message).toContain('at least one day');
    expect(first('until 01/02').message).toContain('February 1, 2027 or');
    expect(first('until 2027-02-30').message).toContain('2027-02-30 is not a date');
    expect(first('until the 30th', at('2027-01-31T10:00:00Z')).message).toContain('February 2027 has no day 30.');
  });

  it('honours the configured maximum exactly', () => {
    expect(summary(first('for 90 days'))).toBe('end duration 2027-03-02 90d');
    expect(summary(first('for 2 weeks', { ...base, maxDays: 13 }))).toBe('tooLong 2026-12-16 14d');
  });
});

describe('month ends, leap years and DST', () => {
  it.each([
    ['a month from 31 January ends on the last day of February', 'for a month', at('2027-01-31T12:00:00Z'), 'end duration 2027-02-28 28d'],
    ['in a leap year, on the 29th', 'for 1 month', at('2028-01-31T12:00:00Z'), 'end duration 2028-02-29 29d'],
    ['three months from 30 November', 'for 3 months', at('2026-11-30T12:00:00Z', 'UTC', 100), 'end duration 2027-02-28 90d'],
    ['the end of February in a leap year', 'until the end of the month', at('2028-02-10T12:00:00Z'), 'end date 2028-02-29 19d'],
    ['29 February when next year has none', 'until 29 Feb', at('2026-12-02T10:00:00Z'), 'invalid'],
    ['29 February of a leap year', 'until 29 Feb', at('2027-12-02T10:00:00Z'), 'end date 2028-02-29 89d'],
    ['the last day of the month is today', 'until the end of the month', at('2026-12-31T10:00:00Z'), 'today 2026-12-31'],
    ['"the 30th" said in February is March\'s', 'until the 30th', at('2027-02-10T10:00:00Z'), 'end date 2027-03-30 48d'],
    ['"the 31st" said in April is May\'s', 'until the 31st', at('2027-04-05T10:00:00Z'), 'end date 2027-05-31 56d'],
    ['"the 30th" said on 31 January: February has none', 'until the 30th', at('2027-01-31T10:00:00Z'), 'invalid'],
    ['31 Jan said on 31 Dec is next month', 'until 31 Jan', at('2026-12-31T10:00:00Z'), 'end date 2027-01-31 31d'],
  ])('%s', (_label, text, options, expected) => {
    expect(summary(first(text, options))).toBe(expected);
  });

  it('keeps the wall-clock time across the spring DST change (Berlin, 28 March 2027)', () => {
    const found = first('for 2 weeks', at('2027-03-20T09:00:00Z', 'Europe/Berlin'));
    expect(found).toMatchObject({ kind: 'end', reading: { lastDay: '2027-04-03', days: 14, endsAt: new Date('2027-04-03T08:00:00Z') } });
  });

  it('ends a date at local midnight after the autumn DST change (New York, 7 November 2027)', () => {
    const found = first('until 2027-11-10', at('2027-11-01T14:00:00Z', 'America/New_York'));
    expect(found).toMatchObject({ kind: 'end', reading: { lastDay: '2027-11-10', days: 9, endsAt: new Date('2027-11-11T05:00:00Z') } });
  });

  it('ends a date at local midnight before the change too (New York in summer is UTC-4)', () => {
    const found = first('until 2027-07-04', at('2027-07-01T14:00:00Z', 'America/New_York'));
    expect(found).toMatchObject({ kind: 'end', reading: { endsAt: new Date('2027-07-05T04:00:00Z') } });
  });

  it('lands just after the gap when the same time of day does not exist (Berlin, 02:30 on 28 March 2027)', () => {
    const found = first('for 1 day', at('2027-03-27T01:30:00Z', 'Europe/Berlin'));
    expect(found).toMatchObject({ kind: 'end', reading: { lastDay: '2027-03-28', endsAt: new Date('2027-03-28T01:30:00Z') } });
  });

  it('reads "today" in the person\'s zone, not the server\'s', () => {
    // 23:30 UTC on Wednesday is already Thursday 12:30 in Auckland and still Wednesday afternoon in Los Angeles.
    const late = '2026-12-02T23:30:00Z';
    expect(summary(first('until Friday', at(late, 'Pacific/Auckland')))).toBe('end date 2026-12-04 1d');
    expect(summary(first('until Friday', at(late, 'America/Los_Angeles')))).toBe('end date 2026-12-04 2d');
    expect(summary(first('until 2026-12-02', at(late, 'Pacific/Auckland')))).toBe('past 2026-12-02');
    expect(summary(first('until 2026-12-02', at(late, 'UTC')))).toBe('today 2026-12-02');
    expect(first('until Friday', at(late, 'America/Los_Angeles'))).toMatchObject({ reading: { endsAt: new Date('2026-12-05T08:00:00Z') } });
  });
});

describe('whole answers to "how long?"', () => {
  it.each([
    ['a month', 'end duration 2027-01-02 31d'],
    ['2 weeks', 'end duration 2026-12-16 14d'],
    ['for 30 days', 'end duration 2027-01-01 30d'],
    ['Friday', 'end date 2026-12-04 2d'],
    ['  2027-01-31  ', 'end date 2027-01-31 60d'],
    ['31 Jan.', 'end date 2027-01-31 60d'],
    ['the end of the month', 'end date 2026-12-31 29d'],
    ['until Friday please', 'end date 2026-12-04 2d'],
    ['next friday', 'ambiguous nextWeekday 2026-12-04 | 2026-12-11'],
    ['today', 'today 2026-12-02'],
  ])('"%s" → %s', (text, expected) => {
    const found = parseTimeSpan(text, base);
    expect(found && summary(found)).toBe(expected);
  });

  it.each(['banana', 'Friday and Monday', 'a month or two', '30', '', 'for 2 weeks '.repeat(50)])('"%s" is not an answer', (text) => {
    expect(parseTimeSpan(text, base)).toBeUndefined();
  });

  it('gives the phrase without the trailing courtesy', () => {
    expect(parseTimeSpan(' until Friday please.', base)).toMatchObject({ matched: 'until Friday', start: 1 });
  });
});

describe('the zone and locale from the activity', () => {
  it.each([
    ['localTimezone and locale', { localTimezone: 'Europe/Berlin', locale: 'de-DE' }, { timeZone: 'Europe/Berlin', locale: 'de-DE' }],
    [
      'the clientInfo entity when the activity has none',
      { entities: [{ type: 'mention' }, { type: 'clientInfo', timezone: 'America/Los_Angeles', locale: 'en-US' }] },
      { timeZone: 'America/Los_Angeles', locale: 'en-US' },
    ],
    ['localTimezone before clientInfo', { localTimezone: 'Asia/Tokyo', entities: [{ type: 'clientInfo', timezone: 'Europe/Paris' }], locale: 'ja-JP' }, { timeZone: 'Asia/Tokyo', locale: 'ja-JP' }],
  ])('%s', (_label, activity, expected) => {
    expect(userZone(activity)).toEqual(expected);
  });

  it('falls back to UTC and en-US, and says so, when the activity names neither', () => {
    const zone = userZone({});
    expect(zone).toMatchObject({ timeZone: 'UTC', locale: 'en-US', fallback: 'Teams did not tell me your time zone, so dates are in UTC.' });
    expect(first('until Friday', { now: NOW, zone, maxDays: 90 }).message).toContain('dates are in UTC');
  });

  it('refuses a locale it does not know and says which it uses instead', () => {
    expect(userZone({ localTimezone: 'UTC', locale: 'not a locale!' })).toMatchObject({ locale: 'en-US', fallback: expect.stringContaining('not a locale!') });
  });

  it('asks instead of guessing when the time zone is unknown: dates are ambiguous, durations still count days', () => {
    const zone = userZone({ localTimezone: 'Mars/Olympus_Mons', locale: 'en-US' });
    expect(zone).toMatchObject({ timeZone: 'UTC', unknownTimeZone: 'Mars/Olympus_Mons' });
    const options = { now: NOW, zone, maxDays: 90 };
    expect(summary(first('until Friday', options))).toBe('ambiguous timeZone 2026-12-04');
    expect(first('until Friday', options).message).toContain('Mars/Olympus_Mons');
    expect(summary(first('for 2 weeks', options))).toBe('end duration 2026-12-16 14d');
  });

  it('ignores values that are not strings', () => {
    expect(userZone({ localTimezone: 42, locale: { x: 1 }, entities: 'clientInfo' })).toMatchObject({ timeZone: 'UTC', locale: 'en-US' });
  });

  it('writes dates in the person\'s locale', () => {
    const found = first('until Friday', { now: NOW, zone: { timeZone: 'Europe/Berlin', locale: 'de-DE' }, maxDays: 90 });
    expect(found.message).toContain('Freitag, 4. Dezember 2026');
  });
});

describe('hostile text', () => {
  it('finishes fast on 10,000 characters and stops after ten phrases', () => {
    const long = 'for 2 weeks until 01/02 '.repeat(500).slice(0, 10_000);
    const started = process.hrtime.bigint();
    const found = findTimeSpans(long, base);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(found).toHaveLength(10);
    expect(ms).toBeLessThan(2000);
  });

  it('scans nothing past 10,000 characters', () => {
    expect(findTimeSpans(`${'x'.repeat(10_000)} for 2 weeks`, base)).toEqual([]);
  });

  it('does not backtrack on long runs of near-misses', () => {
    const near = 'until 1 '.repeat(1200) + 'for 9 '.repeat(400);
    const started = process.hrtime.bigint();
    findTimeSpans(near, base);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});
