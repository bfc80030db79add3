import { GraphHttpError, type HeaderMap } from '../http';
import type { DirectoryObject } from '../state';
import { DIRECTORY_OBJECT_PROPERTIES, GROUP, USER, extensionAttributesOf, type EntityType } from './entities';
import { compileFilter, matches, type FilterExpr } from './filter';

/** One Graph request as the handlers see it, whether it came over HTTP or inside a $batch. */
export interface GraphCall {
  method: string;
  version: 'v1.0' | 'beta';
  /** Decoded path segments after the version, e.g. ['users', 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com']. */
  segments: string[];
  query: URLSearchParams;
  headers: HeaderMap;
  body: unknown;
}

export interface GraphResult {
  status: number;
  body?: unknown;
  headers?: HeaderMap;
}

export interface ExpandOption {
  navigation: string;
  select?: string[];
}

export interface QueryOptions {
  select?: string[];
  filter?: FilterExpr;
  top?: number;
  offset: number;
  count: boolean;
  orderBy?: { property: string; descending: boolean };
  expand?: ExpandOption;
  search?: Array<{ property: string; term: string }>;
  advanced: boolean;
}

export interface QueryRules {
  entity: EntityType;
  /** A mixed collection of users and groups: $select may name properties of either. */
  mixed?: boolean;
  collection: boolean;
  expandable?: string[];
  defaultPageSize?: number;
}

const KNOWN_OPTIONS = new Set(['$select', '$filter', '$top', '$skiptoken', '$count', '$orderby', '$expand', '$search', '$skip', '$format']);

function selectError(name: string, entity: EntityType): GraphHttpError {
  return new GraphHttpError(
    400,
    'BadRequest',
    `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${entity.odataType.slice(1)}'.`,
  );
}

/** The ConsistencyLevel: eventual header, half of Graph's "advanced query parameters" (the other half is $count=true). */
export function isAdvanced(call: GraphCall): boolean {
  return (call.headers['consistencylevel'] ?? '').toLowerCase() === 'eventual';
}

/** Both advanced query parameters: ConsistencyLevel: eventual and $count=true (GD concepts/aad-advanced-queries). */
export function hasAdvancedQueryParameters(call: GraphCall): boolean {
  let count = false;
  for (const [k, v] of call.query) if (k.toLowerCase() === '$count' && v.toLowerCase() === 'true') count = true;
  return count && isAdvanced(call);
}

/**
 * Graph's refusal of a query that only advanced queries support, sent without the header or without $count=true. The body
 * has the code, and the wording, of the error the advanced-queries page shows for endsWith without them.
 */
export function advancedQueryRequired(what: string): GraphHttpError {
  return new GraphHttpError(
    400,
    'Request_UnsupportedQuery',
    `${what} is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
  );
}

/** `$orderby` by property, from the advanced-queries page's sorting table; a property it does not list cannot be sorted on. */
const ORDER_BY_SUPPORT: Record<string, Record<string, 'default' | 'advanced'>> = {
  user: { displayname: 'default', userprincipalname: 'default', createddatetime: 'advanced', deleteddatetime: 'advanced' },
  group: { displayname: 'default', deleteddatetime: 'advanced' },
};

function canonical(name: string, entity: EntityType, mixed: boolean): string | undefined {
  const key = name.trim().toLowerCase();
  const pool = mixed ? [...USER.properties, ...GROUP.properties] : entity.properties;
  if (mixed && !DIRECTORY_OBJECT_PROPERTIES.has(key)) return undefined;
  return pool.find((p) => p.toLowerCase() === key);
}

export function parseSelect(raw: string, entity: EntityType, mixed = false): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const out: string[] = [];
  for (const name of names) {
    const c = canonical(name, entity, mixed);
    if (!c) throw selectError(name, entity);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/**
 * Graph returns at most this many objects for an expanded relationship of a directory object, and no nextLink for the rest
 * (GD concepts/query-parameters, "expand"; known issues, query parameter limitations).
 */
export const EXPANDED_LIMIT = 20;

/** The expanded relationships whose nested `$select` Graph documents (GD api user-list-sponsors: `$expand=sponsors($select=…)`). */
const NESTED_SELECT_DOCUMENTED = new Set(['sponsors']);

function parseExpand(raw: string, rules: QueryRules): ExpandOption {
  const m = /^\s*([A-Za-z]+)\s*(?:\(\s*\$select\s*=\s*([^)]*)\))?\s*$/.exec(raw);
  const navigation = m?.[1];
  const allowed = rules.expandable?.find((n) => n.toLowerCase() === navigation?.toLowerCase());
  if (!m || !navigation || !allowed) throw selectError(raw.split('(')[0]?.trim() ?? raw, rules.entity);
  if (m[2] === undefined) return { navigation: allowed };
  if (!NESTED_SELECT_DOCUMENTED.has(allowed.toLowerCase())) {
    throw new GraphHttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: $select inside $expand is not supported on the relationship '${allowed}'.`);
  }
  return { navigation: allowed, select: parseSelect(m[2], rules.entity, true) };
}

const SEARCHABLE = new Set(['displayname', 'mail', 'userprincipalname', 'givenname', 'surname', 'mailnickname', 'description', 'jobtitle']);

function parseSearch(raw: string, entity: EntityType): Array<{ property: string; term: string }> {
  const clauses = raw.split(/\s+OR\s+/);
  return clauses.map((clause) => {
    const m = /^"([A-Za-z]+):([^"]*)"$/.exec(clause.trim());
    if (!m || !m[1] || m[2] === undefined) {
      throw new GraphHttpError(400, 'Request_UnsupportedQuery', 'Syntax error: character \'"\' is not valid in $search; use "property:term".');
    }
    const property = entity.properties.find((p) => p.toLowerCase() === m[1]?.toLowerCase());
    if (!property || !SEARCHABLE.has(property.toLowerCase())) {
      throw new GraphHttpError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${m[1]}' of resource '${entity.filter.resource}'.`);
    }
    return { property, term: m[2].toLowerCase() };
  });
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(`sandbox-skip:${offset}`).toString('base64url');
}

function decodeSkipToken(token: string): number {
  const m = /^sandbox-skip:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m?.[1]) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid skip token '${token}'.`);
  return Number(m[1]);
}

/** Reads and validates the OData query options of a request the way Graph would refuse them. */
export function readQuery(call: GraphCall, rules: QueryRules): QueryOptions {
  for (const key of call.query.keys()) {
    if (key.startsWith('$') && !KNOWN_OPTIONS.has(key.toLowerCase())) {
      throw new GraphHttpError(400, 'BadRequest', `The query parameter '${key}' is not supported.`);
    }
  }
  const q = (name: string): string | null => {
    for (const [k, v] of call.query) if (k.toLowerCase() === name) return v;
    return null;
  };
  const advancedHeader = isAdvanced(call);
  const countRaw = q('$count');
  const count = countRaw?.toLowerCase() === 'true';
  if (countRaw !== null && !['true', 'false'].includes(countRaw.toLowerCase())) {
    throw new GraphHttpError(400, 'BadRequest', `Invalid value '${countRaw}' for $count query option found. The $count query option requires a Boolean value.`);
  }
  // Without the header Graph silently ignores ?$count=true (the page's "Error handling" section): no @odata.count.
  const advanced = advancedHeader && count;
  const opts: QueryOptions = { offset: 0, count: advanced, advanced };

  if (q('$skip') !== null) throw new GraphHttpError(400, 'Request_BadRequest', "'$skip' is not supported by the service.");
  const select = q('$select');
  if (select !== null) opts.select = parseSelect(select, rules.entity, rules.mixed ?? false);
  const expand = q('$expand');
  if (expand !== null) {
    // "$expand is not currently supported with advanced queries" (GD concepts/aad-advanced-queries, note under the scenarios).
    if (advanced) throw new GraphHttpError(400, 'Request_UnsupportedQuery', '$expand is not supported with the advanced query parameters (ConsistencyLevel: eventual and $count=true).');
    opts.expand = parseExpand(expand, rules);
  }
  if (!rules.collection) {
    for (const option of ['$filter', '$top', '$orderby', '$search', '$skiptoken']) {
      if (q(option) !== null) {
        throw new GraphHttpError(400, 'Request_BadRequest', `The following query option is not supported on a single entity: ${option}.`);
      }
    }
    return opts;
  }
  const filter = q('$filter');
  if (filter !== null) opts.filter = compileFilter(filter, rules.entity.filter, advanced);
  const paging = readPaging(q);
  if (paging.top !== undefined) opts.top = paging.top;
  opts.offset = paging.offset;
  const orderBy = q('$orderby');
  if (orderBy !== null) {
    const m = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(orderBy);
    const property = m?.[1] ? rules.entity.properties.find((p) => p.toLowerCase() === m[1]?.toLowerCase()) : undefined;
    const support = property ? ORDER_BY_SUPPORT[rules.entity.filter.resource.toLowerCase()]?.[property.toLowerCase()] : undefined;
    if (!m || !property || !support) throw new GraphHttpError(400, 'Request_UnsupportedQuery', `Sorting not supported for '${orderBy}'.`);
    if (support === 'advanced' && !advanced) throw advancedQueryRequired(`Sorting by '${property}'`);
    // "Using $filter and $orderby together is supported only with advanced queries."
    if (filter !== null && !advanced) throw advancedQueryRequired('Sorting a filtered result ($filter with $orderby)');
    opts.orderBy = { property, descending: m[2]?.toLowerCase() === 'desc' };
  }
  const search = q('$search');
  if (search !== null) {
    if (!advancedHeader) {
      throw new GraphHttpError(
        400,
        'Request_UnsupportedQuery',
        "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
      );
    }
    opts.search = parseSearch(search, rules.entity);
  }
  return opts;
}

/** Keeps exactly the selected properties; a known property the object lacks is null (or [] for a collection), as in Graph. */
export function project(obj: object, entity: EntityType, select: string[] | undefined): Record<string, unknown> {
  const source = obj as Record<string, unknown>;
  const keys = select ? select.filter((k) => entity.properties.includes(k)) : entity.defaultSelect;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key === 'onPremisesExtensionAttributes') {
      out[key] = extensionAttributesOf(source[key]);
      continue;
    }
    const value = source[key];
    out[key] = value === undefined ? (entity.collections.has(key) ? [] : null) : structuredClone(value);
  }
  return out;
}

export function projectObject(obj: DirectoryObject, select: string[] | undefined): Record<string, unknown> {
  const entity = obj.kind === 'user' ? USER : GROUP;
  return { '@odata.type': entity.odataType, ...project(obj.value, entity, select) };
}

export function filterAndSort<T extends object>(items: T[], opts: QueryOptions, entity: EntityType): T[] {
  let out = items;
  if (opts.filter) {
    const expr = opts.filter;
    out = out.filter((item) => matches(expr, item as Record<string, unknown>, entity.filter));
  }
  if (opts.search) {
    const clauses = opts.search;
    out = out.filter((item) =>
      clauses.some(({ property, term }) => {
        const value = (item as Record<string, unknown>)[property];
        return typeof value === 'string' && value.toLowerCase().split(/[\s@._-]+/).some((word) => word.startsWith(term));
      }),
    );
  }
  if (opts.orderBy) {
    const { property, descending } = opts.orderBy;
    const key = (item: T): string => String((item as Record<string, unknown>)[property] ?? '');
    out = [...out].sort((a, b) => key(a).localeCompare(key(b)) * (descending ? -1 : 1));
  }
  return out;
}

function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/%24/g, '$').replace(/%2C/gi, ',').replace(/%3D/gi, '=').replace(/%28/g, '(').replace(/%29/g, ')');
}

/** The absolute URL of a collection request at a given offset, keeping every other query option. */
export function nextLink(baseUrl: string, call: GraphCall, offset: number): string {
  const parts: string[] = [];
  for (const [k, v] of call.query) {
    if (k.toLowerCase() === '$skiptoken') continue;
    parts.push(`${k}=${encodeQueryValue(v)}`);
  }
  parts.push(`$skiptoken=${encodeSkipToken(offset)}`);
  const path = call.segments.map((s) => encodeURIComponent(s)).join('/');
  return `${baseUrl}/${call.version}/${path}?${parts.join('&')}`;
}

export function contextUrl(baseUrl: string, call: GraphCall, fragment: string, select?: string[]): string {
  const selected = select ? `(${select.join(',')})` : '';
  const entitySuffix = fragment.endsWith('/$entity') ? '/$entity' : '';
  const base = entitySuffix ? fragment.slice(0, -'/$entity'.length) : fragment;
  return `${baseUrl}/${call.version}/$metadata#${base}${selected}${entitySuffix}`;
}

/** $top (1 to 999) and where $skiptoken says the page starts. */
export function readPaging(q: (name: string) => string | null): { top?: number; offset: number } {
  const top = q('$top');
  let n: number | undefined;
  if (top !== null) {
    n = Number(top);
    if (!/^\d+$/.test(top) || n < 1 || n > 999) {
      throw new GraphHttpError(400, 'Request_BadRequest', `Invalid page size specified: '${top}'. Must be between 1 and 999 inclusive.`);
    }
  }
  const skipToken = q('$skiptoken');
  return { ...(n !== undefined ? { top: n } : {}), offset: skipToken !== null ? decodeSkipToken(skipToken) : 0 };
}

/** Pages a result set: the page size is $top (or the default), and `@odata.nextLink` carries the next offset. */
export function pageOf<T>(
  baseUrl: string,
  call: GraphCall,
  opts: QueryOptions,
  items: T[],
  context: string,
  render: (item: T) => Record<string, unknown>,
  defaultPageSize = 100,
): GraphResult {
  const size = opts.top ?? defaultPageSize;
  const page = items.slice(opts.offset, opts.offset + size);
  const body: Record<string, unknown> = { '@odata.context': context };
  if (opts.count) body['@odata.count'] = items.length;
  if (opts.offset + size < items.length) body['@odata.nextLink'] = nextLink(baseUrl, call, opts.offset + size);
  body.value = page.map(render);
  return { status: 200, body };
}
