import fs from 'node:fs';
import path from 'node:path';
import { commandWordsOf, MAX_UNDERSTAND_LENGTH, mayUnderstand, understand, type Understanding, type UnderstandContext } from '../../dialogs/understand';
import { commands } from '../../bot/commands';

/** Wednesday 2 December 2026, 10:00 UTC; grants last at most 90 days. */
const context: UnderstandContext = { now: new Date('2026-12-02T10:00:00Z'), zone: { timeZone: 'UTC', locale: 'en-US' }, maxDays: 90 };

interface Compact {
  intent: Understanding['intent'];
  emails?: string[];
  person?: string;
  org?: string;
  app?: string;
  end?: string;
  why?: string;
  conflicts?: number;
  refusedAddresses?: number;
  refused?: string;
}

/** The fields a sentence filled, in one line per utterance; a field the sentence did not fill must be absent. */
function compact(u: Understanding): Compact {
  const c: Compact = { intent: u.intent };
  if (u.emails.length > 0) c.emails = u.emails;
  if (u.personName !== undefined) c.person = u.personName;
  if (u.organization !== undefined) c.org = u.organization;
  if (u.appPhrase !== undefined) c.app = u.appPhrase;
  if (u.end) c.end = `${u.end.kind}${'reading' in u.end ? ` ${u.end.reading.lastDay}` : ''}`;
  if (u.justification !== undefined) c.why = u.justification;
  if (u.conflicts.length > 0) c.conflicts = u.conflicts.length;
  if (u.refusedAddresses.length > 0) c.refusedAddresses = u.refusedAddresses.length;
  if (u.refused) c.refused = u.refused.reason;
  return c;
}

describe('understanding a request in plain words', () => {
  it.each<[string, string, Compact]>([
    // Requests
    ['the issue\'s first example', 'Raj from Woodgrove needs the expense portal for a month', { intent: 'request', person: 'Raj', org: 'Woodgrove', app: 'expense portal', end: 'end 2027-01-02' }],
    ['an address, an app, a date and a reason', "give lena@tailspin.test access to Timesheets until 31 Jan, she's on the kickoff project", { intent: 'request', emails: ['lena@tailspin.test'], app: 'Timesheets', end: 'end 2027-01-31', why: "she's on the kickoff project" }],
    ['a person who needs access to an app not yet named', 'Raj needs access', { intent: 'request', person: 'Raj' }],
    ['"I need <app> for <address>" with a reason', 'I need Timesheets for raj@woodgrove.test because of the audit', { intent: 'request', emails: ['raj@woodgrove.test'], app: 'Timesheets', why: 'because of the audit' }],
    ['grant access to an app to a named person', "please grant access to the Wiki to Ann O'Neil from Fabrikam until Friday", { intent: 'request', person: "Ann O'Neil", org: 'Fabrikam', app: 'Wiki', end: 'end 2026-12-04' }],
    ['a question', 'can Raj get access to the expense portal?', { intent: 'request', person: 'Raj', app: 'expense portal' }],
    ['the reason first', 'For the quarterly audit, Raj from Woodgrove needs Expenses until 2027-01-31. Thanks!', { intent: 'request', person: 'Raj', org: 'Woodgrove', app: 'Expenses', end: 'end 2027-01-31', why: 'For the quarterly audit' }],
    ['"add <person> to <app>"', 'add Raj to Timesheets', { intent: 'request', person: 'Raj', app: 'Timesheets' }],
    ['a duration between the app and the person', 'I need Timesheets for a month for raj@woodgrove.test', { intent: 'request', emails: ['raj@woodgrove.test'], app: 'Timesheets', end: 'end 2027-01-02' }],
    ['a full name', 'give Raj Patel Timesheets for 2 weeks', { intent: 'request', person: 'Raj Patel', app: 'Timesheets', end: 'end 2026-12-16' }],
    ['a user name and the end of the month', 'wmoran needs to access Timesheets till the end of the month', { intent: 'request', person: 'wmoran', app: 'Timesheets', end: 'end 2026-12-31' }],
    ['set up access, with a reason after a comma', 'could you set up access to Contoso Wiki for mia@woodgrove.test, she starts Monday', { intent: 'request', emails: ['mia@woodgrove.test'], app: 'Contoso Wiki', why: 'she starts Monday' }],
    ['"should get … through … as …"', 'Lena from Tailspin should get Timesheets through 2027-01-15 as she runs the kickoff', { intent: 'request', person: 'Lena', org: 'Tailspin', app: 'Timesheets', end: 'end 2027-01-15', why: 'she runs the kickoff' }],
    ['a greeting first', 'hi bot, raj@woodgrove.test needs Expenses for 30 days', { intent: 'request', emails: ['raj@woodgrove.test'], app: 'Expenses', end: 'end 2027-01-01' }],
    ['an app name with a number', 'Raj needs Timesheets 2 for a month', { intent: 'request', person: 'Raj', app: 'Timesheets 2', end: 'end 2027-01-02' }],
    ['a quoted app name', 'grant raj@woodgrove.test access to "Timesheets (IWA)" for 10 days', { intent: 'request', emails: ['raj@woodgrove.test'], app: 'Timesheets (IWA)', end: 'end 2026-12-12' }],
    ['"the … app"', 'Raj needs the Timesheets app', { intent: 'request', person: 'Raj', app: 'Timesheets' }],
    ['lower case throughout', 'raj from woodgrove needs expenses until friday', { intent: 'request', person: 'raj', org: 'woodgrove', app: 'expenses', end: 'end 2026-12-04' }],
    ['an address and a name that agree', 'Raj Patel (raj.patel@woodgrove.test) needs Timesheets', { intent: 'request', emails: ['raj.patel@woodgrove.test'], app: 'Timesheets' }],
    ['a new line before the reason', 'Raj from Woodgrove needs Timesheets\nfor the kickoff workshop', { intent: 'request', person: 'Raj', org: 'Woodgrove', app: 'Timesheets', why: 'for the kickoff workshop' }],
    ['an @mention of the bot in a channel', '<at>Partner Access Bot</at> Raj needs Expenses for 2 weeks', { intent: 'request', person: 'Raj', app: 'Expenses', end: 'end 2026-12-16' }],

    // Look-ups
    ['who is <user name>', 'who is wmoran', { intent: 'lookup', person: 'wmoran' }],
    ['who is <address>?', 'who is mia@woodgrove.test?', { intent: 'lookup', emails: ['mia@woodgrove.test'] }],
    ['is <name> a guest', 'is wmoran a guest?', { intent: 'lookup', person: 'wmoran' }],
    ['look up a name with an apostrophe', "look up Ann O'Neil", { intent: 'lookup', person: "Ann O'Neil" }],
    ["who's <name> from <org>", "who's Raj from Woodgrove", { intent: 'lookup', person: 'Raj', org: 'Woodgrove' }],
    ['tell me about <address>', 'tell me about lena@tailspin.test', { intent: 'lookup', emails: ['lena@tailspin.test'] }],
    ['a mention before a look-up', '<at>Partner Access Bot</at> who is wmoran', { intent: 'lookup', person: 'wmoran' }],

    // Invitations
    ['can you invite <address>', 'can you invite mia@woodgrove.test', { intent: 'invite', emails: ['mia@woodgrove.test'] }],
    ['two addresses to invite are not a conflict', 'please invite mia@woodgrove.test and sam@woodgrove.test', { intent: 'invite', emails: ['mia@woodgrove.test', 'sam@woodgrove.test'] }],
    ['an invitation, then an app', 'could you invite mia@woodgrove.test and give her access to Timesheets', { intent: 'invite', emails: ['mia@woodgrove.test'], app: 'Timesheets' }],
    ['add <address> as a guest', 'add mia@woodgrove.test as a guest', { intent: 'invite', emails: ['mia@woodgrove.test'] }],
    ['send an invitation to', 'send an invitation to mia@woodgrove.test', { intent: 'invite', emails: ['mia@woodgrove.test'] }],
    ['an invitation by name: the dialog asks for the address', 'we need to invite Mia from Woodgrove', { intent: 'invite', person: 'Mia', org: 'Woodgrove' }],

    // Not understood: the dialog asks one question
    ['a greeting', 'hello', { intent: 'unknown' }],
    ['a question about the bot', 'what can you do?', { intent: 'unknown' }],
    ['thanks', 'thanks!', { intent: 'unknown' }],
    ['noise', 'asdf qwer', { intent: 'unknown' }],
    ['an app alone', 'the expense portal', { intent: 'unknown' }],
    ['a duration alone, kept for the dialog', 'for 2 weeks', { intent: 'unknown', end: 'end 2026-12-16' }],
    ['"everyone needs a break"', 'Everyone needs a break', { intent: 'unknown' }],

    // Hostile and contradictory
    ['Markdown emphasis', 'can **Raj** get access to the **expense portal**?', { intent: 'request', person: 'Raj', app: 'expense portal' }],
    ['a Markdown link whose target is another address', '[mia@woodgrove.test](mailto:evil@attacker.test) needs Timesheets', { intent: 'request', emails: ['mia@woodgrove.test'], app: 'Timesheets' }],
    ['a template expression where the app would be', 'Raj needs ${process.env.SECRET} for 2 weeks', { intent: 'request', person: 'Raj', end: 'end 2026-12-16', why: '${process.env.SECRET}' }],
    ['a template expression where the person would be', 'give ${user.name} access to Timesheets', { intent: 'unknown' }],
    ['two addresses for one request', 'give raj@woodgrove.test and lena@tailspin.test access to Timesheets', { intent: 'request', emails: ['raj@woodgrove.test', 'lena@tailspin.test'], app: 'Timesheets', conflicts: 1 }],
    ['the same address twice is one address', "give raj@woodgrove.test access to Timesheets, that's RAJ@woodgrove.test", { intent: 'request', emails: ['raj@woodgrove.test'], app: 'Timesheets', why: "that's RAJ@woodgrove.test" }],
    ['an address and a name that disagree', 'Raj (lena@tailspin.test) needs Timesheets for 2 weeks', { intent: 'request', emails: ['lena@tailspin.test'], person: 'Raj', app: 'Timesheets', end: 'end 2026-12-16', conflicts: 1 }],
    ['an organisation and an address that disagree', 'Raj from Woodgrove, raj@tailspin.test, needs Timesheets', { intent: 'request', emails: ['raj@tailspin.test'], org: 'Woodgrove', app: 'Timesheets', conflicts: 1 }],
    ['a duration above the maximum', 'can Raj get access to the expense portal for 6 months?', { intent: 'request', person: 'Raj', app: 'expense portal', end: 'tooLong 2027-06-02' }],
    ['two different ends', 'Raj needs Timesheets for 2 weeks until Friday', { intent: 'request', person: 'Raj', app: 'Timesheets', conflicts: 1 }],
    ['the same end twice is one end', 'Raj needs Timesheets for 2 weeks, yes for 2 weeks', { intent: 'request', person: 'Raj', app: 'Timesheets', end: 'end 2026-12-16', why: 'yes' }],
    ['an ambiguous date', 'Raj needs Timesheets until 01/02', { intent: 'request', person: 'Raj', app: 'Timesheets', end: 'ambiguous' }],
    ['a past date', 'Raj needs Timesheets until 2026-11-01', { intent: 'request', person: 'Raj', app: 'Timesheets', end: 'past 2026-11-01' }],
    ['an apostrophe in an address is part of it', "give o'neil@fabrikam.test access to Timesheets", { intent: 'request', emails: ["o'neil@fabrikam.test"], app: 'Timesheets' }],
    ['an underscore that starts an address is not Markdown', 'give _raj@fabrikam.test access to Timesheets', { intent: 'request', emails: ['_raj@fabrikam.test'], app: 'Timesheets' }],
    ['an address in Markdown emphasis', 'give **raj@fabrikam.test** access to `Timesheets`', { intent: 'request', emails: ['raj@fabrikam.test'], app: 'Timesheets' }],
    ['a broken address', 'give raj@@woodgrove.test access to Timesheets', { intent: 'request', app: 'Timesheets', refusedAddresses: 1 }],
    ['a quoted local part', 'could you invite "raj patel"@woodgrove.test', { intent: 'invite', refusedAddresses: 1 }],
    ['private-use characters are dropped', 'Raj needs \uE000\uE100 Timesheets', { intent: 'request', person: 'Raj', app: 'Timesheets' }],
    ['a lone surrogate', 'Raj needs \uD83D Timesheets', { intent: 'unknown', refused: 'brokenCharacter' }],
    ['a control character', 'Raj needs Time\u0007sheets', { intent: 'unknown', refused: 'controlCharacter' }],
    ['a right-to-left override hiding an address', 'give raj@woodgrove.test\u202Etset.rekcatta access to Timesheets', { intent: 'unknown', refused: 'controlCharacter' }],
    ['only a mention', '<at>Partner Access Bot</at>', { intent: 'unknown', refused: 'empty' }],
    ['10,000 characters', `Raj needs Timesheets ${'because '.repeat(1250)}`.slice(0, 10_000), { intent: 'unknown', refused: 'tooLong' }],
  ])('%s', (_label, text, expected) => {
    expect(compact(understand(text, context))).toEqual(expected);
  });

  it('gives each conflict as a sentence that names what disagrees', () => {
    expect(understand('give raj@woodgrove.test and lena@tailspin.test access to Timesheets', context).conflicts).toEqual([
      'You named 2 addresses: raj@woodgrove.test and lena@tailspin.test. Who should get the access?',
    ]);
    expect(understand('Raj (lena@tailspin.test) needs Timesheets', context).conflicts).toEqual([
      "You named Raj, but the address lena@tailspin.test looks like someone else's. Which is the partner?",
    ]);
    expect(understand('Raj needs Timesheets for 2 weeks until Friday', context).conflicts).toEqual([
      'You gave 2 different ends: "for 2 weeks" and "until Friday". Which one should it be?',
    ]);
  });

  it('gives a refused address with the reason invite would give', () => {
    expect(understand('could you invite "raj patel"@woodgrove.test', context).refusedAddresses).toEqual([
      { text: '"raj patel"@woodgrove.test', reason: 'Quoted local parts ("…"@domain) are not accepted.' },
    ]);
  });

  it('keeps the time phrase with its message, so the dialog can say what was understood or ask again', () => {
    const { end } = understand('can Raj get access to the expense portal for 6 months?', context);
    expect(end).toMatchObject({ kind: 'tooLong', matched: 'for 6 months', maxDays: 90 });
    expect(end?.message).toContain('at most 90 days');
  });

  it('keeps template text and Markdown as plain data, never evaluated or dropped silently', () => {
    expect(understand('Raj needs Timesheets because ${7*7} and **[click](https://evil.test)**', context).justification).toBe('${7*7} and click');
  });
});

describe('bounded work', () => {
  // The first use compiles the patterns (once per process); what is timed is the work per message.
  beforeAll(() => understand('hello', context));

  it('refuses 10,000 characters at once', () => {
    const started = process.hrtime.bigint();
    const result = understand('Raj from Woodgrove needs '.repeat(400), context);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    expect(result.refused?.message).toContain(`up to ${MAX_UNDERSTAND_LENGTH}`);
  });

  it.each([
    ['names without a verb', 'Raj Patel Smith '.repeat(125)],
    ['unfinished requests', 'give Raj access to '.repeat(105)],
    ['addresses', 'a@b.test and '.repeat(150)],
    ['near-dates', 'until 1 for 2 '.repeat(140)],
    ['Markdown marks', '**_`'.repeat(500)],
  ])('reads the longest message it accepts fast, even made of %s', (_label, text) => {
    const input = text.slice(0, MAX_UNDERSTAND_LENGTH);
    const started = process.hrtime.bigint();
    understand(input, context);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(2000);
  });
});

describe('which free text the grammar may read', () => {
  const words = commandWordsOf(commands);

  it.each([
    ['a command word', 'invite mia@woodgrove.test', false],
    ['a command word in capitals', 'Request Timesheets for raj@woodgrove.test', false],
    ['an alias', 'usertype wmoran', false],
    ['help', 'help', false],
    ['a command word after a mention', '<at>Partner Access Bot</at> whois wmoran', false],
    ['empty text', '   ', false],
    ['a lone surrogate (the router answers it)', 'who is \uDC00', false],
    ['a command word inside a sentence', 'can you invite mia@woodgrove.test', true],
    ['a word that starts like a command', 'helpdesk needs Timesheets', true],
    ['a sentence', 'Raj from Woodgrove needs the expense portal for a month', true],
  ])('%s: "%s" → %s', (_label, text, expected) => {
    expect(mayUnderstand(text, words)).toBe(expected);
  });

  it('refuses a command word itself when given the words, so a caller cannot skip the router by mistake', () => {
    expect(understand('invite mia@woodgrove.test', { ...context, commandWords: words })).toMatchObject({
      intent: 'unknown',
      refused: { reason: 'commandWord' },
    });
    expect(understand('can you invite mia@woodgrove.test', { ...context, commandWords: words }).intent).toBe('invite');
  });

  it('knows every command in the registry', () => {
    for (const command of commands) expect(mayUnderstand(`${command.name} something`, words)).toBe(false);
  });
});

describe('the examples in dialogs/README.md', () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '../../dialogs/README.md'), 'utf8');
  const rows = readme
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| You write') && !line.startsWith('| ---'))
    .map((line) => line.split(' | ').map((cell) => cell.replace(/^\|\s*|\s*\|$/g, '').trim()));
  const examples = rows.flatMap(([sentences = '', reading = '']) => {
    const intent = reading.split(/[ ,(]/)[0] === 'look-up' ? 'lookup' : reading.split(/[ ,(]/)[0];
    return sentences.split(' · ').map((sentence) => [sentence, intent] as const);
  });

  it('lists examples', () => {
    expect(examples.length).toBeGreaterThan(15);
  });

  it.each(examples)('"%s" is read as %s', (sentence, intent) => {
    expect(understand(sentence, context).intent).toBe(intent);
  });
});
