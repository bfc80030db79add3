import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { Config } from '../config';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/**
 * Builds the app-only credential for Graph. A custom login host (the sandbox, or a sovereign cloud) is used as the authority
 * with instance discovery off, which is the same code path production takes against login.microsoftonline.com.
 */
export function createGraphCredential(graph: Config['graph']): TokenCredential {
  const authority = graph.customAuthority ? { authorityHost: graph.loginBaseUrl, disableInstanceDiscovery: true } : {};
  const c = graph.credential;
  switch (c.kind) {
    case 'secret':
      return new ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret, authority);
    case 'certificate':
      return new ClientCertificateCredential(
        c.tenantId,
        c.clientId,
        { certificatePath: c.certificatePath, certificatePassword: c.certificatePassword },
        authority,
      );
    case 'managedIdentity':
      return c.clientId ? new ManagedIdentityCredential({ clientId: c.clientId }) : new ManagedIdentityCredential();
  }
}

/**
 * The Graph client with the SDK's default middleware (auth, retry honouring Retry-After on 429/503/504, redirect).
 * customHosts lets the auth middleware attach the bearer token to a non-Microsoft host such as the sandbox.
 */
export function createGraphClient(graph: Config['graph'], credential: TokenCredential): Client {
  return Client.initWithMiddleware({
    baseUrl: `${graph.baseUrl}/`,
    customHosts: new Set([new URL(graph.baseUrl).hostname]),
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] }),
  });
}
