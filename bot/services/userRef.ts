import { domainToASCII, domainToUnicode } from 'node:url';
import type { UserQuery } from '../graph/users';

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/;
/** RFC 5321 limits: 64 for the local part, 254 for the whole address. Entra UPNs are at most 113 characters. */
const MAX_ADDRESS = 254;
const MAX_NAME = 256;

/**
 * Teams turns an address typed in chat into a link: `<a href="mailto:x">x</a>`, and sometimes Markdown `[x](mailto:x)`.
 * What the person typed is the link text.
 */
export function unwrapTeamsLinks(text: string): string {
  return text
    .replace(/<a\s[^>]*>([\s\S]*?)<\/a>/gi, '$1')
    .replace(/\[([^\]]*)\]\(mailto:[^)]*\)/gi, '$1')
    .replace(/&amp;/g, '&')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .trim();
}

export interface DomainName {
  /** Lower-case, in Unicode: what people read. */
  unicode: string;
  /** Punycode, what DNS and Entra use. */
  ascii: string;
}

/** A DNS name in either form; undefined when it is not one (node:url applies the IDNA rules a resolver would). */
export function domainName(input: string): DomainName | undefined {
  const trimmed = input.trim().replace(/\.$/, '').toLowerCase();
  if (trimmed === '' || trimmed.length > 253) return undefined;
  const ascii = domainToASCII(trimmed);
  if (ascii === '' || !ascii.includes('.')) return undefined;
  if (!/^[a-z0-9.-]+$/.test(ascii)) return undefined;
  if (ascii.split('.').some((label) => label === '' || label.length > 63 || label.startsWith('-') || label.endsWith('-'))) return undefined;
  return { ascii, unicode: domainToUnicode(ascii) || trimmed };
}

export interface EmailAddress {
  local: string;
  domain: DomainName;
  /** local@ascii-domain, which Graph and the login endpoints understand. */
  address: string;
}

export function emailAddress(input: string): EmailAddress | undefined {
  const at = input.lastIndexOf('@');
  if (at <= 0 || at === input.length - 1) return undefined;
  const local = input.slice(0, at);
  if (local.length > 64 || /[\s<>()[\]\\,;:"@]/.test(local) || local.startsWith('.') || local.endsWith('.')) return undefined;
  const domain = domainName(input.slice(at + 1));
  if (!domain) return undefined;
  return { local, domain, address: `${local}@${domain.ascii}` };
}

/**
 * What `whois` accepts: an object id, a UPN or email, or (anything else) the start of a display name, given name or surname.
 * A guest's #EXT# UPN is looked up by path, percent-encoded; other addresses by any address the user is known by.
 */
export function parseUserRef(input: string): Parsed<UserQuery> {
  const text = unwrapTeamsLinks(input).replace(/\s+/g, ' ').trim();
  if (text === '') return { ok: false, problem: 'Tell me whose account to look up: an email address, UPN, object id or display name.' };
  if (CONTROL.test(text)) return { ok: false, problem: 'That contains control or direction characters; type the name or address again.' };
  if (GUID.test(text)) return { ok: true, value: { kind: 'objectId', value: text.toLowerCase() } };
  if (text.includes('@')) {
    if (text.length > MAX_ADDRESS || text.includes(' ')) return { ok: false, problem: `"${text.slice(0, 80)}" is not an email address or UPN I can look up.` };
    if (/#EXT#@/i.test(text)) {
      const upnDomain = domainName(text.slice(text.lastIndexOf('@') + 1));
      if (!upnDomain) return { ok: false, problem: `"${text.slice(0, 80)}" is not a valid guest UPN.` };
      return { ok: true, value: { kind: 'upn', value: text } };
    }
    const email = emailAddress(text);
    if (!email) return { ok: false, problem: `"${text.slice(0, 80)}" is not a valid email address or UPN.` };
    return { ok: true, value: { kind: 'email', value: email.address } };
  }
  if (Array.from(text).length < 2) return { ok: false, problem: 'Type at least two letters of the name, or an email address, UPN or object id.' };
  if (text.length > MAX_NAME) return { ok: false, problem: `A display name has at most ${MAX_NAME} characters.` };
  return { ok: true, value: { kind: 'displayName', value: text } };
}

export interface RealmInput {
  domain: DomainName;
  /** Set when an address was given: the Microsoft-account check and the home-realm problem are per address. */
  email?: EmailAddress;
}

/** What `realm` and the realm service accept: an email address or a bare domain, in Unicode or punycode. */
export function parseRealmInput(input: string): Parsed<RealmInput> {
  const text = unwrapTeamsLinks(input).trim().replace(/^mailto:/i, '');
  if (text === '') return { ok: false, problem: 'Tell me which email address or domain to check, e.g. realm alice@fabrikam.com.' };
  if (CONTROL.test(text) || /\s/.test(text)) return { ok: false, problem: `"${text.slice(0, 80)}" is not an email address or domain.` };
  if (text.includes('@')) {
    const email = emailAddress(text);
    return email ? { ok: true, value: { domain: email.domain, email } } : { ok: false, problem: `"${text.slice(0, 80)}" is not a valid email address.` };
  }
  const domain = domainName(text);
  return domain ? { ok: true, value: { domain } } : { ok: false, problem: `"${text.slice(0, 80)}" is not a domain name such as fabrikam.com.` };
}
