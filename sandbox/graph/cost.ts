import type { GraphCall } from './odata';
import { READ_ACTIONS } from './router';

export interface RequestCost {
  /** Resource units charged to the app+tenant bucket. */
  ru: number;
  /** Write requests charged to the write bucket. */
  writes: number;
}

function hasOption(call: GraphCall, name: string): boolean {
  for (const key of call.query.keys()) if (key.toLowerCase() === name) return true;
  return false;
}

function option(call: GraphCall, name: string): string | undefined {
  for (const [k, v] of call.query) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * The base costs of Graph's "Identity and access service limits" table (GD concepts/throttling-limits,
 * https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits), one row per listed path.
 * `{id}` matches any one segment. A path the table does not list costs 1. The table's `me/…` rows apply equally to
 * `users/{id | userPrincipalName}/…` (its own note), and the app-only bot can only use that form, so both are listed.
 */
const BASE_COSTS: ReadonlyArray<{ method: 'GET' | 'POST'; path: string; ru: number }> = [
  { method: 'GET', path: 'applications', ru: 2 },
  { method: 'GET', path: 'applications/{id}/extensionProperties', ru: 2 },
  { method: 'GET', path: 'contracts', ru: 3 },
  { method: 'POST', path: 'directoryObjects/getByIds', ru: 5 },
  { method: 'GET', path: 'domains/{id}/domainNameReferences', ru: 4 },
  { method: 'POST', path: 'getObjectsById', ru: 5 },
  { method: 'GET', path: 'groups/{id}/members', ru: 3 },
  { method: 'GET', path: 'groups/{id}/transitiveMembers', ru: 5 },
  { method: 'POST', path: 'isMemberOf', ru: 4 },
  ...(['me', 'users/{id}'] as const).flatMap((self) => [
    { method: 'POST' as const, path: `${self}/checkMemberGroups`, ru: 4 },
    { method: 'POST' as const, path: `${self}/checkMemberObjects`, ru: 4 },
    { method: 'POST' as const, path: `${self}/getMemberGroups`, ru: 2 },
    { method: 'POST' as const, path: `${self}/getMemberObjects`, ru: 2 },
    { method: 'GET' as const, path: `${self}/licenseDetails`, ru: 2 },
    { method: 'GET' as const, path: `${self}/memberOf`, ru: 2 },
    { method: 'GET' as const, path: `${self}/ownedObjects`, ru: 2 },
    { method: 'GET' as const, path: `${self}/transitiveMemberOf`, ru: 2 },
  ]),
  { method: 'GET', path: 'oauth2PermissionGrants', ru: 2 },
  { method: 'GET', path: 'oauth2PermissionGrants/{id}', ru: 2 },
  { method: 'GET', path: 'servicePrincipals/{id}/appRoleAssignments', ru: 2 },
  { method: 'GET', path: 'subscribedSkus', ru: 3 },
  { method: 'GET', path: 'users', ru: 2 },
];

/** The `microsoft.graph.user` cast after a navigation is the same request path for the table (a cast narrows, not moves). */
function tablePath(segments: string[]): string[] {
  const last = segments.at(-1);
  return last !== undefined && /^microsoft\.graph\./i.test(last) ? segments.slice(0, -1) : segments;
}

function matchesRow(rowPath: string, segments: string[]): boolean {
  const row = rowPath.split('/');
  if (row.length !== segments.length) return false;
  return row.every((part, i) => part === '{id}' || part.toLowerCase() === segments[i]?.toLowerCase());
}

/** The row's base cost, or 1 for a path the table does not list. */
export function baseCost(method: string, segments: string[]): number {
  const path = tablePath(segments);
  const listed = BASE_COSTS.find((row) => row.method === method && matchesRow(row.path, path));
  return listed?.ru ?? 1;
}

/**
 * The identity-and-access cost of a request, by the published table: the base cost of its path (above); a write costs 1
 * write besides; $select takes 1 off, $expand adds 1, $top under 20 takes 1 off; never below 1. $select on getByIds and
 * getObjectsById costs 2 (the page's note). Read-only POST actions such as checkMemberGroups are not writes.
 */
export function costOf(call: GraphCall): RequestCost {
  const action = call.method === 'POST' ? call.segments.at(-1)?.toLowerCase() : undefined;
  const readAction = action !== undefined && (READ_ACTIONS.has(action) || action === 'getobjectsbyid' || action === 'ismemberof');
  const isWrite = !readAction && ['POST', 'PATCH', 'PUT', 'DELETE'].includes(call.method);
  let ru = baseCost(call.method, call.segments);
  if (!isWrite) {
    const byIds = call.method === 'POST' && (action === 'getbyids' || action === 'getobjectsbyid');
    if (byIds && hasOption(call, '$select')) return { ru: 2, writes: 0 };
    if (hasOption(call, '$select')) ru -= 1;
    if (hasOption(call, '$expand')) ru += 1;
    const top = Number(option(call, '$top'));
    if (Number.isFinite(top) && option(call, '$top') !== undefined && top < 20) ru -= 1;
  }
  return { ru: Math.max(1, ru), writes: isWrite ? 1 : 0 };
}
