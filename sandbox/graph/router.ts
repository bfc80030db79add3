import { GraphHttpError } from '../http';
import {
  checkMemberGroups,
  countUsers,
  federationConfiguration,
  getDomain,
  getGroup,
  getMemberGroups,
  getOrganization,
  getUser,
  groupMemberOf,
  groupMembers,
  listDomains,
  listGroups,
  listOrganization,
  listUsers,
  patchUser,
  userMemberOf,
  userSponsors,
  type GraphContext,
} from './directory';
import { routeApps } from './apps';
import { routeB2bPolicy } from './b2bPolicy';
import { routeInvitations } from './invitations';
import { routeSignals } from './signals';
import type { GraphCall, GraphResult } from './odata';

/** POST actions that only read, so they cost like a GET and are not writes. */
export const READ_ACTIONS = new Set(['checkmembergroups', 'getmembergroups', 'checkmemberobjects', 'getmemberobjects', 'getbyids']);

function methodNotAllowed(): GraphHttpError {
  return new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
}

function segmentNotFound(segment: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
}

function castOf(segment: string | undefined): 'user' | 'group' | undefined {
  if (segment === undefined) return undefined;
  const s = segment.toLowerCase();
  if (s === 'microsoft.graph.user') return 'user';
  if (s === 'microsoft.graph.group') return 'group';
  throw segmentNotFound(segment);
}

function only(call: GraphCall, method: 'GET' | 'POST'): void {
  if (call.method !== method) throw methodNotAllowed();
}

/** Routes one Graph call to its handler. Segment names match case-insensitively, as Graph's do. */
export function routeGraph(ctx: GraphContext, call: GraphCall): GraphResult {
  const invitation = routeInvitations(ctx, call);
  if (invitation) return invitation;
  const app = routeApps(ctx, call);
  if (app) return app;
  const policy = routeB2bPolicy(ctx, call);
  if (policy) return policy;
  const signal = routeSignals(ctx, call);
  if (signal) return signal;
  const [resource, id, nav, extra, ...rest] = call.segments;
  const r = resource?.toLowerCase();
  const n = (nav ?? '').toLowerCase();
  if (r === undefined || r === '') throw segmentNotFound(call.version);
  if (rest.length > 0) throw segmentNotFound(rest[0] ?? '');

  if (r === 'users') {
    if (id === undefined) {
      only(call, 'GET');
      return listUsers(ctx, call);
    }
    if (id === '$count' && nav === undefined) {
      only(call, 'GET');
      return countUsers(ctx, call);
    }
    if (nav === undefined) {
      if (call.method === 'PATCH') return patchUser(ctx, call, id);
      only(call, 'GET');
      return getUser(ctx, call, id);
    }
    if (extra !== undefined) throw segmentNotFound(extra);
    switch (n) {
      case 'sponsors':
        only(call, 'GET');
        return userSponsors(ctx, call, id);
      case 'memberof':
      case 'transitivememberof':
        only(call, 'GET');
        return userMemberOf(ctx, call, id, n === 'transitivememberof');
      case 'checkmembergroups':
        only(call, 'POST');
        return checkMemberGroups(ctx, call, 'user', id);
      case 'getmembergroups':
        only(call, 'POST');
        return getMemberGroups(ctx, call, 'user', id);
      default:
        throw segmentNotFound(nav ?? '');
    }
  }

  if (r === 'groups') {
    if (id === undefined) {
      only(call, 'GET');
      return listGroups(ctx, call);
    }
    if (nav === undefined) {
      only(call, 'GET');
      return getGroup(ctx, call, id);
    }
    switch (n) {
      case 'members':
      case 'transitivemembers':
        only(call, 'GET');
        return groupMembers(ctx, call, id, n === 'transitivemembers', castOf(extra));
      case 'memberof':
      case 'transitivememberof':
        if (extra !== undefined) throw segmentNotFound(extra);
        only(call, 'GET');
        return groupMemberOf(ctx, call, id, n === 'transitivememberof');
      case 'checkmembergroups':
        if (extra !== undefined) throw segmentNotFound(extra);
        only(call, 'POST');
        return checkMemberGroups(ctx, call, 'group', id);
      case 'getmembergroups':
        if (extra !== undefined) throw segmentNotFound(extra);
        only(call, 'POST');
        return getMemberGroups(ctx, call, 'group', id);
      default:
        throw segmentNotFound(nav ?? '');
    }
  }

  if (r === 'domains') {
    only(call, 'GET');
    if (id === undefined) return listDomains(ctx, call);
    if (nav === undefined) return getDomain(ctx, call, id);
    if (n === 'federationconfiguration') return federationConfiguration(ctx, call, id, extra);
    throw segmentNotFound(nav);
  }

  if (r === 'organization') {
    only(call, 'GET');
    if (nav !== undefined) throw segmentNotFound(nav);
    return id === undefined ? listOrganization(ctx, call) : getOrganization(ctx, call, id);
  }

  throw segmentNotFound(resource ?? '');
}
