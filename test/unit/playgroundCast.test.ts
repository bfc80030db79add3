import { DEFAULT_FIXTURE_PATH, loadFixture } from '../../sandbox/fixture';
import { castPlaygroundUsers, pickPlaygroundUsers, playgroundConfigYaml, PLAYGROUND_USER_COUNT } from '../../sandbox/playground';

const ADMINS = 'a1000000-0000-4000-8000-000000000001';
const MANAGERS = 'a1000000-0000-4000-8000-000000000002';
const small = {
  tenantId: 't',
  adminGroupId: ADMINS,
  managerGroupId: MANAGERS,
  users: [
    { id: 'u1', displayName: 'Ada Admin', userPrincipalName: 'ada@contoso.com' },
    { id: 'u2', displayName: 'Olga Ordinary', userPrincipalName: 'olga@contoso.com' },
    { id: 'u3', displayName: 'Gus Guest', userPrincipalName: 'gus#EXT#@contoso.com', userType: 'Guest' },
  ],
  groups: [{ id: ADMINS, members: ['u1'] }, { id: MANAGERS, members: [] }],
};

describe('the playground cast', () => {
  it('seats a tenant with fewer enabled members than seats, and names the roles nobody plays', () => {
    const cast = castPlaygroundUsers(small);
    expect(cast.users).toHaveLength(PLAYGROUND_USER_COUNT);
    expect(cast.users.slice(0, 2).map((u) => [u.name, u.role])).toEqual([
      ['Ada Admin', 'admin'],
      ['Olga Ordinary', 'member'],
    ]);
    expect(cast.missingRoles).toEqual(['manager']);
    expect(cast.standIns).toBe(4);
    const standIns = cast.users.slice(2);
    expect(standIns.every((u) => u.standIn === true)).toBe(true);
    expect(new Set(cast.users.map((u) => u.aadObjectId)).size).toBe(PLAYGROUND_USER_COUNT);
    expect(new Set(cast.users.map((u) => u.id)).size).toBe(PLAYGROUND_USER_COUNT);
    expect(() => playgroundConfigYaml('t', 'bot', cast.users)).not.toThrow();
  });

  it('starts even with no enabled member at all', () => {
    const cast = castPlaygroundUsers({ ...small, users: [] });
    expect(cast.users).toHaveLength(PLAYGROUND_USER_COUNT);
    expect(cast.missingRoles).toEqual(['admin', 'manager', 'member']);
    expect(() => pickPlaygroundUsers({ ...small, users: [] })).not.toThrow();
  });

  it('needs no stand-in for the shipped Contoso tenant', () => {
    const fixture = loadFixture(DEFAULT_FIXTURE_PATH);
    const cast = castPlaygroundUsers({ ...fixture.roles, tenantId: fixture.tenant.id, users: fixture.users, groups: fixture.groups });
    expect(cast.missingRoles).toEqual([]);
    expect(cast.standIns).toBe(0);
    expect(cast.users.some((u) => u.standIn)).toBe(false);
  });
});
