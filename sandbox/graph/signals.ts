import { GraphHttpError } from '../http';
import type { GraphContext } from './directory';
import { compileFilter, matches, type EntityFilterSpec, type FilterProperty } from './filter';
import { contextUrl, readPaging, type GraphCall, type GraphResult } from './odata';

/**
 * GET /identity/conditionalAccess/policies (conditionalaccessroot-list-policies, v1.0, Policy.Read.All) and
 * GET /auditLogs/signIns (signin-list, v1.0, AuditLog.Read.All, Entra ID P1/P2): the reads of the access doctor's
 * Conditional Access and recent sign-ins rows. sandbox/README.md cites the pages and says what they leave open.
 */

const POLICY_FIELDS = ['id', 'displayName', 'createdDateTime', 'modifiedDateTime', 'state', 'conditions', 'grantControls', 'sessionControls'];

function methodNotAllowed(): GraphHttpError {
  return new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
}

function segmentNotFound(segment: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
}

function selectOf(call: GraphCall, fields: readonly string[]): string[] | undefined {
  const raw = call.query.get('$select');
  if (raw === null) return undefined;
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const name of names) {
    if (!fields.some((f) => f.toLowerCase() === name.toLowerCase())) {
      throw new GraphHttpError(400, 'BadRequest', `Parsing OData Select and Expand failed: Could not find a property named '${name}' on type 'microsoft.graph.conditionalAccessPolicy'.`);
    }
  }
  return names.map((n) => fields.find((f) => f.toLowerCase() === n.toLowerCase()) ?? n);
}

function project(item: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return item;
  const out: Record<string, unknown> = { id: item.id };
  for (const name of select) out[name] = item[name] ?? null;
  return out;
}

const prop = (name: string, kind: FilterProperty['kind'], support: Omit<FilterProperty, 'name' | 'kind'>): FilterProperty => ({ name, kind, ...support });

/** The signIn properties the doctor filters on; signin-list documents $filter without a per-property table, so eq and ranges. */
const SIGN_IN_FILTER: EntityFilterSpec = {
  resource: 'SignIn',
  odataType: 'microsoft.graph.signIn',
  properties: Object.fromEntries(
    [
      prop('userId', 'string', { eq: 'default', in: 'default' }),
      prop('appId', 'string', { eq: 'default', in: 'default' }),
      prop('userPrincipalName', 'string', { eq: 'default', startsWith: 'default' }),
      prop('appDisplayName', 'string', { eq: 'default', startsWith: 'default' }),
      prop('createdDateTime', 'datetime', { eq: 'default', range: 'default' }),
    ].map((p) => [p.name.toLowerCase(), p]),
  ),
};

export function routeSignals(ctx: GraphContext, call: GraphCall): GraphResult | undefined {
  const [first, second, third, ...rest] = call.segments;
  const a = first?.toLowerCase();
  const b = second?.toLowerCase();
  if (a === 'identity' && b === 'conditionalaccess' && third?.toLowerCase() === 'policies') {
    if (rest.length > 1) throw segmentNotFound(rest[1] ?? '');
    if (call.method !== 'GET') throw methodNotAllowed();
    return conditionalAccessPolicies(ctx, call, rest[0]);
  }
  if (a === 'auditlogs' && b === 'signins') {
    if (third !== undefined) throw segmentNotFound(third);
    if (call.method !== 'GET') throw methodNotAllowed();
    return signIns(ctx, call);
  }
  return undefined;
}

function conditionalAccessPolicies(ctx: GraphContext, call: GraphCall, id: string | undefined): GraphResult {
  const select = selectOf(call, POLICY_FIELDS);
  const policies = ctx.state.conditionalAccessPolicies;
  if (id !== undefined) {
    const policy = policies.find((p) => String(p.id).toLowerCase() === id.toLowerCase());
    if (!policy) throw new GraphHttpError(404, 'ResourceNotFound', `Could not find policy with id '${id}'.`);
    return { status: 200, body: { '@odata.context': contextUrl(ctx.baseUrl, call, 'identity/conditionalAccess/policies/$entity'), ...project(policy, select) } };
  }
  const { top, offset } = readPaging((n) => call.query.get(n));
  const skip = Number(call.query.get('$skip') ?? '0');
  const start = Number.isInteger(skip) && skip > 0 ? skip : offset;
  const page = policies.slice(start, top !== undefined ? start + top : undefined);
  return { status: 200, body: { '@odata.context': contextUrl(ctx.baseUrl, call, 'identity/conditionalAccess/policies'), value: page.map((p) => project(p, select)) } };
}

/** signin-list: the maximum and default page size is 1,000, newest first. */
const SIGN_IN_PAGE_MAX = 1000;

function signIns(ctx: GraphContext, call: GraphCall): GraphResult {
  if (!ctx.state.tenant.hasPremiumLicense) {
    throw new GraphHttpError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license");
  }
  const rawTop = call.query.get('$top');
  const top = rawTop === null ? SIGN_IN_PAGE_MAX : Number(rawTop);
  if (!Number.isInteger(top) || top < 1 || top > SIGN_IN_PAGE_MAX) {
    throw new GraphHttpError(400, 'Request_BadRequest', `Invalid page size specified: '${rawTop ?? ''}'. Must be between 1 and ${SIGN_IN_PAGE_MAX} inclusive.`);
  }
  const filterText = call.query.get('$filter');
  const filter = filterText ? compileFilter(filterText, SIGN_IN_FILTER, false) : undefined;
  const all = ctx.state.signIns
    .filter((s) => !filter || matches(filter, s, SIGN_IN_FILTER))
    .sort((x, y) => String(y.createdDateTime).localeCompare(String(x.createdDateTime)));
  return { status: 200, body: { '@odata.context': contextUrl(ctx.baseUrl, call, 'auditLogs/signIns'), value: all.slice(0, top) } };
}
