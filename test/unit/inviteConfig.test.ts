import { loadConfig } from '../../bot/config';

const env = {
  GRAPH_BASE_URL: 'https://127.0.0.1:4443',
  LOGIN_BASE_URL: 'https://127.0.0.1:4443',
  TENANT_ID: '11111111-2222-3333-4444-555555555555',
  ADMIN_GROUP_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
  MANAGER_GROUP_ID: 'aaaaaaaa-0000-0000-0000-000000000002',
};

describe('invitation settings', () => {
  it('has safe defaults: slow pacing, approval above 50 rows, no download link, redirect to My Apps', () => {
    const result = loadConfig(env, '/srv/bot');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.invitations).toMatchObject({
      redirectUrl: 'https://myapps.microsoft.com/?tenantid=11111111-2222-3333-4444-555555555555',
      allowDomains: [],
      blockDomains: [],
      bulk: { perMinute: 6, approvalThreshold: 50, maxRows: 1000, progressIntervalMs: 2000 },
      publicBaseUrl: undefined,
      linkLifetimeMs: 24 * 3600_000,
    });
  });

  it('stores domain lists in punycode and never lets progress updates run faster than once a second', () => {
    const result = loadConfig({ ...env, PARTNER_DOMAINS_BLOCK: 'Mailinator.com, *.bücher.example', BULK_PROGRESS_UPDATE_MS: '10' }, '/srv/bot');
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.invitations.blockDomains).toEqual(['mailinator.com', 'xn--bcher-kva.example']);
    expect(result.config.invitations.bulk.progressIntervalMs).toBe(1000);
  });

  it('reports every bad invitation setting at once', () => {
    const result = loadConfig(
      { ...env, PARTNER_DOMAINS_ALLOW: 'not a domain', INVITE_REDIRECT_URL: 'http://example.com', PUBLIC_BASE_URL: 'http://bot.contoso.com', DOWNLOAD_LINK_SECRET: 'short', BULK_INVITES_PER_MINUTE: '0' },
      '/srv/bot',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    for (const name of ['PARTNER_DOMAINS_ALLOW', 'INVITE_REDIRECT_URL', 'PUBLIC_BASE_URL', 'DOWNLOAD_LINK_SECRET', 'BULK_INVITES_PER_MINUTE']) expect(text).toContain(name);
  });

  it('requires DOWNLOAD_LINK_SECRET with PUBLIC_BASE_URL outside sandbox mode, so results links survive restarts', () => {
    const production = {
      MicrosoftAppId: '0d2d3f4e-1111-4222-8333-944455556666',
      MicrosoftAppPassword: 'bot-secret',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: env.TENANT_ID,
      TENANT_ID: env.TENANT_ID,
      ADMIN_GROUP_ID: env.ADMIN_GROUP_ID,
      MANAGER_GROUP_ID: env.MANAGER_GROUP_ID,
      PUBLIC_BASE_URL: 'https://bot.contoso.com',
    };
    const without = loadConfig(production, '/srv/bot');
    expect(without.ok ? [] : without.problems).toEqual([expect.stringContaining('DOWNLOAD_LINK_SECRET: required with PUBLIC_BASE_URL')]);
    expect(loadConfig({ ...production, DOWNLOAD_LINK_SECRET: 'x'.repeat(32) }, '/srv/bot').ok).toBe(true);
    expect(loadConfig({ ...env, PUBLIC_BASE_URL: 'https://bot.contoso.com' }, '/srv/bot').ok).toBe(true);
  });
});
