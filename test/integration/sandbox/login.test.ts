import { ClientSecretCredential } from '@azure/identity';
import type { RunningSandbox } from '../../../sandbox/server';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET } from '../../../sandbox/server';
import { sandboxGraphClient, startTestSandbox } from '../../helpers/sandbox';

const FABRIKAM_TENANT = '2f6e8c14-3b5d-4e7a-9c1f-8a2b4d6e0f13';

interface StsError {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
}

describe('sandbox login endpoints', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(() => sandbox.resetStats());

  const getJson = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${sandbox.url}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const tokenRequest = async (tenant: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${sandbox.url}/${tenant}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const clientCredentials = (secret = SANDBOX_CLIENT_SECRET): Record<string, string> => ({
    grant_type: 'client_credentials',
    client_id: SANDBOX_CLIENT_ID,
    client_secret: secret,
    scope: 'https://graph.microsoft.com/.default',
  });

  it('gives the real ClientSecretCredential a token through discovery, as production does', async () => {
    const { credential, client } = sandboxGraphClient(sandbox);
    const token = await credential.getToken('https://graph.microsoft.com/.default');
    const payload = JSON.parse(Buffer.from(token.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(payload).toMatchObject({ aud: 'https://graph.microsoft.com', tid: sandbox.tenantId, appid: SANDBOX_CLIENT_ID, idtyp: 'app' });
    expect(payload.roles).toEqual(expect.arrayContaining(['User.Read.All', 'Domain.Read.All']));
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000 * 1000);
    const domains = (await client.api('/domains').get()) as { value: Array<{ id: string }> };
    expect(domains.value.map((d) => d.id)).toContain('contoso.com');
    const stats = sandbox.stats();
    expect(stats.login.map((l) => `${l.method} ${l.path.split('?')[0]}`)).toEqual([
      `GET /${sandbox.tenantId}/v2.0/.well-known/openid-configuration`,
      `POST /${sandbox.tenantId}/oauth2/v2.0/token`,
    ]);
    expect(stats.tokensIssued).toBe(1);
    expect(stats.graphRoundTrips).toBe(1);
  });

  it('works with a domain name as the tenant too', async () => {
    const credential = new ClientSecretCredential('contoso.com', SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, {
      authorityHost: sandbox.url,
      disableInstanceDiscovery: true,
    });
    await expect(credential.getToken('https://graph.microsoft.com/.default')).resolves.toMatchObject({ token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
  });

  it('refuses a wrong secret with AADSTS7000215, and ClientSecretCredential reports it', async () => {
    const wrong = await tokenRequest(sandbox.tenantId, clientCredentials('nope'));
    expect(wrong.status).toBe(401);
    const body = wrong.body as unknown as StsError;
    expect(body.error).toBe('invalid_client');
    expect(body.error_codes).toEqual([7000215]);
    expect(body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided\./);
    expect(body.error_description).toMatch(/\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(body.error_uri).toBe('https://login.microsoftonline.com/error?code=7000215');
    const credential = new ClientSecretCredential(sandbox.tenantId, SANDBOX_CLIENT_ID, 'nope', { authorityHost: sandbox.url, disableInstanceDiscovery: true });
    await expect(credential.getToken('https://graph.microsoft.com/.default')).rejects.toThrow(/AADSTS7000215/);
  });

  it('refuses unknown tenants, other tenants, and non-Graph scopes', async () => {
    const unknown = await tokenRequest('nowhere.example', clientCredentials());
    expect(unknown.status).toBe(400);
    expect((unknown.body as unknown as StsError).error_codes).toEqual([90002]);
    const partner = await tokenRequest(FABRIKAM_TENANT, clientCredentials());
    expect(partner.status).toBe(400);
    expect((partner.body as unknown as StsError).error_codes).toEqual([700016]);
    const scope = await tokenRequest(sandbox.tenantId, { ...clientCredentials(), scope: 'https://graph.microsoft.com/User.Read' });
    expect(scope.status).toBe(400);
    expect(scope.body.error).toBe('invalid_scope');
    const resource = await tokenRequest(sandbox.tenantId, { ...clientCredentials(), scope: 'https://management.azure.com/.default' });
    expect(resource.body.error).toBe('invalid_resource');
    const grant = await tokenRequest(sandbox.tenantId, { ...clientCredentials(), grant_type: 'password' });
    expect(grant.body.error).toBe('unsupported_grant_type');
    const ok = await tokenRequest(sandbox.tenantId, clientCredentials());
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.any(String) });
  });

  it('publishes openid-configuration per tenant id and domain, with the real issuer and sandbox endpoints', async () => {
    for (const tenant of [sandbox.tenantId, 'contoso.com', 'Partners.Contoso.com', 'contoso.onmicrosoft.com']) {
      const { status, body } = await getJson(`/${tenant}/v2.0/.well-known/openid-configuration`);
      expect(status).toBe(200);
      expect(body.issuer).toBe(`https://login.microsoftonline.com/${sandbox.tenantId}/v2.0`);
      expect(body.token_endpoint).toBe(`${sandbox.url}/${sandbox.tenantId}/oauth2/v2.0/token`);
      expect(body.authorization_endpoint).toBe(`${sandbox.url}/${sandbox.tenantId}/oauth2/v2.0/authorize`);
      expect(body).toMatchObject({ tenant_region_scope: 'WW', cloud_instance_name: 'microsoftonline.com' });
    }
    const partner = await getJson('/fabrikam.com/v2.0/.well-known/openid-configuration');
    expect(partner.body.issuer).toBe(`https://login.microsoftonline.com/${FABRIKAM_TENANT}/v2.0`);
    const consumer = await getJson('/gmail.com/v2.0/.well-known/openid-configuration');
    expect(consumer.status).toBe(400);
    const unknown = await getJson('/no-such-tenant.example/v2.0/.well-known/openid-configuration');
    expect(unknown.status).toBe(400);
    const err = unknown.body as unknown as StsError;
    expect(err.error).toBe('invalid_tenant');
    expect(err.error_codes).toEqual([90002]);
    expect(err.error_description).toMatch(/^AADSTS90002: Tenant 'no-such-tenant.example' not found\./);
    expect(err.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  });

  it('answers userrealm for our managed and federated domains', async () => {
    const managed = await getJson('/common/userrealm/alex.wilber@contoso.com?api-version=2.1');
    expect(managed.body).toEqual({
      NameSpaceType: 'Managed',
      Login: 'alex.wilber@contoso.com',
      DomainName: 'contoso.com',
      FederationBrandName: 'Contoso',
      TenantBrandingInfo: null,
      cloud_instance_name: 'microsoftonline.com',
    });
    const federated = await getJson(`/common/userrealm?user=${encodeURIComponent('wmoran@partners.contoso.com')}&api-version=2.1`);
    expect(federated.body).toMatchObject({
      NameSpaceType: 'Federated',
      federation_protocol: 'WSTrust',
      Login: 'wmoran@partners.contoso.com',
      DomainName: 'partners.contoso.com',
      FederationBrandName: 'Contoso',
    });
    expect(String(federated.body.AuthURL)).toMatch(/^https:\/\/sts\.contoso\.com\/adfs\/ls\/\?username=wmoran%40partners\.contoso\.com&wa=wsignin1\.0/);
  });

  it('answers userrealm for external managed, WS-Trust, SAML, consumer and unknown domains', async () => {
    const fabrikam = await getJson('/common/userrealm/wmoran@fabrikam.com?api-version=2.1');
    expect(fabrikam.body).toMatchObject({ NameSpaceType: 'Managed', Login: 'wmoran@fabrikam.com', DomainName: 'fabrikam.com', FederationBrandName: 'Fabrikam' });
    const tailspin = await getJson('/common/userrealm/bob@tailspintoys.com?api-version=2.1');
    expect(tailspin.body).toMatchObject({ NameSpaceType: 'Federated', federation_protocol: 'WSTrust', Login: 'bob@tailspintoys.com' });
    expect(String(tailspin.body.AuthURL)).toContain('username=bob%40tailspintoys.com');
    const wingtip = await getJson('/common/userrealm/carla.diaz@wingtiptoys.com?api-version=2.1');
    expect(wingtip.body).toMatchObject({ NameSpaceType: 'Federated', federation_protocol: 'SAML20' });
    const outlook = await getJson('/common/userrealm/dana.reyes@outlook.com?api-version=2.1&checkForMicrosoftAccount=true');
    expect(outlook.body).toMatchObject({ NameSpaceType: 'Unknown', Login: 'dana.reyes@outlook.com', MicrosoftAccount: 0 });
    const outlookPlain = await getJson('/common/userrealm/dana.reyes@outlook.com?api-version=2.1');
    expect(outlookPlain.body.MicrosoftAccount).toBeUndefined();
    const unknown = await getJson('/common/userrealm/erik@lakeshore-consulting.net?api-version=2.1');
    expect(unknown.body).toEqual({
      NameSpaceType: 'Unknown',
      Login: 'erik@lakeshore-consulting.net',
      DomainName: 'lakeshore-consulting.net',
      FederationBrandName: null,
      TenantBrandingInfo: null,
      cloud_instance_name: 'microsoftonline.com',
    });
    const v1 = await getJson('/common/userrealm/bob@tailspintoys.com?api-version=1.0');
    expect(v1.body).toMatchObject({ ver: '1.0', account_type: 'Federated', domain_name: 'tailspintoys.com', federation_protocol: 'WSTrust' });
    expect(sandbox.stats().loginRoundTrips).toBe(7);
    expect(sandbox.stats().graphRoundTrips).toBe(0);
  });

  it('expires tokens after their lifetime', async () => {
    const shortLived = await startTestSandbox({ tokenLifetimeSeconds: 1 });
    try {
      const response = await fetch(`${shortLived.url}/${shortLived.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams(clientCredentials()),
      });
      const { access_token: token } = (await response.json()) as { access_token: string };
      const ok = await fetch(`${shortLived.url}/v1.0/domains`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const expired = await fetch(`${shortLived.url}/v1.0/domains`, { headers: { authorization: `Bearer ${token}` } });
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { error: { message: string } }).error.message).toBe('Lifetime validation failed, the token is expired.');
    } finally {
      await shortLived.close();
    }
  });
});
