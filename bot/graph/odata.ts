/** An OData string literal: single quotes doubled, then wrapped (`O'Brien` → `'O''Brien'`). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A URL path segment: `#EXT#` UPNs and anything else reserved are percent-encoded. */
export function pathSegment(value: string): string {
  return encodeURIComponent(value);
}
