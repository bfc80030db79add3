/** An OData string literal: single quotes doubled, then wrapped (`O'Brien` → `'O''Brien'`). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A URL path segment: `#EXT#` UPNs and anything else reserved are percent-encoded. */
export function pathSegment(value: string): string {
  return encodeURIComponent(value);
}

/** A query string for a relative URL (a $batch item): the JS client sends query values as given, so `#`, `+`, `&` are encoded here. */
export function queryString(parts: Record<string, string>): string {
  return Object.entries(parts)
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
}
