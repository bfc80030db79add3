import { type Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { isGraphError } from './errors';

/**
 * The tenant's collaboration restrictions for invitations (Entra → External collaboration settings): at most one list,
 * either the domains that may be invited or the domains that may not.
 */
export type TenantInvitationPolicy =
  | { kind: 'none' }
  | { kind: 'allow'; domains: string[] }
  | { kind: 'block'; domains: string[] }
  /** Not readable: no Policy.Read.B2BManagementPolicy (403), beta missing, a definition that does not parse, or an outage. */
  | { kind: 'unknown'; reason: string };

const PolicyList = z.object({
  value: z.array(z.object({ definition: z.array(z.string()).nullish(), isOrganizationDefault: z.boolean().nullish() }).passthrough()),
});

const domainList = z.array(z.string().trim().min(1)).optional();
/** One definition string, parsed: unknown siblings (auto-redemption, preview opt-ins) are left alone. */
const Definition = z.object({
  B2BManagementPolicy: z
    .object({
      InvitationsAllowedAndBlockedDomainsPolicy: z.object({ AllowedDomains: domainList, BlockedDomains: domainList }).passthrough().optional(),
    })
    .passthrough()
    .optional(),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Reads the policy from its JSON-string definitions. Docs: an allow list and a block list cannot both be set; if a tenant
 * somehow returns both, the block list is kept as the certain refusal and the allow list wins for everything else.
 */
export function policyFromResponse(response: unknown): TenantInvitationPolicy {
  const list = PolicyList.safeParse(response);
  if (!list.success) return { kind: 'unknown', reason: 'Graph answered with a shape the bot does not recognise.' };
  for (const policy of list.data.value) {
    for (const text of policy.definition ?? []) {
      const parsed = Definition.safeParse(parseJson(text));
      if (!parsed.success) return { kind: 'unknown', reason: 'The policy definition could not be read.' };
      const domains = parsed.data.B2BManagementPolicy?.InvitationsAllowedAndBlockedDomainsPolicy;
      if (!domains) continue;
      const lower = (ds: string[]) => ds.map((d) => d.toLowerCase().replace(/\.$/, ''));
      if (domains.AllowedDomains && domains.AllowedDomains.length > 0) return { kind: 'allow', domains: lower(domains.AllowedDomains) };
      if (domains.BlockedDomains && domains.BlockedDomains.length > 0) return { kind: 'block', domains: lower(domains.BlockedDomains) };
      // An empty allow list with no block list is not documented either way: the form says the tenant may still refuse.
      if (domains.AllowedDomains !== undefined && domains.BlockedDomains === undefined) return { kind: 'unknown', reason: 'The allow list is empty.' };
    }
  }
  return { kind: 'none' };
}

/**
 * `GET /beta/policies/b2bManagementPolicies` (b2bmanagementpolicy-list; application permission
 * Policy.Read.B2BManagementPolicy). A beta API: any failure reads as `unknown`, never as "no restrictions".
 */
export async function readTenantInvitationPolicy(graph: Client): Promise<TenantInvitationPolicy> {
  try {
    const response: unknown = await graph.api('/policies/b2bManagementPolicies').version('beta').get();
    return policyFromResponse(response);
  } catch (error) {
    if (isGraphError(error, 403)) return { kind: 'unknown', reason: 'The bot may not read them (it lacks Policy.Read.B2BManagementPolicy).' };
    if (isGraphError(error, 404) || isGraphError(error, 400)) return { kind: 'unknown', reason: 'Graph does not offer them to the bot here.' };
    return { kind: 'unknown', reason: 'Graph did not answer just now.' };
  }
}

/**
 * How the tenant's list treats a domain. The docs list whole domains and say nothing of subdomains, so only an exact match
 * is certain; a subdomain of a listed domain is `uncertain` (Entra may or may not treat it as listed).
 */
export type PolicyVerdict = { kind: 'allowed' } | { kind: 'refused'; listed: string } | { kind: 'uncertain'; why: string };

export function judgeDomain(policy: TenantInvitationPolicy, asciiDomain: string): PolicyVerdict {
  const domain = asciiDomain.toLowerCase();
  const parentListed = (list: string[]) => list.find((l) => domain.endsWith(`.${l}`));
  switch (policy.kind) {
    case 'none':
      return { kind: 'allowed' };
    case 'unknown':
      return { kind: 'uncertain', why: `The tenant's own collaboration restrictions could not be checked: ${policy.reason}` };
    case 'block': {
      if (policy.domains.includes(domain)) return { kind: 'refused', listed: domain };
      const parent = parentListed(policy.domains);
      return parent
        ? { kind: 'uncertain', why: `The tenant blocks invitations to ${parent}; whether that covers ${domain} is not documented.` }
        : { kind: 'allowed' };
    }
    case 'allow': {
      if (policy.domains.includes(domain)) return { kind: 'allowed' };
      const parent = parentListed(policy.domains);
      return parent
        ? { kind: 'uncertain', why: `The tenant allows invitations only to listed domains; ${parent} is listed, and whether that covers ${domain} is not documented.` }
        : { kind: 'refused', listed: domain };
    }
  }
}
