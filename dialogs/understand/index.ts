import { checkPartnerAddress } from '../../bot/services/emailAddress';
import { findTimeSpans, type TimeSpanResult } from '../../bot/services/timeSpan';
import { BROKEN_CHARACTER, hasLoneSurrogate } from '../../bot/routing/inputText';
import { stripMentions, tokenize } from '../../bot/routing/tokenizer';
import type { Intent, Refusal, UnderstandContext, Understanding } from './types';

export type { Intent, Refusal, UnderstandContext, Understanding } from './types';

/** Longer than any request a person types in one message (a justification holds 1,000): refused, so work stays bounded. */
export const MAX_UNDERSTAND_LENGTH = 2000;

/**
 * Placeholders for what is taken out before the patterns run, as private-use characters (removed from the input first):
 * each address becomes its own character, so the reason can be given back with the address as typed.
 */
const TIME = '\uE001';
const FIRST_ADDRESS = 0xe100;
const MAX_ADDRESSES = 200;
const EMAIL = '[\uE100-\uE1FF]';
const PRIVATE_USE = /[\uE000-\uF8FF]/g;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/;

/** The words a command router would answer to: each command's name and aliases, lower-cased. */
export function commandWordsOf(commands: readonly { name: string; aliases: readonly string[] }[]): Set<string> {
  return new Set(commands.flatMap((c) => [c.name, ...c.aliases]).map((w) => w.toLowerCase()));
}

/**
 * Whether free text may go to the grammar: it is not empty, has no broken character (the router answers those with its
 * own card), and its first word, read exactly as the command router reads it, is no command word or alias. "invite
 * mia@…" stays the invite command; "can you invite mia@…" is the grammar's. Whether the caller is a partner manager or
 * an admin is the caller's check, not this one. A Set (as `commandWordsOf` gives) is taken as lower-case words.
 */
export function mayUnderstand(text: string, commandWords: Iterable<string>): boolean {
  if (hasLoneSurrogate(text)) return false;
  const { word } = tokenize(text);
  if (word.length === 0) return false;
  const words = commandWords instanceof Set ? (commandWords as Set<string>) : new Set([...commandWords].map((w) => w.toLowerCase()));
  return !words.has(word);
}

function refuse(reason: Refusal['reason'], message: string): Understanding {
  return { intent: 'unknown', emails: [], refusedAddresses: [], conflicts: [], refused: { reason, message } };
}

// ---- the vocabulary -------------------------------------------------------------------------------------------------

/** Words that open a sentence without saying anything: "hi", "please", "can you", "could you please". */
const INTRO = `(?:(?:hi|hello|hey|ok|okay|so|also|and|then|now|please|pls|bot|there|can|could|would|will|you|kindly|i'd|like|to|i|we|want|need)[\\s,!]+)*`;
/** Words that are never a person's or an app's name, so a pattern does not swallow them. */
const STOP = `(?:from|at|of|needs?|wants?|requires?|should|must|get|gets|have|has|access|to|for|the|a|an|and|or|but|because|since|as|so|until|till|please|thanks|thank|with|while|during|by|on|in|is|are|was|be|invite|invited|give|grant|who|he|she|they|him|her|them|it|his|their|its|he's|she's|they're|it's|i|we|me|us|you|our|my|someone|somebody|everyone|everybody|anyone|anybody|nobody|this|that|what|which|partner|guest|user|hi|hello|hey|bot|ok|okay|yes|no|also|then|now|can|could|would|will|do|does)`;
const WORD = `(?!${STOP}(?![\\p{L}\\p{N}'’]))`;
const NAME_WORD = `${WORD}[\\p{L}][\\p{L}\\p{M}\\p{N}'’._-]{0,40}`;
const NAME = `${NAME_WORD}(?:\\s+${NAME_WORD}){0,2}`;
const ORG_WORD = `${WORD}[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}'’&._-]{0,40}`;
const ORG = `${ORG_WORD}(?:\\s+${ORG_WORD}){0,2}`;
/** One address, or several ("a@x and b@y"), so two addresses are reported rather than not understood. */
const EMAILS = `${EMAIL}(?:\\s*(?:,|and|or|&)\\s*${EMAIL}){0,9}`;
/** A person: an address, a name, or both ("Raj (raj@woodgrove.test)"), and where they are from. */
const PERSON =
  `(?:(?<name>${NAME})(?:\\s+(?:from|at|of)\\s+(?<org>${ORG}))?(?:\\s*[,(<]?\\s*${EMAILS}\\s*[)>]?,?)?|${EMAILS}(?:\\s+(?:from|at)\\s+(?<org2>${ORG}))?)`;
const APP_WORD = `${WORD}[\\p{L}\\p{N}(][\\p{L}\\p{M}\\p{N}'’&.+()/-]{0,40}`;
/** An app: a few words, with an article or "our" before it ("the expense portal"), until a word that starts something else. */
const APP = `(?:(?:the|our|a|an)\\s+)?(?<app>${APP_WORD}(?:\\s+${APP_WORD}){0,5})`;
const ACCESS_TO = `(?:(?:access|permissions?|rights)\\s+(?:to|for|on)\\s+|to\\s+(?:access|use|get\\s+into|log\\s+into|sign\\s+in\\s+to)\\s+)`;
const NEEDS = `(?:needs?|wants?|requires?|should\\s+(?:get|have)|must\\s+(?:get|have)|would\\s+like|is\\s+asking\\s+for|asked\\s+for)`;

const sentence = (body: string): RegExp => new RegExp(`(?<![\\p{L}\\p{N}])${body}`, 'iu');

/** After an invitation, "… and give her access to Timesheets": the app to request once she is in. */
const THEN_ACCESS = sentence(`${ACCESS_TO}${APP}`);

interface Pattern {
  intent: Intent;
  regex: RegExp;
}

/** Between an app and what follows it, where a duration was cut out ("Timesheets for a month for raj@…"). */
const GAP = `[\\s${TIME}]+`;

/** Tried in order; the first that matches decides the intent. */
const PATTERNS: readonly Pattern[] = [
  { intent: 'lookup', regex: new RegExp(`^${INTRO}(?:who\\s+is|who's|whos|who\\s+are|look\\s+up|tell\\s+me\\s+about|what\\s+do\\s+you\\s+know\\s+about)\\s+${PERSON}\\s*[?.!]*$`, 'iu') },
  { intent: 'lookup', regex: new RegExp(`^${INTRO}is\\s+${PERSON}\\s+(?:a\\s+|an\\s+)?(?:guest|member|partner|external|synced)\\b.*$`, 'iu') },
  { intent: 'invite', regex: sentence(`(?:invite|send\\s+(?:an?\\s+)?invit(?:e|ation)s?\\s+to)\\s+${PERSON}`) },
  { intent: 'invite', regex: sentence(`add\\s+${PERSON}\\s+as\\s+(?:an?\\s+)?(?:guest|partner|external\\s+user)s?`) },
  { intent: 'request', regex: sentence(`add\\s+${PERSON}\\s+to\\s+${APP}`) },
  { intent: 'request', regex: sentence(`(?:give|grant)\\s+${PERSON}\\s+${ACCESS_TO}?${APP}`) },
  { intent: 'request', regex: sentence(`(?:give|grant)\\s+${ACCESS_TO}${APP}${GAP}(?:to|for)\\s+${PERSON}`) },
  { intent: 'request', regex: sentence(`${PERSON}\\s+${NEEDS}\\s+(?:${ACCESS_TO})?${APP}`) },
  { intent: 'request', regex: sentence(`(?:can|could|may)\\s+${PERSON}\\s+(?:get|have|be\\s+given)\\s+${ACCESS_TO}?${APP}`) },
  { intent: 'request', regex: sentence(`(?:i|we)\\s+(?:need|want|would\\s+like|'d\\s+like)\\s+(?:to\\s+(?:get|request)\\s+)?${ACCESS_TO}?${APP}${GAP}for\\s+${PERSON}`) },
  { intent: 'request', regex: sentence(`(?:request|requesting|get|set\\s+up|arrange)\\s+${ACCESS_TO}?${APP}${GAP}for\\s+${PERSON}`) },
  { intent: 'request', regex: sentence(`${ACCESS_TO}${APP}${GAP}for\\s+${PERSON}`) },
  // "Raj needs access", "Raj needs ${…}": a request whose app the dialog asks for.
  { intent: 'request', regex: sentence(`${PERSON}\\s+${NEEDS}(?:\\s+(?:access|an?\\s+account|permissions?))?(?![\\p{L}])`) },
];

// ---- the steps ------------------------------------------------------------------------------------------------------

interface FoundAddress {
  text: string;
  /** Lower-case ASCII form, to tell one address from another. */
  key?: string;
  problem?: string;
}

/** What surrounds an address in a sentence and is not part of it: brackets, quotes, Markdown, a full stop. */
const ADDRESS_TOKEN = /(?:"[^"\n]{0,64}")?[^\s,;<>()[\]{}"`*|\\]{0,300}@[^\s,;<>()[\]{}"`*|\\]{0,300}/gu;
/** A Markdown link reads as the text the person sees: `[mia@woodgrove.test](mailto:someone-else@…)` is mia. */
const MARKDOWN_LINK = /\[([^\]\n]{0,300})\]\([^)\s]{0,500}\)/g;

function findAddresses(text: string): { working: string; found: FoundAddress[] } {
  const found: FoundAddress[] = [];
  const working = text.replace(ADDRESS_TOKEN, (token) => {
    if (found.length >= MAX_ADDRESSES) return ' ';
    // Only what cannot end an address is taken off (a full stop, a question mark); an apostrophe or underscore can start one.
    const typed = token.replace(/^mailto:/i, '').replace(/^'(.*)'$/s, '$1').replace(/[.!?:]+$/, '');
    const check = checkPartnerAddress(typed);
    found.push(check.ok ? { text: typed, key: check.value.address.toLowerCase() } : { text: token, problem: check.problem });
    return ` ${String.fromCharCode(FIRST_ADDRESS + found.length - 1)} `;
  });
  return { working, found };
}

function sameEnd(a: TimeSpanResult, b: TimeSpanResult): boolean {
  const day = (r: TimeSpanResult): string => ('reading' in r ? r.reading.lastDay : 'readings' in r ? r.readings.map((x) => x.lastDay).join() : r.matched);
  return a.kind === b.kind && day(a) === day(b);
}

function cutTimeSpans(text: string, context: UnderstandContext): { working: string; spans: TimeSpanResult[] } {
  const spans = findTimeSpans(text, context);
  let working = '';
  let at = 0;
  for (const span of spans) {
    working += `${text.slice(at, span.start)} ${TIME} `;
    at = span.end;
  }
  return { working: working + text.slice(at), spans };
}

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Whether a name could be the person behind an address: a word of it (two letters or more) appears in the local part. */
function nameFitsAddress(name: string, address: string): boolean {
  const local = fold(address.slice(0, address.indexOf('@'))).replace(/[^a-z0-9]/g, '');
  return fold(name)
    .split(/[^\p{L}\p{N}]+/u)
    .some((word) => word.length >= 2 && local.includes(word));
}

/** Whether an organisation could be the address's domain: a word of it (three letters or more) appears in the domain. */
function orgFitsAddress(org: string, address: string): boolean {
  const domain = fold(address.slice(address.indexOf('@') + 1)).replace(/[^a-z0-9.]/g, '');
  const words = fold(org).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);
  return words.length === 0 || words.some((w) => domain.includes(w)) || domain.includes(words.join(''));
}

/**
 * Markdown emphasis and code marks around words ("**Raj**", "`Timesheets`") are not part of them. Only a pair is taken
 * off, so the underscore that starts `_raj@fabrikam.test` stays: dropping it would name another mailbox.
 */
const EMPHASIS = /(^|[\s([{])([*_`~]{1,3})(?=\S)([^\n]{0,300}?\S)\2(?=$|[\s,.;:!?)\]}])/g;

function unmark(text: string): string {
  return text.replace(EMPHASIS, '$1$3').replace(EMPHASIS, '$1$3');
}

function tidyPhrase(text: string | undefined): string | undefined {
  const phrase = text?.replace(/\s+/g, ' ').replace(/[.,;:!?]+$/, '').trim();
  return phrase && phrase.length > 0 ? phrase : undefined;
}

/** Leading words that join the reason to the request: "…, because she audits", "… as she's on the project". */
const CONNECTOR = /^(?:[\s,.;:!?\-–—]|and\b|because\b(?!\s+of\b)|since\b|as\b|thanks\b|thank\s+you\b|please\b)+/iu;
const LEAD = new RegExp(`^${INTRO}`, 'iu');

/** What the sentence says besides its request: the reason, shown back for confirmation. */
function justificationOf(before: string, after: string, addresses: readonly FoundAddress[]): string | undefined {
  const restore = (text: string): string =>
    text.replace(new RegExp(EMAIL, 'g'), (marker) => addresses[marker.charCodeAt(0) - FIRST_ADDRESS]?.text ?? '').replace(new RegExp(TIME, 'g'), ' ');
  const lead = `${restore(before).trim()} `.replace(LEAD, '').trim();
  const tail = restore(after)
    .replace(/\b(?:thanks|thank\s+you|cheers|please|pls|thx)\b[\s!.]*$/iu, '')
    .trim();
  const parts = [lead.replace(/[\s,;:\-–—]+$/u, ''), tail.replace(CONNECTOR, '')].filter((p) => p.replace(/[\s\p{P}]/gu, '').length > 0);
  const text = parts.join('; ').replace(/\s+/g, ' ').replace(/^[\s,;:]+|[\s,;]+$/g, '').trim();
  if (text.replace(/[^\p{L}\p{N}]/gu, '').length < 2) return undefined;
  return text;
}

/**
 * Reads one message into what it asks for. Pure and bounded: no model, no I/O, nothing leaves the machine. Names and app
 * phrases come back as typed, to be resolved by the same search as `whois` and by appMatch; addresses only when
 * `checkPartnerAddress` accepts them; durations and dates through timeSpan, so "01/02" comes back ambiguous.
 */
export function understand(input: string, context: UnderstandContext): Understanding {
  if (hasLoneSurrogate(input)) return refuse('brokenCharacter', `${BROKEN_CHARACTER.title}. ${BROKEN_CHARACTER.text}`);
  if (input.length > MAX_UNDERSTAND_LENGTH) {
    return refuse('tooLong', `That message is ${input.length} characters long; I read requests of up to ${MAX_UNDERSTAND_LENGTH}. Say what you need in a sentence or two, or use the request or invite command.`);
  }
  if (CONTROL.test(input)) {
    return refuse('controlCharacter', 'Your message contains control or invisible characters, which can hide what a name or address really says. Type it again by hand.');
  }
  const cleaned = unmark(stripMentions(input).replace(PRIVATE_USE, ' ').replace(MARKDOWN_LINK, '$1').replace(/\s*\n+\s*/g, '. ')).trim();
  if (cleaned.length === 0) return refuse('empty', 'Your message was empty. Tell me who needs which app, or whom to invite.');
  if (context.commandWords && !mayUnderstand(input, context.commandWords)) {
    return refuse('commandWord', `"${tokenize(input).word}" is a command; the command reads this message, not me.`);
  }

  const { working: withoutTime, spans } = cutTimeSpans(cleaned, context);
  const { working: withAddresses, found } = findAddresses(withoutTime);
  // Quotes around an app's name ("Timesheets (IWA)") only group words; addresses with quotes were taken out above.
  const working = withAddresses.replace(/["\u201c\u201d\u201e]/g, ' ');
  const understanding: Understanding = { intent: 'unknown', emails: [], refusedAddresses: [], conflicts: [] };

  const seen = new Set<string>();
  for (const address of found) {
    if (address.problem) understanding.refusedAddresses.push({ text: address.text, reason: address.problem });
    else if (address.key && !seen.has(address.key)) {
      seen.add(address.key);
      understanding.emails.push(address.text);
    }
  }

  let match: RegExpExecArray | null = null;
  for (const pattern of PATTERNS) {
    match = pattern.regex.exec(working);
    if (match) {
      understanding.intent = pattern.intent;
      break;
    }
  }

  const distinctSpans = spans.filter((span, i) => spans.findIndex((other) => sameEnd(other, span)) === i);
  if (distinctSpans.length === 1) understanding.end = distinctSpans[0];
  else if (distinctSpans.length > 1) {
    understanding.conflicts.push(`You gave ${distinctSpans.length} different ends: ${distinctSpans.map((s) => `"${s.matched}"`).join(' and ')}. Which one should it be?`);
  }

  if (!match) return understanding;
  const groups = match.groups ?? {};
  const name = tidyPhrase(groups.name);
  const organization = tidyPhrase(groups.org ?? groups.org2);
  let rest = working.slice(match.index + match[0].length);
  let appGroup = groups.app;
  if (understanding.intent === 'invite') {
    const then = THEN_ACCESS.exec(rest);
    if (then) {
      appGroup = then.groups?.app;
      rest = rest.slice(0, then.index) + rest.slice(then.index + then[0].length);
    }
  }
  const app = tidyPhrase(appGroup)?.replace(/\s+(?:app|application)$/i, '');
  if (organization) understanding.organization = organization;
  if (app) understanding.appPhrase = app;

  if (understanding.intent !== 'invite' && understanding.emails.length > 1) {
    const what = understanding.intent === 'lookup' ? 'Whom should I look up?' : 'Who should get the access?';
    understanding.conflicts.push(`You named ${understanding.emails.length} addresses: ${understanding.emails.join(' and ')}. ${what}`);
  }
  if (name) {
    const misfits = understanding.emails.filter((address) => !nameFitsAddress(name, address));
    if (understanding.emails.length === 0) understanding.personName = name;
    else if (misfits.length === understanding.emails.length) {
      understanding.personName = name;
      understanding.conflicts.push(`You named ${name}, but the address ${misfits.join(' and ')} looks like someone else's. Which is the partner?`);
    }
  }
  if (organization) {
    for (const address of understanding.emails) {
      if (!orgFitsAddress(organization, address)) {
        understanding.conflicts.push(`You said "${organization}", but ${address} is at ${address.slice(address.indexOf('@') + 1)}. Which organisation is the partner from?`);
      }
    }
  }
  const justification = justificationOf(working.slice(0, match.index), rest, found);
  if (justification && understanding.intent === 'request') understanding.justification = justification;
  return understanding;
}
