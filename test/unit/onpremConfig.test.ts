import { loadConfig } from '../../bot/config';

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

function problems(env: Record<string, string>): string[] {
  const r = loadConfig({ ...base, ...env }, '/srv/bot');
  return r.ok ? [] : r.problems;
}

describe('on-prem settings', () => {
  it('is off when nothing is set', () => {
    const r = loadConfig(base, '/srv/bot');
    expect(r.ok && r.config.onprem).toBeUndefined();
  });

  it('reads a complete set with defaults', () => {
    const r = loadConfig({ ...base, ...onprem }, '/srv/bot');
    expect(r.ok && r.config.onprem).toEqual({
      url: onprem.ONPREM_LDAP_URL,
      bindDn: onprem.ONPREM_BIND_DN,
      bindPassword: 'secret',
      guestOu: onprem.ONPREM_GUEST_OU,
      caFile: undefined,
      tlsServername: undefined,
      tlsInsecure: false,
      linkAttribute: 'msDS-cloudExtensionAttribute1',
      timeoutMs: 10000,
    });
  });

  it.each([
    [{ ...onprem, ONPREM_LDAP_URL: 'ldap://dc1.corp.contoso.com' }, 'ONPREM_LDAP_URL'],
    [{ ONPREM_LDAP_URL: onprem.ONPREM_LDAP_URL }, 'ONPREM_BIND_DN, ONPREM_BIND_PASSWORD, ONPREM_GUEST_OU: required'],
    [{ ...onprem, ONPREM_GUEST_OU: 'CN=Users,DC=corp' }, 'ONPREM_GUEST_OU'],
    [{ ...onprem, ONPREM_CA_FILE: '/nonexistent/ca.pem' }, 'ONPREM_CA_FILE: /nonexistent/ca.pem does not exist'],
    [{ ...onprem, ONPREM_TLS_INSECURE: 'yes' }, 'ONPREM_TLS_INSECURE'],
    [{ ...onprem, ONPREM_LINK_ATTRIBUTE: 'x)(y' }, 'ONPREM_LINK_ATTRIBUTE'],
    [{ ONPREM_TLS_SERVERNAME: 'dc1' }, 'set only with'],
  ])('refuses %j', (env, expected) => {
    expect(problems(env).join('\n')).toContain(expected);
  });

  it('accepts ONPREM_TLS_INSECURE=true in sandbox mode only: with real credentials the DC must be verified', () => {
    const sandboxMode = loadConfig({ ...base, ...onprem, ONPREM_TLS_INSECURE: 'true' }, '/srv/bot');
    expect(sandboxMode.ok && sandboxMode.config.onprem?.tlsInsecure).toBe(true);
    const production = {
      MicrosoftAppId: '0d2d3f4e-1111-4222-8333-944455556666',
      MicrosoftAppPassword: 'bot-secret',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: base.TENANT_ID,
      TENANT_ID: base.TENANT_ID,
      ADMIN_GROUP_ID: base.ADMIN_GROUP_ID,
      MANAGER_GROUP_ID: base.MANAGER_GROUP_ID,
      ...onprem,
    };
    const secure = loadConfig(production, '/srv/bot');
    expect(secure.ok).toBe(true);
    const insecure = loadConfig({ ...production, ONPREM_TLS_INSECURE: 'true' }, '/srv/bot');
    expect(insecure.ok ? [] : insecure.problems).toEqual([expect.stringContaining('ONPREM_TLS_INSECURE: only for tests in sandbox mode')]);
  });
});
