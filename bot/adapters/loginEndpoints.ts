import { z } from 'zod';
import { LoginEndpointTimeoutError, type LoginEndpoints, type UserRealmAnswer } from '../services/realmPorts';

const UserRealmSchema = z.looseObject({
  NameSpaceType: z.enum(['Managed', 'Federated', 'Unknown']),
  DomainName: z.string().nullish(),
  FederationBrandName: z.string().nullish(),
  federation_protocol: z.string().nullish(),
  AuthURL: z.string().nullish(),
  IsViral: z.union([z.boolean(), z.string()]).nullish(),
  MicrosoftAccount: z.union([z.number(), z.string()]).nullish(),
});

const OpenIdSchema = z.looseObject({ issuer: z.string() });
const StsErrorSchema = z.looseObject({ error: z.string().optional(), error_codes: z.array(z.number()).optional() });
const TENANT_IN_ISSUER = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/?$/i;

/** MSIdentityTools reads MicrosoftAccount 0 as "has a Microsoft account" and 1 as "has none". */
function microsoftAccountFlag(value: number | string | null | undefined): boolean | undefined {
  if (value === 0 || value === '0') return true;
  if (value === 1 || value === '1') return false;
  return undefined;
}

function isViral(value: boolean | string | null | undefined): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

export interface HttpLoginEndpointsOptions {
  /** login.microsoftonline.com, a national cloud's login host, or the sandbox. */
  loginBaseUrl: string;
  /** How long one request may run. Default 10 s. */
  requestTimeoutMs?: number;
}

/**
 * Entra's unauthenticated login endpoints over HTTP: userrealm v2.1 (home realm discovery, optionally with the Microsoft
 * account check) and a domain's openid-configuration (its tenant id). Answers are validated here, so the realm service
 * never sees the wire format.
 */
export class HttpLoginEndpoints implements LoginEndpoints {
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: HttpLoginEndpointsOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  async userRealm(login: string, checkMicrosoftAccount: boolean): Promise<UserRealmAnswer> {
    const url = `${this.options.loginBaseUrl}/common/userrealm/${encodeURIComponent(login)}?api-version=2.1${checkMicrosoftAccount ? '&checkForMicrosoftAccount=true' : ''}`;
    const { status, body } = await this.fetchJson(url);
    if (status !== 200) throw new Error(`answered ${status}`);
    const parsed = UserRealmSchema.safeParse(body);
    if (!parsed.success) throw new Error('answered with a realm I could not read');
    const realm = parsed.data;
    const answer: UserRealmAnswer = { namespace: realm.NameSpaceType, viral: isViral(realm.IsViral) };
    if (realm.FederationBrandName != null) answer.brandName = realm.FederationBrandName;
    if (realm.federation_protocol != null) answer.federationProtocol = realm.federation_protocol;
    if (realm.AuthURL != null) answer.authUrl = realm.AuthURL;
    const microsoftAccount = microsoftAccountFlag(realm.MicrosoftAccount);
    if (microsoftAccount !== undefined) answer.microsoftAccount = microsoftAccount;
    return answer;
  }

  async tenantOf(domain: string): Promise<string | null> {
    const { status, body } = await this.fetchJson(`${this.options.loginBaseUrl}/${encodeURIComponent(domain)}/v2.0/.well-known/openid-configuration`);
    if (status === 200) {
      const issuer = OpenIdSchema.safeParse(body).data?.issuer;
      const tenantId = issuer ? TENANT_IN_ISSUER.exec(issuer)?.[1] : undefined;
      if (!tenantId) throw new Error('answered without a tenant id in its issuer');
      return tenantId.toLowerCase();
    }
    const sts = StsErrorSchema.safeParse(body).data;
    if (status === 400 && (sts?.error === 'invalid_tenant' || sts?.error_codes?.includes(90002))) return null;
    throw new Error(`answered ${status}`);
  }

  private async fetchJson(url: string): Promise<{ status: number; body: unknown }> {
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.requestTimeoutMs) });
      text = await response.text();
    } catch (error) {
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) throw new LoginEndpointTimeoutError(this.requestTimeoutMs);
      throw error;
    }
    try {
      return { status: response.status, body: JSON.parse(text) as unknown };
    } catch {
      throw new Error(`answered ${response.status} with something that is not JSON`);
    }
  }
}
