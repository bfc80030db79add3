/**
 * An Entra object id is a GUID. Graph writes it in lowercase, Teams in lowercase, an operator may paste it in uppercase or in
 * the registry's braces; all of these are one id. Anything else (a UPN, a mail address, a Teams MRI) is not an object id, and
 * must never be taken for one: Graph resolves `/users/{upn}` as readily as `/users/{id}`, so a caller named by UPN gets the
 * same roles, and a string comparison against a stored GUID would let them act as somebody else, or approve themselves.
 */
const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** The canonical form of an object id (lowercase, no braces), or undefined when the value is not a GUID. */
export function canonicalObjectId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = GUID.exec(value);
  if (!match?.[1] || value.startsWith('{') !== value.endsWith('}')) return undefined;
  return match[1].toLowerCase();
}

/** True only when both are object ids and the same one. A value that is not a GUID matches nothing, not even itself. */
export function sameObjectId(a: string | undefined, b: string | undefined): boolean {
  const left = canonicalObjectId(a);
  return left !== undefined && left === canonicalObjectId(b);
}
