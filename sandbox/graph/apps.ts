import { randomBytes } from 'node:crypto';
import { GUID_PATTERN } from '../fixture';
import type { FixtureApplication, FixtureAppRoleAssignment, FixtureServicePrincipal } from '../fixture';
import { GraphHttpError, isRecord } from '../http';
import type { GraphContext } from './directory';
import { notFound } from './directory';
import { ASSIGNMENT_PROPERTIES } from './entities';
import { pageOf, readPaging, type GraphCall, type GraphResult } from './odata';

/**
 * Applications, service principals and app role assignments, as Graph documents them:
 * - GET /applications?$filter=appId eq '…', /applications/{id} and /applications(appId='…') (GD api application-get);
 *   `onPremisesPublishing` only on beta and only via $select (v1.0 answers the "Could not find a property" 400 that real
 *   Graph gives), and only on a read of one application: a list answers it as null (see sandbox/README.md);
 * - GET /servicePrincipals[?$filter=tags/any(t:t eq '…') | appId eq '…'], /servicePrincipals/{id}, …/{id}/owners;
 * - GET / POST …/servicePrincipals/{id}/appRoleAssignedTo and DELETE …/appRoleAssignedTo/{assignmentId};
 * - GET /users/{id}/appRoleAssignments: the user's own and those of the groups they are a direct member of;
 * - GET /users/{id}/ownedObjects[/microsoft.graph.servicePrincipal]: the service principals the user owns (the fixture
 *   records owners on service principals only, so that is all a user can own here).
 * A duplicate assignment answers Graph's 400 "Permission being assigned already exists on the object".
 */

const DEFAULT_ACCESS_ROLE = '00000000-0000-0000-0000-000000000000';

const APP_PROPERTIES = ['id', 'appId', 'displayName', 'signInAudience'];
const SP_PROPERTIES = [
  'id', 'appId', 'displayName', 'servicePrincipalType', 'accountEnabled', 'appRoleAssignmentRequired', 'tags', 'appRoles',
  'preferredSingleSignOnMode',
];

function methodNotAllowed(): GraphHttpError {
  return new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
}

function segmentNotFound(segment: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
}

function selectOf(call: GraphCall, allowed: string[], typeName: string): string[] | undefined {
  for (const key of call.query.keys()) {
    if (key.startsWith('$') && !['$select', '$filter', '$top', '$skiptoken', '$count'].includes(key.toLowerCase())) {
      throw new GraphHttpError(400, 'BadRequest', `The query parameter '${key}' is not supported.`);
    }
  }
  const raw = call.query.get('$select');
  if (raw === null) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((name) => {
      const hit = allowed.find((p) => p.toLowerCase() === name.toLowerCase());
      if (!hit) throw new GraphHttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type '${typeName}'.`);
      return hit;
    });
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = source[key] === undefined ? null : structuredClone(source[key]);
  return out;
}

/** A collection answer, paged as Graph pages directory objects: 100 by default, $top up to 999, then `@odata.nextLink`. */
function collection(ctx: GraphContext, call: GraphCall, fragment: string, value: Array<Record<string, unknown>>): GraphResult {
  const paging = readPaging((name) => {
    for (const [k, v] of call.query) if (k.toLowerCase() === name) return v;
    return null;
  });
  const opts = { ...paging, count: false, advanced: false };
  return pageOf(ctx.baseUrl, call, opts, value, `${ctx.baseUrl}/${call.version}/$metadata#${fragment}`, (item) => item);
}

function requireGuid(id: string): void {
  if (!GUID_PATTERN.test(id)) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
}

function appProperties(call: GraphCall): string[] {
  return call.version === 'beta' ? [...APP_PROPERTIES, 'onPremisesPublishing'] : APP_PROPERTIES;
}

function renderApp(app: FixtureApplication, select: string[] | undefined, one: boolean): Record<string, unknown> {
  const out = pick(app as unknown as Record<string, unknown>, select ?? APP_PROPERTIES);
  if (!one && 'onPremisesPublishing' in out) out.onPremisesPublishing = null;
  return out;
}

/** `applications(appId='…')`, the alternate key application-get documents; undefined for any other segment. */
function appIdKey(segment: string): string | undefined {
  const m = /^applications\(\s*appId\s*=\s*'((?:[^']|'')*)'\s*\)$/i.exec(segment);
  return m?.[1]?.replace(/''/g, "'");
}

function renderSp(sp: FixtureServicePrincipal, select: string[] | undefined): Record<string, unknown> {
  return pick(sp as unknown as Record<string, unknown>, select ?? SP_PROPERTIES);
}

function unsupportedFilter(): GraphHttpError {
  return new GraphHttpError(400, 'Request_UnsupportedQuery', 'Unsupported or invalid query filter clause specified.');
}

function parseFilter(call: GraphCall): { kind: 'tag' | 'appId'; value: string } | undefined {
  const raw = call.query.get('$filter');
  if (raw === null) return undefined;
  const tag = /^\s*tags\/any\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$/i.exec(raw);
  if (tag && tag[1] === tag[2] && tag[3] !== undefined) return { kind: 'tag', value: tag[3].replace(/''/g, "'") };
  const appId = /^\s*appId\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(raw);
  if (appId?.[1] !== undefined) return { kind: 'appId', value: appId[1].replace(/''/g, "'") };
  throw unsupportedFilter();
}

function findSp(ctx: GraphContext, id: string): FixtureServicePrincipal {
  requireGuid(id);
  const sp = ctx.state.servicePrincipals.get(id.toLowerCase());
  if (!sp) throw notFound(id);
  return sp;
}

export function renderAssignment(ctx: GraphContext, a: FixtureAppRoleAssignment): Record<string, unknown> {
  const sp = ctx.state.servicePrincipals.get(a.resourceId.toLowerCase());
  const user = ctx.state.findUser(a.principalId);
  const group = user ? undefined : ctx.state.findGroup(a.principalId);
  return {
    id: a.id ?? null,
    appRoleId: a.appRoleId,
    createdDateTime: a.createdDateTime ?? null,
    principalDisplayName: user?.displayName ?? group?.displayName ?? null,
    principalId: a.principalId,
    principalType: user ? 'User' : group ? 'Group' : 'ServicePrincipal',
    resourceDisplayName: sp?.displayName ?? null,
    resourceId: a.resourceId,
  };
}

function assignmentId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

function createAssignment(ctx: GraphContext, call: GraphCall, sp: FixtureServicePrincipal): GraphResult {
  const body = call.body;
  if (!isRecord(body)) throw new GraphHttpError(400, 'Request_BadRequest', 'The request body is missing or not JSON.');
  const { principalId, resourceId, appRoleId } = body;
  for (const [name, value] of [['principalId', principalId], ['resourceId', resourceId], ['appRoleId', appRoleId]] as const) {
    if (typeof value !== 'string' || !GUID_PATTERN.test(value)) {
      throw new GraphHttpError(400, 'Request_BadRequest', `Invalid value specified for property '${name}' of resource 'AppRoleAssignment'.`);
    }
  }
  const p = principalId as string;
  const r = resourceId as string;
  const role = appRoleId as string;
  if (r.toLowerCase() !== sp.id.toLowerCase()) {
    throw new GraphHttpError(400, 'Request_BadRequest', 'The resourceId in the request body does not match the service principal in the URL.');
  }
  if (!ctx.state.findUser(p) && !ctx.state.findGroup(p)) throw notFound(p);
  const declared = sp.appRoles.some((x) => x.id.toLowerCase() === role.toLowerCase() && x.isEnabled);
  if (!declared && !(role === DEFAULT_ACCESS_ROLE && sp.appRoles.length === 0)) {
    throw new GraphHttpError(400, 'Request_BadRequest', `Permission being assigned was not found on application '${sp.appId}'.`);
  }
  const dup = ctx.state.appRoleAssignments.find(
    (a) => a.principalId.toLowerCase() === p.toLowerCase() && a.resourceId.toLowerCase() === r.toLowerCase() && a.appRoleId.toLowerCase() === role.toLowerCase(),
  );
  if (dup) throw new GraphHttpError(400, 'Request_BadRequest', 'Permission being assigned already exists on the object');
  const created: FixtureAppRoleAssignment = { id: assignmentId(), principalId: p, resourceId: sp.id, appRoleId: role, createdDateTime: new Date().toISOString() };
  ctx.state.appRoleAssignments.push(created);
  return {
    status: 201,
    body: { '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#servicePrincipals('${sp.id}')/appRoleAssignedTo/$entity`, ...renderAssignment(ctx, created) },
  };
}

function deleteAssignment(ctx: GraphContext, sp: FixtureServicePrincipal, id: string): GraphResult {
  const index = ctx.state.appRoleAssignments.findIndex((a) => a.id === id && a.resourceId.toLowerCase() === sp.id.toLowerCase());
  if (index < 0) throw notFound(id);
  ctx.state.appRoleAssignments.splice(index, 1);
  return { status: 204 };
}

function routeServicePrincipals(ctx: GraphContext, call: GraphCall, id: string | undefined, nav: string | undefined, extra: string | undefined): GraphResult {
  if (id === undefined) {
    if (call.method !== 'GET') throw methodNotAllowed();
    const select = selectOf(call, SP_PROPERTIES, 'microsoft.graph.servicePrincipal');
    const filter = parseFilter(call);
    const all = [...ctx.state.servicePrincipals.values()].filter((sp) => {
      if (!filter) return true;
      if (filter.kind === 'appId') return sp.appId.toLowerCase() === filter.value.toLowerCase();
      return sp.tags.includes(filter.value);
    });
    return collection(ctx, call, 'servicePrincipals', all.map((sp) => renderSp(sp, select)));
  }
  const sp = findSp(ctx, id);
  if (nav === undefined) {
    if (call.method !== 'GET') throw methodNotAllowed();
    return { status: 200, body: { '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#servicePrincipals/$entity`, ...renderSp(sp, selectOf(call, SP_PROPERTIES, 'microsoft.graph.servicePrincipal')) } };
  }
  const n = nav.toLowerCase();
  if (n === 'owners') {
    if (extra !== undefined) throw segmentNotFound(extra);
    if (call.method !== 'GET') throw methodNotAllowed();
    const select = selectOf(call, ['id', 'displayName', 'userPrincipalName', 'mail', 'userType'], 'microsoft.graph.directoryObject');
    const owners = sp.owners.flatMap((o) => {
      const user = ctx.state.findUser(o);
      if (!user) return [];
      return [{ '@odata.type': '#microsoft.graph.user', ...pick(user as unknown as Record<string, unknown>, select ?? ['id', 'displayName', 'userPrincipalName', 'mail']) }];
    });
    return collection(ctx, call, 'directoryObjects', owners);
  }
  if (n === 'approleassignedto') {
    if (extra !== undefined) {
      if (call.method !== 'DELETE') throw methodNotAllowed();
      return deleteAssignment(ctx, sp, extra);
    }
    if (call.method === 'POST') return createAssignment(ctx, call, sp);
    if (call.method !== 'GET') throw methodNotAllowed();
    const select = selectOf(call, ASSIGNMENT_PROPERTIES, 'microsoft.graph.appRoleAssignment');
    const list = ctx.state.appRoleAssignments.filter((a) => a.resourceId.toLowerCase() === sp.id.toLowerCase());
    return collection(ctx, call, `servicePrincipals('${sp.id}')/appRoleAssignedTo`, list.map((a) => pick(renderAssignment(ctx, a), select ?? ASSIGNMENT_PROPERTIES)));
  }
  throw segmentNotFound(nav);
}

function routeApplications(ctx: GraphContext, call: GraphCall, id: string | undefined, nav: string | undefined, byAppId?: string): GraphResult {
  if (call.method !== 'GET') throw methodNotAllowed();
  if (nav !== undefined) throw segmentNotFound(nav);
  const select = selectOf(call, appProperties(call), 'microsoft.graph.application');
  if (byAppId !== undefined) {
    if (id !== undefined) throw segmentNotFound(id);
    requireGuid(byAppId);
    const app = [...ctx.state.applications.values()].find((a) => a.appId.toLowerCase() === byAppId.toLowerCase());
    if (!app) throw notFound(byAppId);
    return { status: 200, body: { '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#applications/$entity`, ...renderApp(app, select, true) } };
  }
  if (id === undefined) {
    const filter = parseFilter(call);
    if (filter && filter.kind !== 'appId') throw unsupportedFilter();
    const list = [...ctx.state.applications.values()].filter((a) => !filter || a.appId.toLowerCase() === filter.value.toLowerCase());
    return collection(ctx, call, 'applications', list.map((a) => renderApp(a, select, false)));
  }
  requireGuid(id);
  const app = ctx.state.applications.get(id.toLowerCase());
  if (!app) throw notFound(id);
  return { status: 200, body: { '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#applications/$entity`, ...renderApp(app, select, true) } };
}

/** Handles the application-related routes; undefined lets the main router try the rest. */
export function routeApps(ctx: GraphContext, call: GraphCall): GraphResult | undefined {
  const [resource, id, nav, extra, ...rest] = call.segments;
  const r = resource?.toLowerCase();
  if (r === 'serviceprincipals') {
    if (rest.length > 0) throw segmentNotFound(rest[0] ?? '');
    return routeServicePrincipals(ctx, call, id, nav, extra);
  }
  if (r === 'applications') {
    if (extra !== undefined) throw segmentNotFound(extra);
    return routeApplications(ctx, call, id, nav);
  }
  const byAppId = resource !== undefined ? appIdKey(resource) : undefined;
  if (byAppId !== undefined) {
    if (nav !== undefined || extra !== undefined) throw segmentNotFound(nav ?? extra ?? '');
    return routeApplications(ctx, call, id, undefined, byAppId);
  }
  if (r === 'users' && id !== undefined && nav?.toLowerCase() === 'ownedobjects') {
    if (rest.length > 0) throw segmentNotFound(rest[0] ?? '');
    if (extra !== undefined && extra.toLowerCase() !== 'microsoft.graph.serviceprincipal') throw segmentNotFound(extra);
    if (call.method !== 'GET') throw methodNotAllowed();
    const user = ctx.state.findUser(id);
    if (!user) throw notFound(id);
    const select = selectOf(call, SP_PROPERTIES, 'microsoft.graph.servicePrincipal');
    const owned = [...ctx.state.servicePrincipals.values()].filter((sp) => sp.owners.some((o) => o.toLowerCase() === user.id.toLowerCase()));
    const fragment = extra === undefined ? 'directoryObjects' : 'servicePrincipals';
    return collection(ctx, call, fragment, owned.map((sp) => ({ '@odata.type': '#microsoft.graph.servicePrincipal', ...renderSp(sp, select) })));
  }
  if (r === 'users' && id !== undefined && nav?.toLowerCase() === 'approleassignments' && extra === undefined) {
    if (call.method !== 'GET') throw methodNotAllowed();
    const user = ctx.state.findUser(id);
    if (!user) throw notFound(id);
    const select = selectOf(call, ASSIGNMENT_PROPERTIES, 'microsoft.graph.appRoleAssignment');
    const list = ctx.state.appRoleAssignmentsOf(user.id);
    return collection(ctx, call, `users('${user.id}')/appRoleAssignments`, list.map((a) => pick(renderAssignment(ctx, a), select ?? ASSIGNMENT_PROPERTIES)));
  }
  return undefined;
}
