/**
 * Maps fixture users onto the playground's mock Teams users, so a newcomer can chat as an admin, a partner manager or an
 * ordinary member and see the permission differences. The playground's schema wants a current user and exactly five others.
 */
export interface PlaygroundDirectory {
  tenantId: string;
  adminGroupId: string;
  managerGroupId: string;
  users: { id: string; displayName?: string | null; userPrincipalName?: string | null; mail?: string | null; givenName?: string | null; surname?: string | null; userType?: string | null; accountEnabled?: boolean | null }[];
  groups: { id: string; members: string[] }[];
}

export type PlaygroundRole = 'admin' | 'manager' | 'member';

export interface PlaygroundUser {
  id: string;
  name: string;
  upn: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
  role: PlaygroundRole;
  /** A seat filler that is not in the directory (see castPlaygroundUsers). */
  standIn?: true;
}

export const PLAYGROUND_USER_COUNT = 6;

function transitiveMembers(groupId: string, groups: PlaygroundDirectory['groups'], seen = new Set<string>()): Set<string> {
  const result = new Set<string>();
  if (seen.has(groupId)) return result;
  seen.add(groupId);
  const group = groups.find((g) => g.id === groupId);
  for (const member of group?.members ?? []) {
    result.add(member);
    for (const nested of transitiveMembers(member, groups, seen)) result.add(nested);
  }
  return result;
}

/** The playground's seats filled from a directory: who sits in them, and which roles no user of the directory has. */
export interface PlaygroundCast {
  users: PlaygroundUser[];
  /** Roles with nobody to play them: the playground cannot show those views. */
  missingRoles: PlaygroundRole[];
  /** Seats filled with stand-ins that are not in the directory, because the playground always has six users. */
  standIns: number;
}

const ROLES: PlaygroundRole[] = ['admin', 'manager', 'member'];

/**
 * Picks admins first, then managers, then ordinary members: enough of each to show every view. A directory with fewer
 * enabled members than seats still starts: the seats left over get stand-ins (unknown to the directory, so the bot treats
 * them as strangers), and the cast says which roles are missing.
 */
export function castPlaygroundUsers(directory: PlaygroundDirectory): PlaygroundCast {
  const admins = transitiveMembers(directory.adminGroupId, directory.groups);
  const managers = transitiveMembers(directory.managerGroupId, directory.groups);
  const members = directory.users.filter((u) => u.userType !== 'Guest' && u.accountEnabled !== false);
  const roleOf = (id: string): PlaygroundRole => (admins.has(id) ? 'admin' : managers.has(id) ? 'manager' : 'member');
  const byRole = (role: PlaygroundRole) => members.filter((u) => roleOf(u.id) === role);
  const [firstAdmin, ...moreAdmins] = byRole('admin');
  const [firstManager, ...moreManagers] = byRole('manager');
  const ordinary = byRole('member');
  const ordered = [firstAdmin, firstManager, ...ordinary.slice(0, 2), ...moreAdmins, ...moreManagers, ...ordinary.slice(2)].filter(
    (u): u is NonNullable<typeof u> => u !== undefined,
  );
  const cast = ordered.slice(0, PLAYGROUND_USER_COUNT).map((u, index): PlaygroundUser => {
    const upn = u.userPrincipalName ?? `${u.id}@example.invalid`;
    const [given, ...rest] = (u.displayName ?? upn).split(' ');
    return {
      id: `user-id-${index}`,
      name: u.displayName ?? upn,
      upn,
      aadObjectId: u.id,
      givenName: u.givenName ?? given ?? '',
      surname: u.surname ?? rest.join(' '),
      email: u.mail ?? upn,
      role: roleOf(u.id),
    };
  });
  const present = new Set(cast.map((u) => u.role));
  const standIns = PLAYGROUND_USER_COUNT - cast.length;
  for (let index = cast.length; index < PLAYGROUND_USER_COUNT; index++) {
    const n = index + 1;
    cast.push({
      id: `user-id-${index}`,
      name: `Stand-in ${n} (not in the tenant)`,
      upn: `stand-in-${n}@example.invalid`,
      aadObjectId: `00000000-0000-4000-8000-0000000005${String(n).padStart(2, '0')}`,
      givenName: 'Stand-in',
      surname: String(n),
      email: `stand-in-${n}@example.invalid`,
      role: 'member',
      standIn: true,
    });
  }
  return { users: cast, missingRoles: ROLES.filter((role) => !present.has(role)), standIns };
}

/** The six playground users (see castPlaygroundUsers). */
export function pickPlaygroundUsers(directory: PlaygroundDirectory): PlaygroundUser[] {
  return castPlaygroundUsers(directory).users;
}

function yamlString(value: string): string {
  return JSON.stringify(value);
}

function userYaml(u: PlaygroundUser, indent: string): string {
  return [
    `id: ${yamlString(u.id)}`,
    `name: ${yamlString(u.name)}`,
    `userPrincipleName: ${yamlString(u.upn)}`,
    `aadObjectId: ${yamlString(u.aadObjectId)}`,
    `givenName: ${yamlString(u.givenName)}`,
    `surname: ${yamlString(u.surname)}`,
    `email: ${yamlString(u.email)}`,
  ]
    .map((line, i) => (i === 0 ? line : `${indent}${line}`))
    .join('\n');
}

/** The playground's config file (`userPrincipleName` is the playground's own spelling). */
export function playgroundConfigYaml(tenantId: string, botId: string, users: PlaygroundUser[]): string {
  const [current, ...others] = users;
  if (!current) throw new Error('no playground users');
  return [
    'version: "0.1.1"',
    `tenantId: ${yamlString(tenantId)}`,
    'bot:',
    `  id: ${yamlString(botId)}`,
    '  name: Partner Access Bot',
    'currentUser:',
    `  ${userYaml(current, '  ')}`,
    'users:',
    ...others.map((u) => `  - ${userYaml(u, '    ')}`),
    'personalChat:',
    '  id: __PERSONAL_CHAT_ID__',
    'groupChat:',
    '  id: __GROUP_CHAT_ID__',
    '  name: Partner onboarding',
    'team:',
    '  id: team-id',
    '  name: IT Operations',
    '  aadGroupId: 00000000-0000-0000-0000-000000000031',
    '  channels:',
    '    - id: channel-approvals-id',
    '      name: Approvals',
    '',
  ].join('\n');
}
