import { RoleResolver, type GroupMembershipReader } from '../../bot/identity/roles';
import { describeRoles, isAllowed } from '../../bot/identity/policy';

const groups = { adminGroupId: 'A-GROUP', managerGroupId: 'm-group' };

class CountingDirectory implements GroupMembershipReader {
  calls = 0;
  constructor(private readonly answer: (user: string) => Promise<string[]>) {}
  checkMemberGroups(user: string): Promise<string[]> {
    this.calls += 1;
    return this.answer(user);
  }
}

describe('RoleResolver', () => {
  it('maps group membership to roles, comparing ids case-insensitively', async () => {
    const directory = new CountingDirectory(async (user) => (user === 'u1' ? ['a-group', 'M-GROUP'] : user === 'u2' ? ['m-group'] : []));
    const roles = new RoleResolver(directory, groups, 60_000);
    await expect(roles.rolesOf('U1')).resolves.toEqual(['admin', 'manager']);
    await expect(roles.rolesOf('u2')).resolves.toEqual(['manager']);
    await expect(roles.rolesOf('u3')).resolves.toEqual([]);
  });

  it('asks Graph once per caller within the TTL, sharing a call in flight, and again after it', async () => {
    let now = 0;
    const directory = new CountingDirectory(async () => ['a-group']);
    const roles = new RoleResolver(directory, groups, 1000, () => now);
    await Promise.all([roles.rolesOf('u1'), roles.rolesOf('u1'), roles.rolesOf('U1')]);
    expect(directory.calls).toBe(1);
    now = 999;
    await roles.rolesOf('u1');
    expect(directory.calls).toBe(1);
    now = 1000;
    await roles.rolesOf('u1');
    expect(directory.calls).toBe(2);
  });

  it('does not cache a failure', async () => {
    let fail = true;
    const directory = new CountingDirectory(async () => {
      if (fail) throw new Error('503');
      return [];
    });
    const roles = new RoleResolver(directory, groups, 60_000);
    await expect(roles.rolesOf('u1')).rejects.toThrow('503');
    fail = false;
    await expect(roles.rolesOf('u1')).resolves.toEqual([]);
    expect(directory.calls).toBe(2);
  });

  it('forgets a caller on request', async () => {
    const directory = new CountingDirectory(async () => []);
    const roles = new RoleResolver(directory, groups, 60_000);
    await roles.rolesOf('u1');
    roles.forget('U1');
    await roles.rolesOf('u1');
    expect(directory.calls).toBe(2);
  });
});

describe('policy', () => {
  it.each([
    [[], 'everyone', true],
    [[], 'partnerManagers', false],
    [[], 'admins', false],
    [['manager'], 'partnerManagers', true],
    [['manager'], 'admins', false],
    [['admin'], 'partnerManagers', true],
    [['admin'], 'admins', true],
  ] as const)('roles %j may %s: %s', (roles, permission, allowed) => {
    expect(isAllowed(roles, permission)).toBe(allowed);
  });

  it('describes roles in words', () => {
    expect(describeRoles([])).toBe('Member (read-only lookups)');
    expect(describeRoles(['admin', 'manager'])).toBe('Admin and partner manager');
  });
});
