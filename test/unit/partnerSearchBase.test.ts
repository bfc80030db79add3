import { loadConfig } from '../../bot/config';
import { compileFilter } from '../../sandbox/graph/filter';
import { USER } from '../../sandbox/graph/entities';

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

describe('ONPREM_PARTNER_SEARCH_BASE', () => {
  it('is read into the on-prem settings, and absent by default (the scan then uses the domain root)', () => {
    const set = loadConfig({ ...base, ...onprem, ONPREM_PARTNER_SEARCH_BASE: 'OU=Partners,DC=corp,DC=contoso,DC=com' }, '/srv/bot');
    expect(set.ok && set.config.onprem?.partnerSearchBase).toBe('OU=Partners,DC=corp,DC=contoso,DC=com');
    const unset = loadConfig({ ...base, ...onprem }, '/srv/bot');
    expect(unset.ok && unset.config.onprem && 'partnerSearchBase' in unset.config.onprem).toBe(false);
  });

  it('refuses a value that is not a DN in a domain, and one set without the connection', () => {
    const bad = loadConfig({ ...base, ...onprem, ONPREM_PARTNER_SEARCH_BASE: 'Partners' }, '/srv/bot');
    expect(bad.ok ? [] : bad.problems.join('\n')).toMatch(/ONPREM_PARTNER_SEARCH_BASE.*must be a DN/);
    const alone = loadConfig({ ...base, ONPREM_PARTNER_SEARCH_BASE: 'OU=Partners,DC=corp,DC=contoso,DC=com' }, '/srv/bot');
    expect(alone.ok ? [] : alone.problems.join('\n')).toMatch(/ONPREM_PARTNER_SEARCH_BASE: set only with ONPREM_LDAP_URL/);
  });
});

describe("the sandbox's limit on in", () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => `'S-1-5-21-1-2-3-${i}'`).join(',');
  it('accepts 15 values and refuses 16 outside advanced queries, as Graph documents', () => {
    expect(() => compileFilter(`onPremisesSecurityIdentifier in (${values(15)})`, USER.filter, false)).not.toThrow();
    expect(() => compileFilter(`onPremisesSecurityIdentifier in (${values(16)})`, USER.filter, false)).toThrow(/Too many child clauses.*16\. Max allowed: 15/);
    expect(() => compileFilter(`onPremisesImmutableId in (${values(16)})`, USER.filter, true)).not.toThrow();
  });
});
