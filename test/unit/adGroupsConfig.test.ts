import { loadConfig } from '../../bot/config';
import { dnProblem } from '../../bot/onprem/ldapEscape';
import { groupCn } from '../../bot/services/access/adGroups';

const base = {
  GRAPH_BASE_URL: 'https://127.0.0.1:4443',
  LOGIN_BASE_URL: 'https://127.0.0.1:4443/',
  TENANT_ID: '11111111-2222-3333-4444-555555555555',
  ADMIN_GROUP_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
  MANAGER_GROUP_ID: 'aaaaaaaa-0000-0000-0000-000000000002',
};
const onprem = {
  ONPREM_LDAP_URL: 'ldaps://dc1.corp.contoso.com:636',
  ONPREM_BIND_DN: 'CN=svc-pab,OU=Service,DC=corp,DC=contoso,DC=com',
  ONPREM_BIND_PASSWORD: 'secret',
  ONPREM_GUEST_OU: 'OU=B2BGuests,DC=corp,DC=contoso,DC=com',
};
const LEDGER = 'CN=Ledger Approvers,OU=Groups,DC=corp,DC=contoso,DC=com';
const SPECIAL = 'CN=Ledger\\, Viewers \\+ \\"EU\\" \\#1,OU=Groups,DC=corp,DC=contoso,DC=com';

function load(value: string | undefined, withOnprem = true) {
  return loadConfig({ ...base, ...(withOnprem ? onprem : {}), ...(value === undefined ? {} : { ONPREM_APP_ROLE_GROUPS: value }) }, '/srv/bot');
}

function problems(value: string, withOnprem = true): string[] {
  const r = load(value, withOnprem);
  return r.ok ? [] : r.problems;
}

describe('ONPREM_APP_ROLE_GROUPS', () => {
  it('is empty when unset', () => {
    const r = load(undefined);
    expect(r.ok && r.config.adGroups).toEqual([]);
  });

  it('reads app, optional role and group DNs, DN escapes kept as written', () => {
    const r = load(JSON.stringify([{ app: 'Contoso Ledger', role: 'Ledger.Approve', groups: [LEDGER, SPECIAL] }, { app: 'a9000000-0000-4000-8000-0000000000a1', groups: [LEDGER] }]));
    expect(r.ok && r.config.adGroups).toEqual([
      { app: 'Contoso Ledger', role: 'Ledger.Approve', groups: [LEDGER, SPECIAL] },
      { app: 'a9000000-0000-4000-8000-0000000000a1', groups: [LEDGER] },
    ]);
  });

  it('says what is wrong, entry by entry', () => {
    expect(problems('{not json')[0]).toMatch(/^ONPREM_APP_ROLE_GROUPS: is not JSON \(.+\)\. Write a list like \[/);
    expect(problems(JSON.stringify({ app: 'x', groups: [LEDGER] }))).toEqual(['ONPREM_APP_ROLE_GROUPS: Invalid input: expected array, received object']);
    expect(problems(JSON.stringify([{ app: '', groups: [] }]))).toEqual([
      'ONPREM_APP_ROLE_GROUPS[0][app]: app must name the app (appId, service principal id or display name)',
      'ONPREM_APP_ROLE_GROUPS[0][groups]: groups must name at least one group DN',
    ]);
    expect(problems(JSON.stringify([{ app: 'Ledger', groups: ['Ledger Approvers'] }]))).toEqual([
      'ONPREM_APP_ROLE_GROUPS[0][groups][0]: each group must be a DN ending in the domain, e.g. CN=App Users,OU=Groups,DC=corp,DC=contoso,DC=com',
    ]);
    expect(problems(JSON.stringify([{ app: 'Ledger', groups: [LEDGER], group: LEDGER }]))[0]).toMatch(/^ONPREM_APP_ROLE_GROUPS\[0\]: Unrecognized key/);
  });

  it('refuses two entries for the same app and role, and a mapping without the on-prem directory', () => {
    expect(problems(JSON.stringify([{ app: 'Ledger', role: 'Viewer', groups: [LEDGER] }, { app: 'ledger', role: 'viewer', groups: [SPECIAL] }]))).toEqual([
      'ONPREM_APP_ROLE_GROUPS[1] (app "ledger", role "viewer"): the same app and role as entry 0; put all its groups in one entry.',
    ]);
    expect(problems(JSON.stringify([{ app: 'Ledger', groups: [LEDGER] }]), false)).toEqual([
      'ONPREM_APP_ROLE_GROUPS: set only with ONPREM_LDAP_URL, ONPREM_BIND_DN, ONPREM_BIND_PASSWORD and ONPREM_GUEST_OU (the groups are written over that connection).',
    ]);
  });
});

describe('dnProblem', () => {
  it('accepts RFC 4514 escapes, including an escaped trailing space', () => {
    expect(dnProblem(LEDGER)).toBeUndefined();
    expect(dnProblem(SPECIAL)).toBeUndefined();
    expect(dnProblem('CN=Back\\\\slash\\ ,DC=corp')).toBeUndefined();
  });

  it('says what is wrong with a DN typed by hand', () => {
    expect(dnProblem('CN=Smith, John,OU=Groups,DC=corp')).toBe('"John" is not type=value (a comma inside a name is written \\,)');
    expect(dnProblem('CN=,DC=corp')).toBe('"CN=" has an empty value');
    expect(dnProblem('CN=Group,OU=Groups')).toBe('it has no DC= components');
    expect(dnProblem('DC=corp\\')).toBe('it ends with a lone backslash');
    expect(dnProblem('1CN=x,DC=corp')).toBe('"1CN" is not an attribute type');
  });
});

describe('groupCn', () => {
  it('shows a group by its CN, unescaped, and a DN without one whole', () => {
    expect(groupCn('CN=Ledger\\, Viewers \\+ \\"EU\\" \\#1,OU=Groups,DC=corp,DC=contoso,DC=com')).toBe('Ledger, Viewers + "EU" #1');
    expect(groupCn('OU=Groups,DC=corp')).toBe('OU=Groups,DC=corp');
  });
});
