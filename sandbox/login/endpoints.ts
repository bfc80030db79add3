import { randomUUID } from 'node:crypto';
import type { SandboxState } from '../state';
import type { TokenStore } from './tokens';

export interface LoginContext {
  state: SandboxState;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tokens: TokenStore;
  tokenLifetimeSeconds: number;
}

export interface LoginResult {
  status: number;
  body: unknown;
  tokenIssued?: boolean;
}

const CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';

function stsTimestamp(now = new Date()): string {
  return now.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** The error JSON login.microsoftonline.com returns: AADSTS text with trace lines, codes, ids and error_uri. */
export function stsError(status: number, error: string, code: number, message: string): LoginResult {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = stsTimestamp();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function tenantNotFound(tenant: string, error = 'invalid_tenant'): LoginResult {
  return stsError(
    400,
    error,
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
}

/**
 * GET /{tenant}/v2.0/.well-known/openid-configuration. The issuer keeps the real login.microsoftonline.com form (MSAL
 * accepts it as a known Microsoft host); every endpoint points at this sandbox.
 */
export function openIdConfiguration(ctx: LoginContext, tenant: string): LoginResult {
  const key = tenant.toLowerCase();
  let tid: string;
  let pathTenant: string;
  if (key === 'common' || key === 'organizations') {
    tid = '{tenantid}';
    pathTenant = key;
  } else if (key === 'consumers') {
    tid = CONSUMERS_TENANT;
    pathTenant = 'consumers';
  } else {
    const resolved = ctx.state.resolveTenant(tenant);
    if (!resolved) return tenantNotFound(tenant);
    tid = resolved.tenantId;
    pathTenant = resolved.tenantId;
  }
  const at = `${ctx.baseUrl}/${pathTenant}`;
  return {
    status: 200,
    body: {
      token_endpoint: `${at}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${at}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `https://login.microsoftonline.com/${tid}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${ctx.baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${at}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${at}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${at}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      kerberos_endpoint: `${at}/kerberos`,
      tenant_region_scope: tid === CONSUMERS_TENANT ? null : 'WW',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    },
  };
}

/** GET /{tenant}/discovery/v2.0/keys: the sandbox's tokens are opaque, so there are no signing keys to publish. */
export function signingKeys(ctx: LoginContext, tenant: string): LoginResult {
  if (!ctx.state.resolveTenant(tenant) && !['common', 'organizations', 'consumers'].includes(tenant.toLowerCase())) return tenantNotFound(tenant);
  return { status: 200, body: { keys: [] } };
}

/** POST /{tenant}/oauth2/v2.0/token with the client-credentials grant, refusing what Entra would refuse. */
export function token(ctx: LoginContext, tenant: string, form: URLSearchParams): LoginResult {
  const resolved = ctx.state.resolveTenant(tenant);
  if (!resolved) return tenantNotFound(tenant, 'invalid_request');
  const grantType = form.get('grant_type');
  if (!grantType) return stsError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
  if (grantType !== 'client_credentials') {
    return stsError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }
  const clientId = form.get('client_id');
  if (!clientId) return stsError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  if (resolved.kind !== 'own' || clientId.toLowerCase() !== ctx.clientId.toLowerCase()) {
    const directory = resolved.kind === 'own' ? ctx.state.tenant.displayName : resolved.tenantId;
    return stsError(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  const secret = form.get('client_secret');
  if (!secret) {
    return stsError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
  }
  if (secret !== ctx.clientSecret) {
    return stsError(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    );
  }
  const scopes = (form.get('scope') ?? '').split(/\s+/).filter((s) => s.length > 0 && !['openid', 'profile', 'offline_access'].includes(s));
  if (scopes.length !== 1 || !scopes[0]?.endsWith('/.default')) {
    return stsError(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scopes.join(' ') || '(none)'} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  if (scopes[0].toLowerCase() !== GRAPH_DEFAULT_SCOPE && scopes[0].toLowerCase() !== 'https://graph.microsoft.com//.default') {
    const resource = scopes[0].slice(0, -'/.default'.length);
    return stsError(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${ctx.state.tenant.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    );
  }
  const accessToken = ctx.tokens.issue(clientId, resolved.tenantId, ctx.tokenLifetimeSeconds, [...ctx.state.grantedPermissions]);
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: ctx.tokenLifetimeSeconds, ext_expires_in: ctx.tokenLifetimeSeconds, access_token: accessToken },
    tokenIssued: true,
  };
}

const PROTOCOLS = { wsFed: 'WSTrust', saml: 'SAML20' } as const;

/**
 * GET /common/userrealm/{user}?api-version=2.1 (or ?user=…). Our own domains are derived from the tenant (federated ones
 * from their federationConfiguration); `external` domains answer with the fixture's realm; anything else is Unknown.
 * Without api-version=2.1 the older 1.0 shape is returned, as the real endpoint does.
 */
export function userRealm(ctx: LoginContext, user: string, query: URLSearchParams): LoginResult {
  const domain = (user.includes('@') ? user.slice(user.lastIndexOf('@') + 1) : user).toLowerCase();
  const checkMsa = (query.get('checkForMicrosoftAccount') ?? '').toLowerCase() === 'true';
  const own = ctx.state.findDomain(domain);
  let realm: Record<string, unknown>;
  if (own) {
    const federation = own.federationConfiguration;
    if (federation) {
      const protocol = PROTOCOLS[federation.preferredAuthenticationProtocol];
      const authUrl =
        protocol === 'WSTrust'
          ? `${federation.passiveSignInUri}?username=${encodeURIComponent(user)}&wa=wsignin1.0&wtrealm=urn%3afederation%3aMicrosoftOnline&wctx=`
          : `${federation.passiveSignInUri}?username=${encodeURIComponent(user)}`;
      realm = {
        NameSpaceType: 'Federated',
        federation_protocol: protocol,
        Login: user,
        AuthURL: authUrl,
        DomainName: own.id.toLowerCase(),
        FederationBrandName: ctx.state.tenant.displayName,
        TenantBrandingInfo: null,
        cloud_instance_name: 'microsoftonline.com',
      };
    } else {
      realm = {
        NameSpaceType: 'Managed',
        Login: user,
        DomainName: own.id.toLowerCase(),
        FederationBrandName: ctx.state.tenant.displayName,
        TenantBrandingInfo: null,
        cloud_instance_name: 'microsoftonline.com',
      };
    }
  } else {
    const external = ctx.state.external[domain];
    if (external) {
      const fixtureRealm: Record<string, unknown> = structuredClone(external.userRealm);
      if (typeof fixtureRealm.AuthURL === 'string') fixtureRealm.AuthURL = fixtureRealm.AuthURL.replace('{username}', encodeURIComponent(user));
      if (!checkMsa) delete fixtureRealm.MicrosoftAccount;
      realm = { DomainName: domain, cloud_instance_name: 'microsoftonline.com', ...fixtureRealm, Login: user };
    } else {
      realm = { NameSpaceType: 'Unknown', Login: user, DomainName: domain, FederationBrandName: null, TenantBrandingInfo: null, cloud_instance_name: 'microsoftonline.com' };
    }
  }
  if (query.get('api-version') === '2.1') return { status: 200, body: realm };
  return { status: 200, body: realmV1(realm) };
}

function realmV1(realm: Record<string, unknown>): Record<string, unknown> {
  const federated = realm.NameSpaceType === 'Federated';
  const authUrl = typeof realm.AuthURL === 'string' ? realm.AuthURL : undefined;
  return {
    ver: '1.0',
    account_type: realm.NameSpaceType,
    domain_name: realm.DomainName,
    ...(federated
      ? {
          federation_protocol: realm.federation_protocol,
          federation_metadata_url: authUrl ? `${new URL(authUrl).origin}/FederationMetadata/2007-06/FederationMetadata.xml` : null,
          federation_active_auth_url: authUrl ? `${new URL(authUrl).origin}/adfs/services/trust/2005/usernamemixed` : null,
        }
      : {}),
    cloud_instance_name: realm.cloud_instance_name ?? 'microsoftonline.com',
    cloud_audience_urn: 'urn:federation:MicrosoftOnline',
  };
}
