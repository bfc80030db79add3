import { GUID_PATTERN } from '../fixture';
import { GraphHttpError, isRecord } from '../http';
import type { DirectoryObject, SandboxDomain, SandboxGroup, SandboxState, SandboxUser } from '../state';
import { renderAssignment } from './apps';
import { ASSIGNMENT_PROPERTIES, DOMAIN, GROUP, USER } from './entities';
import { compileFilter, matches, type FilterExpr } from './filter';
import { EXPANDED_LIMIT, advancedQueryRequired, contextUrl, filterAndSort, hasAdvancedQueryParameters, pageOf, project, projectObject, readQuery, type GraphCall, type GraphResult, type QueryOptions } from './odata';

export interface GraphContext {
  state: SandboxState;
  baseUrl: string;
}

export function notFound(id: string): GraphHttpError {
  return new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function requireObjectKey(id: string, allowUpn: boolean): void {
  if (GUID_PATTERN.test(id)) return;
  if (allowUpn && id.includes('@')) return;
  throw new GraphHttpError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
}

function lookupUser(ctx: GraphContext, id: string): SandboxUser {
  requireObjectKey(id, true);
  const user = ctx.state.findUser(id);
  if (!user) throw notFound(id);
  return user;
}

/**
 * PATCH /users/{id} (user-update), for the one property the bot writes: accountEnabled. 204 No Content as the page says.
 * A user synced from on-prem AD is mastered there: the directory refuses the write with 400 and its message for
 * on-premises mastered objects (not quoted on the page, which only says such properties are read-only for synced users).
 * Any other property is refused with 400, so nothing comes to rely on writes the sandbox does not model.
 */
export function patchUser(ctx: GraphContext, call: GraphCall, id: string): GraphResult {
  const user = lookupUser(ctx, id);
  const body = call.body;
  const keys = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : [];
  const enabled = keys.length === 1 && keys[0] === 'accountEnabled' ? (body as Record<string, unknown>).accountEnabled : undefined;
  if (typeof enabled !== 'boolean') throw new GraphHttpError(400, 'Request_BadRequest', 'The sandbox models PATCH /users/{id} for accountEnabled (a boolean) only.');
  if (user.onPremisesSyncEnabled === true) {
    throw new GraphHttpError(400, 'Request_BadRequest', 'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.');
  }
  user.accountEnabled = enabled;
  return { status: 204 };
}

function lookupGroup(ctx: GraphContext, id: string): SandboxGroup {
  requireObjectKey(id, false);
  const group = ctx.state.findGroup(id);
  if (!group) throw notFound(id);
  return group;
}

function requirePremiumFor(ctx: GraphContext, opts: QueryOptions, call: GraphCall): void {
  const selected = opts.select?.includes('signInActivity') ?? false;
  const filtered = (call.query.get('$filter') ?? '').toLowerCase().includes('signinactivity');
  if ((selected || filtered) && !ctx.state.tenant.hasPremiumLicense) {
    throw new GraphHttpError(403, 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', "Neither tenant is B2C or tenant doesn't have premium license");
  }
}

function renderUser(ctx: GraphContext, user: SandboxUser, opts: QueryOptions): Record<string, unknown> {
  const out = project(user, USER, opts.select);
  if (opts.expand?.navigation === 'appRoleAssignments') {
    out.appRoleAssignments = ctx.state
      .appRoleAssignmentsOf(user.id)
      .slice(0, EXPANDED_LIMIT)
      .map((a) => {
        const full = renderAssignment(ctx, a);
        return Object.fromEntries(ASSIGNMENT_PROPERTIES.map((key) => [key, full[key] ?? null]));
      });
  } else if (opts.expand) {
    const related: DirectoryObject[] = opts.expand.navigation === 'sponsors' ? ctx.state.sponsorsOf(user) : ctx.state.directMemberOf(user.id).map((g) => ({ kind: 'group', value: g }));
    out[opts.expand.navigation] = related.slice(0, EXPANDED_LIMIT).map((o) => projectObject(o, opts.expand?.select));
  }
  return out;
}

const USER_RULES = {
  entity: USER,
  collection: false,
  expandable: ['sponsors', 'memberOf', 'appRoleAssignments'],
};

/**
 * "When you specify $select=signInActivity or $filter=signInActivity while listing users, the maximum page size for $top is
 * 120. Requests with $top set higher than 120 return pages with up to 120 users." (GD api/user-list, Optional query parameters.)
 */
export const SIGN_IN_ACTIVITY_MAX_PAGE = 120;

function mentionsSignInActivity(opts: QueryOptions, call: GraphCall): boolean {
  return (opts.select?.includes('signInActivity') ?? false) || (call.query.get('$filter') ?? '').toLowerCase().includes('signinactivity');
}

function filterPaths(expr: FilterExpr): string[][] {
  switch (expr.t) {
    case 'and':
    case 'or':
      return [...filterPaths(expr.left), ...filterPaths(expr.right)];
    case 'not':
      return filterPaths(expr.expr);
    case 'cmp':
    case 'in':
    case 'fn':
    case 'any':
      return [expr.path];
  }
}

/**
 * signInActivity "Supports $filter (eq, ne, not, ge, le) but not with any other filterable properties" (GD api/resources/user).
 * The page does not give the refusal's status or words: the sandbox answers 400 Request_UnsupportedQuery, as for other
 * unsupported filter forms, and the bot never sends such a filter.
 */
function refuseSignInActivityBesideOtherFilters(opts: QueryOptions): void {
  if (!opts.filter) return;
  const roots = new Set(filterPaths(opts.filter).map((p) => (p[0] ?? '').toLowerCase()));
  if (roots.has('signinactivity') && roots.size > 1) {
    throw new GraphHttpError(400, 'Request_UnsupportedQuery', 'Unsupported Query: signInActivity cannot be filtered together with other properties.');
  }
}

export function listUsers(ctx: GraphContext, call: GraphCall): GraphResult {
  const opts = readQuery(call, { ...USER_RULES, collection: true });
  requirePremiumFor(ctx, opts, call);
  refuseSignInActivityBesideOtherFilters(opts);
  const users = filterAndSort(ctx.state.visibleUsers(), opts, USER);
  const paged = mentionsSignInActivity(opts, call) && (opts.top ?? 100) > SIGN_IN_ACTIVITY_MAX_PAGE ? { ...opts, top: SIGN_IN_ACTIVITY_MAX_PAGE } : opts;
  return pageOf(ctx.baseUrl, call, paged, users, contextUrl(ctx.baseUrl, call, 'users', opts.select), (u) => renderUser(ctx, u, opts));
}

export function countUsers(ctx: GraphContext, call: GraphCall): GraphResult {
  if ((call.headers['consistencylevel'] ?? '').toLowerCase() !== 'eventual') {
    throw new GraphHttpError(400, 'Request_BadRequest', '$count is not currently supported.');
  }
  const opts = readQuery({ ...call, query: withCount(call.query) }, { ...USER_RULES, collection: true });
  const users = filterAndSort(ctx.state.visibleUsers(), opts, USER);
  return { status: 200, body: String(users.length), headers: { 'content-type': 'text/plain' } };
}

function withCount(query: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(query);
  copy.set('$count', 'true');
  return copy;
}

/**
 * Graph reads signInActivity of one user by object id only: `GET /users/{UPN}?$select=signInActivity` is a 400 (see
 * sandbox/README.md, "signInActivity"). Checked before the user is looked up, as Graph does.
 */
function refuseSignInActivityByUpn(call: GraphCall, id: string): void {
  if (GUID_PATTERN.test(id)) return;
  const select = (call.query.get('$select') ?? '').split(',').map((s) => s.trim().toLowerCase());
  if (select.includes('signinactivity')) {
    throw new GraphHttpError(400, 'BadRequest', 'Get By Key only supports UserId and the key has to be a valid Guid');
  }
}

export function getUser(ctx: GraphContext, call: GraphCall, id: string): GraphResult {
  refuseSignInActivityByUpn(call, id);
  const user = lookupUser(ctx, id);
  const opts = readQuery(call, USER_RULES);
  requirePremiumFor(ctx, opts, call);
  return { status: 200, body: { '@odata.context': contextUrl(ctx.baseUrl, call, 'users/$entity', opts.select), ...renderUser(ctx, user, opts) } };
}

function directoryObjects(ctx: GraphContext, call: GraphCall, items: DirectoryObject[], context: string, cast?: 'user' | 'group'): GraphResult {
  const opts = readQuery(call, { entity: USER, mixed: true, collection: true });
  const typed = cast ? items.filter((o) => o.kind === cast) : items;
  const raw = call.query.get('$filter');
  let groupFilter: FilterExpr | undefined;
  let groupsMatch = raw === null;
  if (raw !== null) {
    try {
      groupFilter = compileFilter(raw, GROUP.filter, opts.advanced);
      groupsMatch = true;
    } catch {
      groupsMatch = false;
    }
  }
  const kept = typed.filter((o) => {
    if (o.kind === 'user') return !opts.filter || matches(opts.filter, o.value, USER.filter);
    return groupsMatch && (!groupFilter || matches(groupFilter, o.value, GROUP.filter));
  });
  const suffix = cast ? `/microsoft.graph.${cast}` : '';
  return pageOf(ctx.baseUrl, call, opts, kept, contextUrl(ctx.baseUrl, call, context + suffix), (o) => projectObject(o, opts.select));
}

export function userSponsors(ctx: GraphContext, call: GraphCall, id: string): GraphResult {
  const user = lookupUser(ctx, id);
  return directoryObjects(ctx, call, ctx.state.sponsorsOf(user), 'directoryObjects');
}

export function userMemberOf(ctx: GraphContext, call: GraphCall, id: string, transitive: boolean): GraphResult {
  const user = lookupUser(ctx, id);
  const groups = transitive ? ctx.state.transitiveMemberOf(user.id) : ctx.state.directMemberOf(user.id);
  return directoryObjects(ctx, call, groups.map((g) => ({ kind: 'group', value: g })), 'directoryObjects');
}

function stringArray(body: unknown, field: string): string[] {
  const value = isRecord(body) ? body[field] : undefined;
  if (!Array.isArray(value) || !value.every((v: unknown): v is string => typeof v === 'string')) {
    throw new GraphHttpError(400, 'Request_BadRequest', `The request body must contain '${field}', an array of strings.`);
  }
  return value;
}

/** Graph answers with the subset of the given ids the object belongs to, directly or through nesting (at most 20 ids). */
export function checkMemberGroups(ctx: GraphContext, call: GraphCall, kind: 'user' | 'group', id: string): GraphResult {
  const subject = kind === 'user' ? lookupUser(ctx, id).id : lookupGroup(ctx, id).id;
  const groupIds = stringArray(call.body, 'groupIds');
  if (groupIds.length > 20) {
    throw new GraphHttpError(400, 'Request_BadRequest', 'The number of groupIds exceeds the maximum of 20.');
  }
  for (const g of groupIds) {
    if (!GUID_PATTERN.test(g)) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid GUID:${g}`);
  }
  const member = new Set(ctx.state.transitiveMemberOf(subject).map((g) => g.id.toLowerCase()));
  return {
    status: 200,
    body: { '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#Collection(Edm.String)`, value: groupIds.filter((g) => member.has(g.toLowerCase())) },
  };
}

export function getMemberGroups(ctx: GraphContext, call: GraphCall, kind: 'user' | 'group', id: string): GraphResult {
  const subject = kind === 'user' ? lookupUser(ctx, id).id : lookupGroup(ctx, id).id;
  const securityEnabledOnly = isRecord(call.body) ? call.body.securityEnabledOnly : undefined;
  if (typeof securityEnabledOnly !== 'boolean') {
    throw new GraphHttpError(400, 'Request_BadRequest', "The request body must contain 'securityEnabledOnly', a Boolean.");
  }
  const groups = ctx.state.transitiveMemberOf(subject).filter((g) => !securityEnabledOnly || g.securityEnabled);
  return {
    status: 200,
    body: { '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#Collection(Edm.String)`, value: groups.map((g) => g.id) },
  };
}

const GROUP_RULES = { entity: GROUP, collection: false };

function renderGroup(group: SandboxGroup, select: string[] | undefined): Record<string, unknown> {
  return project(group, GROUP, select);
}

export function listGroups(ctx: GraphContext, call: GraphCall): GraphResult {
  const opts = readQuery(call, { ...GROUP_RULES, collection: true });
  const groups = filterAndSort([...ctx.state.groups.values()], opts, GROUP);
  return pageOf(ctx.baseUrl, call, opts, groups, contextUrl(ctx.baseUrl, call, 'groups', opts.select), (g) => renderGroup(g, opts.select));
}

export function getGroup(ctx: GraphContext, call: GraphCall, id: string): GraphResult {
  const group = lookupGroup(ctx, id);
  const opts = readQuery(call, GROUP_RULES);
  return { status: 200, body: { '@odata.context': contextUrl(ctx.baseUrl, call, 'groups/$entity', opts.select), ...renderGroup(group, opts.select) } };
}

/**
 * GET /groups/{id}/members and /transitiveMembers, optionally cast to users or groups. An OData cast on a transitive list is
 * one of the advanced-queries page's "query scenarios that require advanced query capabilities", so it needs
 * ConsistencyLevel: eventual and $count=true.
 */
export function groupMembers(ctx: GraphContext, call: GraphCall, id: string, transitive: boolean, cast?: 'user' | 'group'): GraphResult {
  if (transitive && cast && !hasAdvancedQueryParameters(call)) throw advancedQueryRequired(`OData cast to 'microsoft.graph.${cast}' on 'transitiveMembers'`);
  const group = lookupGroup(ctx, id);
  const members = transitive ? ctx.state.transitiveMembers(group.id) : ctx.state.directMembers(group.id);
  return directoryObjects(ctx, call, members, 'directoryObjects', cast);
}

export function groupMemberOf(ctx: GraphContext, call: GraphCall, id: string, transitive: boolean): GraphResult {
  const group = lookupGroup(ctx, id);
  const groups = transitive ? ctx.state.transitiveMemberOf(group.id) : ctx.state.directMemberOf(group.id);
  return directoryObjects(ctx, call, groups.map((g) => ({ kind: 'group', value: g })), 'directoryObjects');
}

function domainView(d: SandboxDomain): Record<string, unknown> {
  const view: Record<string, unknown> = { isAdminManaged: true, isRoot: true, supportedServices: [], availabilityStatus: null, state: null, ...d };
  delete view.federationConfiguration;
  return view;
}

export function listDomains(ctx: GraphContext, call: GraphCall): GraphResult {
  const opts = readQuery(call, { entity: DOMAIN, collection: true });
  return pageOf(ctx.baseUrl, call, opts, ctx.state.domains, contextUrl(ctx.baseUrl, call, 'domains', opts.select), (d) => project(domainView(d), DOMAIN, opts.select));
}

function lookupDomain(ctx: GraphContext, id: string): SandboxDomain {
  const domain = ctx.state.findDomain(id);
  if (!domain) throw notFound(id);
  return domain;
}

export function getDomain(ctx: GraphContext, call: GraphCall, id: string): GraphResult {
  const domain = lookupDomain(ctx, id);
  const opts = readQuery(call, { entity: DOMAIN, collection: false });
  return { status: 200, body: { '@odata.context': contextUrl(ctx.baseUrl, call, 'domains/$entity', opts.select), ...project(domainView(domain), DOMAIN, opts.select) } };
}

/** GET /domains/{id}/federationConfiguration[/{fedId}]: a collection of one internalDomainFederation, or 404 when managed. */
export function federationConfiguration(ctx: GraphContext, call: GraphCall, id: string, federationId?: string): GraphResult {
  const domain = lookupDomain(ctx, id);
  const config = domain.federationConfiguration;
  if (!config) throw notFound('federationConfiguration');
  const view: Record<string, unknown> = {
    '@odata.type': '#microsoft.graph.internalDomainFederation',
    id: config.id ?? '00000000-0000-0000-0000-000000000000',
    displayName: config.displayName ?? domain.id,
    issuerUri: config.issuerUri,
    metadataExchangeUri: config.metadataExchangeUri ?? null,
    signingCertificate: config.signingCertificate ?? null,
    passiveSignInUri: config.passiveSignInUri,
    preferredAuthenticationProtocol: config.preferredAuthenticationProtocol,
    activeSignInUri: config.activeSignInUri ?? null,
    signOutUri: config.signOutUri ?? null,
    promptLoginBehavior: config.promptLoginBehavior ?? null,
    isSignedAuthenticationRequestRequired: config.isSignedAuthenticationRequestRequired ?? null,
    nextSigningCertificate: config.nextSigningCertificate ?? null,
    federatedIdpMfaBehavior: config.federatedIdpMfaBehavior ?? null,
    signingCertificateUpdateStatus: config.signingCertificateUpdateStatus ?? null,
  };
  const context = `${ctx.baseUrl}/${call.version}/$metadata#domains('${encodeURIComponent(domain.id)}')/federationConfiguration`;
  if (federationId !== undefined) {
    if (String(view.id).toLowerCase() !== federationId.toLowerCase()) throw notFound(federationId);
    return { status: 200, body: { '@odata.context': `${context}/$entity`, ...view } };
  }
  return { status: 200, body: { '@odata.context': context, value: [view] } };
}

function organizationView(ctx: GraphContext): Record<string, unknown> {
  return {
    id: ctx.state.tenant.id,
    displayName: ctx.state.tenant.displayName,
    tenantType: 'AAD',
    countryLetterCode: ctx.state.tenant.countryLetterCode ?? null,
    verifiedDomains: ctx.state.domains
      .filter((d) => d.isVerified)
      .map((d) => ({ capabilities: (d.supportedServices ?? []).join(', '), isDefault: d.isDefault, isInitial: d.isInitial, name: d.id, type: d.authenticationType })),
  };
}

export function listOrganization(ctx: GraphContext, call: GraphCall): GraphResult {
  return { status: 200, body: { '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#organization`, value: [organizationView(ctx)] } };
}

export function getOrganization(ctx: GraphContext, call: GraphCall, id: string): GraphResult {
  if (id.toLowerCase() !== ctx.state.tenant.id.toLowerCase()) throw notFound(id);
  return { status: 200, body: { '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#organization/$entity`, ...organizationView(ctx) } };
}
