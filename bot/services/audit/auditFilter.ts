import type { UserQuery } from '../../graph/users';
import { parseUserRef, type Parsed } from '../userRef';

/** The filters `audit` takes, as typed: people and apps are resolved against Graph later, by the service. */
export interface TypedAuditFilter {
  partner?: UserQuery;
  actor?: UserQuery;
  /** An app's name or service principal id, matched like `request` matches it. */
  app?: string;
  /** Only rows from the last N days. */
  days?: number;
}

export type ExportFormat = 'csv' | 'jsonl';

export type AuditCommandInput =
  | { kind: 'list'; filter: TypedAuditFilter }
  | { kind: 'export'; format: ExportFormat; filter: TypedAuditFilter }
  | { kind: 'verify' };

const KEYS = ['partner', 'app', 'actor', 'days'] as const;
type Key = (typeof KEYS)[number];

/** Ten years: more than any retention, little enough that the date arithmetic stays exact. */
export const MAX_AUDIT_DAYS = 3650;
/** An app name is at most 256 characters in Entra; anything longer is not one. */
const MAX_APP_TEXT = 256;

export const AUDIT_USAGE = 'audit [partner <email>] [app <name>] [actor <email>] [days <N>] | audit export [csv|json] [filters] | audit verify';

const FORMATS: Record<string, ExportFormat> = { csv: 'csv', json: 'jsonl', jsonl: 'jsonl' };

function shown(text: string): string {
  const chars = Array.from(text);
  return chars.length > 60 ? `${chars.slice(0, 59).join('')}…` : text;
}

/**
 * Strict: every word must be a known filter followed by its value (`partner ana@fabrikam.com` or `partner:ana@fabrikam.com`),
 * each filter at most once, `days` a whole number from 1 to 3650. Anything else is refused with what was wrong, never
 * ignored: an audit answer that silently dropped a filter would show rows the admin did not ask for.
 */
export function parseAuditArgs(tokens: readonly string[]): Parsed<AuditCommandInput> {
  const [first, ...rest] = tokens;
  const lead = first?.toLowerCase();
  if (lead === 'verify') {
    if (rest.length > 0) return { ok: false, problem: '"audit verify" takes nothing after it: it always checks the whole log.' };
    return { ok: true, value: { kind: 'verify' } };
  }
  if (lead === 'export') {
    const format = rest[0] === undefined ? undefined : FORMATS[rest[0].toLowerCase()];
    const filter = parseFilters(format === undefined ? rest : rest.slice(1));
    if (!filter.ok) return filter;
    return { ok: true, value: { kind: 'export', format: format ?? 'csv', filter: filter.value } };
  }
  const filter = parseFilters(tokens);
  if (!filter.ok) return filter;
  return { ok: true, value: { kind: 'list', filter: filter.value } };
}

export function parseFilters(tokens: readonly string[]): Parsed<TypedAuditFilter> {
  const seen = new Map<Key, string>();
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] ?? '';
    const colon = token.indexOf(':');
    const word = (colon > 0 ? token.slice(0, colon) : token).toLowerCase();
    if (!(KEYS as readonly string[]).includes(word)) {
      return { ok: false, problem: `I don't know the filter "${shown(token)}". Filter by partner, app, actor or days, e.g. audit partner ana@fabrikam.com days 30.` };
    }
    const key = word as Key;
    if (seen.has(key)) return { ok: false, problem: `"${key}" is given twice. Give each filter once.` };
    let value: string | undefined;
    if (colon > 0) value = token.slice(colon + 1);
    else {
      value = tokens[i + 1];
      i += 1;
    }
    if (value === undefined || value.trim() === '') return { ok: false, problem: `"${key}" needs a value, e.g. ${example(key)}.` };
    seen.set(key, value.trim());
  }
  const filter: TypedAuditFilter = {};
  for (const [key, value] of seen) {
    switch (key) {
      case 'days': {
        if (!/^\d{1,4}$/.test(value)) return { ok: false, problem: `"days" takes a whole number of days from 1 to ${MAX_AUDIT_DAYS}, not "${shown(value)}".` };
        const days = Number(value);
        if (days < 1 || days > MAX_AUDIT_DAYS) return { ok: false, problem: `"days" takes a whole number of days from 1 to ${MAX_AUDIT_DAYS}, not ${days}.` };
        filter.days = days;
        break;
      }
      case 'app':
        if (Array.from(value).length > MAX_APP_TEXT) return { ok: false, problem: `An app name has at most ${MAX_APP_TEXT} characters.` };
        // eslint-disable-next-line no-control-regex
        if (/[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/.test(value)) return { ok: false, problem: 'The app name contains control or direction characters; type it again.' };
        filter.app = value;
        break;
      case 'partner':
      case 'actor': {
        const ref = parsePersonRef(value, key);
        if (!ref.ok) return ref;
        filter[key] = ref.value;
        break;
      }
    }
  }
  return { ok: true, value: filter };
}

function example(key: Key): string {
  switch (key) {
    case 'partner':
      return 'partner ana@fabrikam.com';
    case 'actor':
      return 'actor adele@contoso.com';
    case 'app':
      return 'app Timesheets (or app "Contoso Timesheets")';
    case 'days':
      return 'days 30';
  }
}

/**
 * A person for `history` and the partner and actor filters: an email address, UPN or object id. Display names are refused
 * here: an audit answer is about one account, and a name picks several as easily as one.
 */
export function parsePersonRef(text: string, what: 'partner' | 'actor' | 'history'): Parsed<UserQuery> {
  const parsed = parseUserRef(text);
  if (!parsed.ok) return parsed;
  if (parsed.value.kind === 'displayName') {
    const subject = what === 'actor' ? 'who acted' : 'the partner';
    return { ok: false, problem: `Name ${subject} by email address, UPN or object id, not "${shown(parsed.value.value)}". whois finds the address from a name.` };
  }
  return parsed;
}
