import { GRAPH_SCOPE } from '../../bot/graph/client';
import { GraphDomains } from '../../bot/graph/domains';
import { recordRequests, type Check, type Target } from './harness';

async function ownVerifiedDomain(t: Target): Promise<string> {
  const domains = await new GraphDomains(t.graph).list();
  const own = domains.find((d) => d.isVerified && !d.id.endsWith('.onmicrosoft.com')) ?? domains.find((d) => d.isVerified);
  if (!own) throw new Error('GET /domains listed no verified domain');
  return own.id;
}

/** The login calls the bot makes: the client-credentials token (through @azure/identity), userrealm and openid-configuration. */
export function loginChecks(check: Check): void {
  check('POST /{tenant}/oauth2/v2.0/token', 'client credentials through the bot credential (authority override on the sandbox) give a Graph token', async (t) => {
    const token = await t.credential.getToken(GRAPH_SCOPE);
    expect(token?.token).toEqual(expect.any(String));
    expect(token?.expiresOnTimestamp ?? 0).toBeGreaterThan(Date.now());
    return 'token issued, expiry in the future';
  });

  check('GET /{domain}/v2.0/.well-known/openid-configuration', "our own verified domain's issuer names our tenant id", async (t) => {
    const domain = await ownVerifiedDomain(t);
    expect(await t.login.tenantOf(domain)).toBe(t.tenantId.toLowerCase());
    return 'issuer holds our tenant id';
  });

  check('GET /{domain}/v2.0/.well-known/openid-configuration', 'a domain no tenant holds: 400 invalid_tenant (AADSTS90002), read as null', async (t) => {
    expect(await t.login.tenantOf(`${t.runId}.invalid`)).toBeNull();
    return 'null';
  });

  check('GET /common/userrealm/{login}?api-version=2.1', 'our own domain is Managed or Federated; the query carries api-version=2.1 and checkForMicrosoftAccount', async (t) => {
    const domain = await ownVerifiedDomain(t);
    const { result, requests } = await recordRequests(() => t.login.userRealm(`contract.probe@${domain}`, true));
    expect(['Managed', 'Federated']).toContain(result.namespace);
    const realm = requests.find((r) => r.url.pathname.includes('/common/userrealm/'));
    expect(realm?.url.searchParams.get('api-version')).toBe('2.1');
    expect(realm?.url.searchParams.get('checkForMicrosoftAccount')).toBe('true');
    return 'Managed or Federated; api-version=2.1&checkForMicrosoftAccount=true';
  });

  check('GET /common/userrealm/{login}?api-version=2.1', 'a domain nobody holds is Unknown', async (t) => {
    expect((await t.login.userRealm(`someone@${t.runId}.invalid`, false)).namespace).toBe('Unknown');
    return 'Unknown';
  });

  check('POST /{tenant}/oauth2/v2.0/token', 'a wrong secret is 401 invalid_client (AADSTS7000215)', async (t) => {
    const sandbox = t.sandbox;
    if (!sandbox) throw new Error('sandbox-only');
    const response = await fetch(`${sandbox.url}/${sandbox.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: t.graphConfig.credential.clientId ?? '', client_secret: 'wrong', scope: GRAPH_SCOPE }),
    });
    const body = (await response.json()) as { error?: string; error_codes?: number[] };
    expect(response.status).toBe(401);
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    return '401 invalid_client AADSTS7000215';
  }, { sandboxOnly: 'a failed sign-in against a real tenant shows in its sign-in logs' });
}
