import path from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { DEFAULT_FIXTURE_PATH, loadFixture, type Fixture } from '../../sandbox/fixture';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, startSandbox, type RunningSandbox, type SandboxOptions } from '../../sandbox/server';

/** The CA directory scripts/run-tests.cjs creates before jest starts, so NODE_EXTRA_CA_CERTS already trusts it. */
export const TEST_TLS_DIR = path.resolve(__dirname, '..', 'artifacts', 'ca');

let defaultFixture: Fixture | undefined;

/** The shipped Contoso fixture, loaded once per test file; pass a modified copy through overrides.fixture. */
export function contosoFixture(): Fixture {
  defaultFixture ??= loadFixture(DEFAULT_FIXTURE_PATH);
  return structuredClone(defaultFixture);
}

/**
 * The replication lag integration tests run with: a new guest is invisible to reads and references for this long, as on
 * a real tenant, so a read or a group add right after an invitation must retry as the bot does (sandbox/README.md).
 */
export const TEST_REPLICATION_LAG_MS = 200;

/** Starts an in-process sandbox on an ephemeral port. The caller closes it; nothing global is registered. */
export function startTestSandbox(overrides: Partial<SandboxOptions> = {}): Promise<RunningSandbox> {
  return startSandbox({ tlsDir: TEST_TLS_DIR, replicationLagMs: TEST_REPLICATION_LAG_MS, ...overrides, fixture: overrides.fixture ?? contosoFixture() });
}

/** The production code path against the sandbox: a real ClientSecretCredential and Graph client. */
export function sandboxGraphClient(sandbox: RunningSandbox, secret = SANDBOX_CLIENT_SECRET): { client: Client; credential: ClientSecretCredential } {
  const credential = new ClientSecretCredential(sandbox.tenantId, SANDBOX_CLIENT_ID, secret, {
    authorityHost: sandbox.url,
    disableInstanceDiscovery: true,
  });
  const client = Client.initWithMiddleware({
    baseUrl: `${sandbox.url}/`,
    customHosts: new Set(['127.0.0.1']),
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: ['https://graph.microsoft.com/.default'] }),
  });
  return { client, credential };
}

/** A bearer token from the sandbox's token endpoint, for raw fetch checks of status codes and bodies. */
export async function sandboxToken(sandbox: RunningSandbox): Promise<string> {
  const response = await fetch(`${sandbox.url}/${sandbox.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: SANDBOX_CLIENT_ID,
      client_secret: SANDBOX_CLIENT_SECRET,
      scope: 'https://graph.microsoft.com/.default',
    }),
  });
  const body: unknown = await response.json();
  const token = typeof body === 'object' && body !== null && 'access_token' in body ? body.access_token : undefined;
  if (response.status !== 200 || typeof token !== 'string') throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
  return token;
}
