import { describeProblems, loadConfig, loadLauncherSettings } from '../../bot/config';

const TENANT = '11111111-2222-3333-4444-555555555555';
const ADMINS = 'aaaaaaaa-0000-0000-0000-000000000001';
const MANAGERS = 'aaaaaaaa-0000-0000-0000-000000000002';
const APP = 'bbbbbbbb-0000-0000-0000-000000000001';

const sandboxEnv = {
  GRAPH_BASE_URL: 'https://127.0.0.1:4443',
  LOGIN_BASE_URL: 'https://127.0.0.1:4443/',
  TENANT_ID: TENANT,
  ADMIN_GROUP_ID: ADMINS,
  MANAGER_GROUP_ID: MANAGERS,
};

const productionEnv = {
  MicrosoftAppId: APP,
  MicrosoftAppPassword: 'bot-secret',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: TENANT,
  AZURE_TENANT_ID: TENANT,
  AZURE_CLIENT_ID: APP,
  AZURE_CLIENT_SECRET: 'graph-secret',
  ADMIN_GROUP_ID: ADMINS,
  MANAGER_GROUP_ID: MANAGERS,
};

describe('loadConfig', () => {
  it('runs in sandbox mode without credentials, on loopback, with the sandbox authority', () => {
    const result = loadConfig(sandboxEnv, '/srv/bot');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.mode).toBe('sandbox');
    expect(result.config.host).toBe('127.0.0.1');
    expect(result.config.bot).toBeUndefined();
    expect(result.config.port).toBe(3978);
    expect(result.config.dataDir).toBe('/srv/bot/data');
    expect(result.config.graph).toMatchObject({ baseUrl: 'https://127.0.0.1:4443', loginBaseUrl: 'https://127.0.0.1:4443', customAuthority: true });
    expect(result.config.graph.credential.kind).toBe('secret');
  });

  it('refuses sandbox mode pointed at a non-loopback host', () => {
    const result = loadConfig({ ...sandboxEnv, GRAPH_BASE_URL: 'https://graph.microsoft.com' });
    expect(result).toEqual({ ok: false, problems: [expect.stringContaining('only talks to a sandbox on this machine')] });
  });

  it('refuses Graph credentials without a bot app id: production never runs unauthenticated', () => {
    const { MicrosoftAppId: _, ...env } = productionEnv;
    const result = loadConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/MicrosoftAppId: Graph credentials .* refuses to start/);
  });

  it('builds a production config with Microsoft endpoints', () => {
    const result = loadConfig(productionEnv);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.mode).toBe('production');
    expect(result.config.host).toBe('0.0.0.0');
    expect(result.config.bot).toEqual({ appId: APP, appPassword: 'bot-secret', appType: 'SingleTenant', appTenantId: TENANT });
    expect(result.config.graph).toMatchObject({ baseUrl: 'https://graph.microsoft.com', customAuthority: false });
    expect(result.config.graph.credential).toEqual({ kind: 'secret', tenantId: TENANT, clientId: APP, clientSecret: 'graph-secret' });
  });

  it('uses managed identity when no secret or certificate is given', () => {
    const { AZURE_CLIENT_SECRET: _, ...env } = productionEnv;
    const result = loadConfig(env);
    expect(result.ok && result.config.graph.credential).toEqual({ kind: 'managedIdentity', clientId: APP });
  });

  it('reports every problem at once', () => {
    const result = loadConfig({
      MicrosoftAppId: 'not-a-guid',
      PORT: 'eighty',
      GRAPH_BASE_URL: 'http://graph.example',
      DATABASE_URL: 'mysql://x',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = describeProblems(result.problems);
    expect(text).toContain('MicrosoftAppId: must be a GUID');
    expect(text).toContain('PORT: must be a positive whole number, not "eighty"');
    expect(text).toContain('GRAPH_BASE_URL: must use https://');
    expect(text).toContain('DATABASE_URL: must be a postgres://');
  });

  it('reports all missing production settings together', () => {
    const result = loadConfig({ MicrosoftAppId: APP, MicrosoftAppType: 'SingleTenant' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^TENANT_ID/),
        expect.stringMatching(/^ADMIN_GROUP_ID/),
        expect.stringMatching(/^MANAGER_GROUP_ID/),
        expect.stringMatching(/^MicrosoftAppTenantId/),
        expect.stringMatching(/^MicrosoftAppPassword/),
      ]),
    );
  });

  it('treats blank values as unset', () => {
    const result = loadConfig({ ...sandboxEnv, MicrosoftAppId: '  ', AZURE_CLIENT_ID: '' });
    expect(result.ok && result.config.mode).toBe('sandbox');
  });
});

describe('loadLauncherSettings', () => {
  it('detects the mode and resolves the fixture path', () => {
    expect(loadLauncherSettings({ SANDBOX_FIXTURE: 'f.json', PLAYGROUND: 'off' }, '/x')).toMatchObject({
      mode: 'sandbox',
      fixturePath: '/x/f.json',
      playground: false,
      dataDir: '/x/data',
    });
    expect(loadLauncherSettings({ MicrosoftAppId: APP })).toMatchObject({ mode: 'production' });
  });
});
