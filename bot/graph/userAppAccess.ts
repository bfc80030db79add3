import { z } from 'zod';
import { DEFAULT_ACCESS_ROLE_ID, ON_PREM_APP_TAG } from './appProxy';
import { odataString, queryString } from './odata';

/**
 * The on-prem (App Proxy) apps a user is assigned to, as the whois card shows them. Read with two $batch items next to the
 * user's own: the user with their appRoleAssignments expanded, and the App Proxy service principals with their roles to name
 * what was assigned.
 */
export type UserAppAccessFacts =
  | { available: true; apps: { appName: string; roleName: string; throughGroup: boolean }[]; more: boolean }
  /**
   * - noPermission: the app lacks Application.Read.All (or the directory refused the read);
   * - throttled: Graph answered 429;
   * - unavailable: anything else.
   */
  | { available: false; reason: 'noPermission' | 'throttled' | 'unavailable' };

export const APP_ACCESS_ITEMS = { assignments: 'appAccess.assignments', onPremApps: 'appAccess.onPremApps' } as const;

/**
 * The two batch requests. `users` is the user URL the whois item uses without its query (`/users/{id}`) or, for a search,
 * the `$filter` that found them; the user(s) come back with their assignments expanded, so no second round trip is needed.
 */
export function appAccessRequests(users: { path: string } | { filter: string; top: string }): { id: string; method: 'GET'; url: string }[] {
  const expand = { $select: 'id', $expand: 'appRoleAssignments' };
  const assignments = 'path' in users ? `${users.path}?${queryString(expand)}` : `/users?${queryString({ $filter: users.filter, ...expand, $top: users.top })}`;
  const apps = queryString({ $filter: `tags/any(t:t eq ${odataString(ON_PREM_APP_TAG)})`, $select: 'id,displayName,appRoles', $top: '999' });
  return [
    { id: APP_ACCESS_ITEMS.assignments, method: 'GET', url: assignments },
    { id: APP_ACCESS_ITEMS.onPremApps, method: 'GET', url: `/servicePrincipals?${apps}` },
  ];
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

interface BatchItem {
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
