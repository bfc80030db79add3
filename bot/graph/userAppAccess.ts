import { z } from 'zod';
import { DEFAULT_ACCESS_ROLE_ID, ON_PREM_APP_TAG } from './appProxy';
import { odataString, pathSegment, queryString } from './odata';

/**
 * The on-prem (App Proxy) apps a user is assigned to, as the whois card shows them. Read with two $batch items next to the
 * user's own: the user with their appRoleAssignments expanded, and the App Proxy service principals with their roles to name
 * what was assigned.
 */
export type UserAppAccessFacts =
  | {
      available: true;
      apps: { appName: string; roleName: string; throughGroup: boolean }[];
      more: boolean;
      /** Only the apps the caller owns were read: an app owner sees the assignments on their own apps, nothing else. */
      onlyOwnedApps?: true;
    }
  /**
   * - noPermission: the app lacks Application.Read.All (or the directory refused the read);
   * - throttled: Graph answered 429;
   * - unavailable: anything else.
   */
  | { available: false; reason: 'noPermission' | 'throttled' | 'unavailable' };

export const APP_ACCESS_ITEMS = { assignments: 'appAccess.assignments', onPremApps: 'appAccess.onPremApps', ownedApps: 'appAccess.ownedApps' } as const;

/** Which apps' assignments to read: all on-prem apps, only those an object id owns, or none. */
export type AppAccessScope = { scope: 'all' } | { scope: 'ownedBy'; ownerId: string } | { scope: 'none' };

type BatchRequest = { id: string; method: 'GET'; url: string };

/** The user's assignments (their own and their groups'), expanded on the user: one item, no paging. */
export function assignmentsRequest(users: { path: string } | { filter: string; top: string }): BatchRequest {
  const expand = { $select: 'id', $expand: 'appRoleAssignments' };
  const url = 'path' in users ? `${users.path}?${queryString(expand)}` : `/users?${queryString({ $filter: users.filter, ...expand, $top: users.top })}`;
  return { id: APP_ACCESS_ITEMS.assignments, method: 'GET', url };
}

/**
 * The service principals an object id owns, with what naming an assignment needs and the tags that say which are on-prem
 * apps. One item for the owner instead of the owners of every app: the cheapest way to know which apps a member owns.
 */
export function ownedAppsRequest(ownerId: string): BatchRequest {
  const select = queryString({ $select: 'id,displayName,appRoles,tags', $top: '999' });
  return { id: APP_ACCESS_ITEMS.ownedApps, method: 'GET', url: `/users/${pathSegment(ownerId)}/ownedObjects/microsoft.graph.servicePrincipal?${select}` };
}

/**
 * The two batch requests. `users` is the user URL the whois item uses without its query (`/users/{id}`) or, for a search,
 * the `$filter` that found them; the user(s) come back with their assignments expanded, so no second round trip is needed.
 */
export function appAccessRequests(users: { path: string } | { filter: string; top: string }, scope: AppAccessScope = { scope: 'all' }): BatchRequest[] {
  switch (scope.scope) {
    case 'none':
      return [];
    case 'ownedBy':
      // The user's assignments are read only once we know the caller owns an on-prem app (ownedOnPremApps).
      return [ownedAppsRequest(scope.ownerId)];
    case 'all': {
      const apps = queryString({ $filter: `tags/any(t:t eq ${odataString(ON_PREM_APP_TAG)})`, $select: 'id,displayName,appRoles', $top: '999' });
      return [assignmentsRequest(users), { id: APP_ACCESS_ITEMS.onPremApps, method: 'GET', url: `/servicePrincipals?${apps}` }];
    }
  }
}

/** Graph returns at most this many expanded objects; a list this long may have been cut short. */
const EXPANDED_LIMIT = 20;

const Assignment = z.object({ id: z.string(), appRoleId: z.string(), resourceId: z.string(), principalId: z.string() });
const UserWithAssignments = z.object({ id: z.string(), appRoleAssignments: z.array(Assignment).nullish() });
const AssignmentsAnswer = z.union([UserWithAssignments, z.object({ value: z.array(UserWithAssignments) })]);

const OnPremAppPage = z.object({
  value: z.array(
    z.object({
      id: z.string(),
      displayName: z.string().nullish(),
      appRoles: z
        .array(z.object({ id: z.string(), displayName: z.string().nullish() }))
        .nullish()
        .transform((v) => v ?? []),
    }),
  ),
});

const OwnedServicePrincipals = z.object({
  value: z.array(z.object({ id: z.string(), tags: z.array(z.string()).nullish() }).passthrough()),
});

/**
 * The on-prem apps among those the caller owns, as an answer userAppAccessFrom reads like the app list; a failed read is
 * passed on as it came, so the card says why.
 */
export function ownedOnPremApps(item: BatchItem | undefined): { item: BatchItem; count: number } | { failed: BatchItem | undefined } {
  if (!ok(item)) return { failed: item };
  const owned = OwnedServicePrincipals.safeParse(item.body).data;
  if (!owned) return { failed: { status: 502 } };
  const onPrem = owned.value.filter((sp) => (sp.tags ?? []).some((t) => t.toLowerCase() === ON_PREM_APP_TAG.toLowerCase()));
  return { item: { status: 200, body: { value: onPrem } }, count: onPrem.length };
}

export interface BatchItem {
  status: number;
  body?: unknown;
}

function failure(item: BatchItem | undefined): Extract<UserAppAccessFacts, { available: false }> {
  if (item?.status === 403) return { available: false, reason: 'noPermission' };
  if (item?.status === 429) return { available: false, reason: 'throttled' };
  return { available: false, reason: 'unavailable' };
}

const ok = (item: BatchItem | undefined): item is BatchItem => item !== undefined && item.status >= 200 && item.status < 300;

/** Joins the two batch answers for one user: only assignments to App Proxy apps count, each named by app and role. */
export function userAppAccessFrom(userId: string, assignmentsItem: BatchItem | undefined, appsItem: BatchItem | undefined): UserAppAccessFacts {
  if (!ok(assignmentsItem)) return failure(assignmentsItem);
  if (!ok(appsItem)) return failure(appsItem);
  const answer = AssignmentsAnswer.safeParse(assignmentsItem.body).data;
  const apps = OnPremAppPage.safeParse(appsItem.body).data;
  const user = answer && ('value' in answer ? answer.value : [answer]).find((u) => u.id.toLowerCase() === userId.toLowerCase());
  if (!user || !apps) return { available: false, reason: 'unavailable' };
  const assignments = user.appRoleAssignments ?? [];
  const byId = new Map(apps.value.map((sp) => [sp.id.toLowerCase(), sp]));
  const held = assignments.flatMap((a) => {
    const app = byId.get(a.resourceId.toLowerCase());
    if (!app) return [];
    const role = app.appRoles.find((r) => r.id.toLowerCase() === a.appRoleId.toLowerCase());
    const roleName = role?.displayName ?? (a.appRoleId === DEFAULT_ACCESS_ROLE_ID ? 'Default access' : `Role ${a.appRoleId}`);
    // Graph lists the assignments of the user's groups with them; the card says which access comes that way.
    return [{ appName: app.displayName ?? app.id, roleName, throughGroup: a.principalId.toLowerCase() !== user.id.toLowerCase() }];
  });
  held.sort((x, y) => x.appName.localeCompare(y.appName) || x.roleName.localeCompare(y.roleName));
  return { available: true, apps: held, more: assignments.length >= EXPANDED_LIMIT };
}
