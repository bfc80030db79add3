import { domainToASCII, domainToUnicode } from 'node:url';

/** A partner's address, checked strictly and normalised, with both forms of its domain so a look-alike is visible. */
export interface PartnerAddress {
  /** As Graph gets it: the local part as typed, the domain in ASCII (punycode) and lower case. */
  address: string;
  local: string;
  /** Lower-case Unicode form, for people. */
  domain: string;
  /** Lower-case ASCII form (`xn--…` for an IDN), for Graph and policy checks. */
  asciiDomain: string;
  /** True when the domain has non-ASCII letters, so cards show both forms. */
  international: boolean;
  /** Unicode form of the whole address, for cards. */
  display: string;
}

export type AddressCheck = { ok: true; value: PartnerAddress } | { ok: false; problem: string };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2069\uFEFF]/;
/** Graph refuses these in invitedUserEmailAddress (invitation resource docs); quotes and comments are refused with them. */
const FORBIDDEN_LOCAL = /[~!#$%^&*()+=[\]{}\\/|;:"<>?,\s]/;
const LOCAL_ALLOWED = /^[A-Za-z0-9_'.-]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Validates one address the way Graph's invitation endpoint will, but earlier and with a reason a person can act on.
 * Quoted local parts, comments and control or invisible characters are refused outright: they are legal in RFC 5322 but
 * are how a hostile list hides a second address or a look-alike.
 */
export function checkPartnerAddress(input: string): AddressCheck {
  const raw = input.trim().replace(/^mailto:/i, '');
  if (raw.length === 0) return { ok: false, problem: 'The address is empty.' };
  if (CONTROL.test(raw)) return { ok: false, problem: 'The address contains control or invisible characters. Type it again by hand.' };
  if (raw.startsWith('"') || raw.includes('"')) return { ok: false, problem: 'Quoted local parts ("…"@domain) are not accepted.' };
  if (raw.length > 254) return { ok: false, problem: 'The address is longer than 254 characters.' };
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at !== raw.indexOf('@')) return { ok: false, problem: 'An address needs exactly one @ with a name before it.' };
  const local = raw.slice(0, at);
  const domainInput = raw.slice(at + 1);
  if (local.length > 64) return { ok: false, problem: 'The part before the @ is longer than 64 characters.' };
  if (FORBIDDEN_LOCAL.test(local) || !LOCAL_ALLOWED.test(local)) {
    return { ok: false, problem: 'The part before the @ may only use letters, digits and . _ \' - (Microsoft Entra refuses other characters).' };
  }
  if (/^[.-]|[.-]$/.test(local) || local.includes('..')) {
    return { ok: false, problem: 'The part before the @ cannot start or end with a dot or hyphen, or contain two dots in a row.' };
  }
  const asciiDomain = domainToASCII(domainInput.toLowerCase().replace(/\.$/, ''));
  if (!asciiDomain) return { ok: false, problem: `"${domainInput}" is not a valid domain name.` };
  const labels = asciiDomain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1] ?? '')) {
    return { ok: false, problem: `"${domainInput}" is not a valid domain name.` };
  }
  const domain = domainToUnicode(asciiDomain).toLowerCase();
  const international = asciiDomain !== domain;
  return {
    ok: true,
    value: { address: `${local}@${asciiDomain}`, local, domain, asciiDomain, international, display: `${local}@${domain}` },
  };
}

/** How a domain reads on a card: `bücher.example (xn--bcher-kva.example)` when the two forms differ. */
export function describeDomain(address: PartnerAddress): string {
  return address.international ? `${address.domain} (${address.asciiDomain})` : address.domain;
}

/**
 * How an address reads in a card's title or sentence: `müller@bücher.example (müller@xn--bcher-kva.example)` when the domain
 * is international, so a look-alike (a Cyrillic о in contoso.com) shows its ASCII form beside the one that fools the eye.
 */
export function describeAddress(address: PartnerAddress): string {
  return address.international ? `${address.display} (${address.address})` : address.display;
}

/** Whether `domain` is `listed` or one of its subdomains. */
export function domainMatches(domain: string, listed: string): boolean {
  const d = domain.toLowerCase();
  const l = listed.toLowerCase();
  return d === l || d.endsWith(`.${l}`);
}

/**
 * Splits what follows `invite` into addresses: newlines, commas, semicolons or spaces separate them. Anything that is not
 * an address (a stray word) comes back as a problem line rather than being silently dropped.
 */
export function splitAddressList(text: string): string[] {
  // A double-quoted run ("a b"@fabrikam.com) stays in one piece, so it is refused as one address with its reason.
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /[\s,;]/.test(ch)) {
      if (current.trim().length > 0) parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim().length > 0) parts.push(current.trim());
  return parts;
}
