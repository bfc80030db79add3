import { GraphHttpError } from '../http';
import type { GraphContext } from './directory';
import type { GraphCall, GraphResult } from './odata';

/** A fixed id, so a test or a person can recognise the one policy the sandbox serves. */
export const B2B_POLICY_ID = 'b2b00000-0000-4000-8000-000000000001';

/**
 * GET /beta/policies/b2bManagementPolicies (b2bmanagementpolicy-list, resources/b2bManagementPolicy): the fixture's
 * `invitationPolicy` as the tenant's collaboration restrictions. `definition` holds one JSON string, as Graph's stsPolicy
 * does. Beta only; `invitationPolicyReadable: false` answers the 403 an app without Policy.Read.B2BManagementPolicy gets.
 */
export function routeB2bPolicy(ctx: GraphContext, call: GraphCall): GraphResult | undefined {
  const [resource, collection, ...rest] = call.segments.map((s) => s.toLowerCase());
  if (resource !== 'policies' || collection !== 'b2bmanagementpolicies') return undefined;
  if (call.version !== 'beta') throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${call.segments[1] ?? ''}'.`);
  if (call.method !== 'GET') throw new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
  if (!ctx.state.invitationPolicyReadable) {
    throw new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  }
  const policy = ctx.state.invitationPolicy;
  const item = policy
    ? {
        id: B2B_POLICY_ID,
        displayName: 'B2BManagementPolicy',
        description: 'B2BManagementPolicy',
        isOrganizationDefault: true,
        definition: [
          JSON.stringify({
            B2BManagementPolicy: {
              InvitationsAllowedAndBlockedDomainsPolicy:
                'allowedDomains' in policy ? { AllowedDomains: policy.allowedDomains } : { BlockedDomains: policy.blockedDomains },
            },
          }),
        ],
      }
    : undefined;
  if (rest.length > 1) throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${call.segments[3] ?? ''}'.`);
  const context = `${ctx.baseUrl}/beta/$metadata#policies/b2bManagementPolicies`;
  if (rest.length === 1) {
    if (!item || rest[0] !== B2B_POLICY_ID) {
      throw new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${call.segments[2] ?? ''}' does not exist or one of its queried reference-property objects are not present.`);
    }
    return { status: 200, body: { '@odata.context': `${context}/$entity`, ...item } };
  }
  return { status: 200, body: { '@odata.context': context, value: item ? [item] : [] } };
}
