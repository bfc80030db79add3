import type { TimeSpanOptions, TimeSpanResult, UserZone } from '../../bot/services/timeSpan';

/** What a sentence asks for: access to an app, an invitation, or who someone is. */
export type Intent = 'request' | 'invite' | 'lookup';

/** What `understand` needs besides the text: the same clock, zone and limit (ACCESS_MAX_DAYS) the request form uses. */
export interface UnderstandContext extends TimeSpanOptions {
  /** The person's zone and locale, from `userZone(activity)` in bot/services/timeSpan.ts. */
  zone: UserZone;
  /**
   * The command words and aliases of the registry. A text whose first word is one of them is refused (`commandWord`):
   * the command router keeps it. Optional so a caller that already checked with `mayUnderstand` need not pass it again.
   */
  commandWords?: Iterable<string>;
}

/** Why the grammar would not read a text at all (the dialog answers with `message` rather than a question). */
export interface Refusal {
  reason: 'brokenCharacter' | 'controlCharacter' | 'tooLong' | 'commandWord' | 'empty';
  /** A sentence for the person: what was wrong and what to do. */
  message: string;
}

/**
 * Everything a sentence gave, and nothing it did not: the dialog asks only for what is missing, and resolves names
 * (people by the whois search, apps by appMatch) itself. Every field is user text: show it as text, never as markup.
 */
export interface Understanding {
  /** `unknown` when no pattern matched: the dialog asks one question ("request access, invite a partner, or look someone up?"). */
  intent: Intent | 'unknown';
  /**
   * Addresses that `checkPartnerAddress` (bot/services/emailAddress.ts, what `invite` uses) accepts, as typed without a
   * `mailto:` or surrounding punctuation, in order, without duplicates. The service checks them again.
   */
  emails: string[];
  /** Things that looked like an address (had an @) but were refused, with checkPartnerAddress's reason. */
  refusedAddresses: { text: string; reason: string }[];
  /**
   * A person named without an address ("Raj", "wmoran", "Ann O'Neil"): resolved later by the whois search, never here.
   * Absent when the sentence's address already names the same person; kept (with a conflict) when they disagree.
   */
  personName?: string;
  /** The organisation after "from"/"at" ("Woodgrove" in "Raj from Woodgrove"): narrows the person search, never trusted alone. */
  organization?: string;
  /** The app as named ("the expense portal" → "expense portal", leading article dropped): resolved later by appMatch. */
  appPhrase?: string;
  /**
   * The duration or end date the sentence gave; its `kind` says whether it is usable or must be asked again. Absent when
   * none was given, or when two different ones were (then `conflicts` says so).
   */
  end?: TimeSpanResult;
  /** The rest of the sentence, trimmed ("she's on the kickoff project"), to show back for confirmation; never empty. */
  justification?: string;
  /** Contradictions the person must settle, each a sentence for them (two addresses; two durations; a name and an address that disagree). */
  conflicts: string[];
  /** Set when the text was not read at all; `intent` is then `unknown`. */
  refused?: Refusal;
}
