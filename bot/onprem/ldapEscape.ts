/**
 * The ONE place LDAP text is escaped. Every value from Graph or chat that ends up in a filter or a DN goes through here.
 *
 * - Filters, RFC 4515 §3: NUL, `*`, `(`, `)` and `\` become `\XX`. Other characters stay as UTF-8: ldapts re-encodes `\XX`
 *   escapes of bytes ≥ 0x80 as UTF-8 (`\90` is sent as `c2 90`), so escaping non-ASCII bytes would corrupt the filter.
 * - DN attribute values, RFC 4514 §2.4 plus Active Directory's list: `, + " \ < > ; =` get a backslash, as do a leading `#`
 *   or space and a trailing space; control characters become `\XX`.
 */

const FILTER_SPECIALS: Record<string, string> = { '\0': '\\00', '*': '\\2a', '(': '\\28', ')': '\\29', '\\': '\\5c' };

/** An assertion value for a string filter such as `(userPrincipalName=${escapeFilterValue(upn)})`. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\0*()\\]/g, (c) => FILTER_SPECIALS[c] ?? c);
}

function hex(c: string): string {
  return `\\${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`;
}

/** One RDN attribute value, e.g. the `…` of `CN=…,OU=B2BGuests,DC=corp,DC=contoso,DC=test`. */
export function escapeDnValue(value: string): string {
  if (value.length === 0) throw new Error('An RDN value cannot be empty.');
  let out = '';
  const chars = Array.from(value);
  chars.forEach((c, i) => {
    const code = c.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) out += hex(c);
    else if (',+"\\<>;='.includes(c)) out += `\\${c}`;
    else if ((i === 0 && (c === '#' || c === ' ')) || (i === chars.length - 1 && c === ' ')) out += `\\${c}`;
    else out += c;
  });
  return out;
}

/** The DC= components of a DN, i.e. the domain naming context a DN lives in; undefined when it has none. */
export function domainRootOf(dn: string): string | undefined {
  const parts = splitDn(dn).filter((rdn) => /^dc=/i.test(rdn));
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** Splits a DN into its RDNs at unescaped commas. */
export function splitDn(dn: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i] ?? '';
    if (c === '\\' && i + 1 < dn.length) {
      current += c + (dn[i + 1] ?? '');
      i++;
    } else if (c === ',') {
      out.push(current.trim());
      current = '';
    } else current += c;
  }
  if (current.trim().length > 0) out.push(current.trim());
  return out;
}

/**
 * Checks that a DN is well formed before it reaches the directory: every RDN is `type=value`, the value's backslashes escape
 * something (RFC 4514 §2.4), and there is at least one DC= component. Configuration is typed by a person, so this is where a
 * comma that should have been `\,` is caught with a message instead of an LDAP error.
 */
export function dnProblem(dn: string): string | undefined {
  const rdns = splitDn(dn);
  if (rdns.length === 0) return 'it is empty';
  for (const rdn of rdns) {
    const eq = rdn.search(/(?<!\\)=/);
    if (eq <= 0) return `"${rdn}" is not type=value (a comma inside a name is written \\,)`;
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(rdn.slice(0, eq).trim())) return `"${rdn.slice(0, eq)}" is not an attribute type`;
    const value = rdn.slice(eq + 1);
    if (value.length === 0) return `"${rdn}" has an empty value`;
  }
  // Checked on the whole DN: splitDn trims each RDN, which would make an escaped trailing space look like a lone backslash.
  if (/(^|[^\\])(\\\\)*\\$/.test(dn)) return 'it ends with a lone backslash';
  if (!rdns.some((r) => /^dc=/i.test(r))) return 'it has no DC= components';
  return undefined;
}
