import { domainToASCII } from 'node:url';
import { GraphError, type Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { judgeDomain, readTenantInvitationPolicy, type PolicyVerdict, type TenantInvitationPolicy } from './b2bPolicy';
import { directoryUnavailable } from './errors';
import { odataString, pathSegment } from './odata';
import { ADVANCED_QUERY_HEADERS, allPages } from './paging';
import { NotReplicatedError, retryWhileReplicating } from './replication';

/** What the pre-check needs to tell a guest from a member, a pending invitation from an accepted one, and a synced partner. */
export const EXISTING_USER_SELECT = [
  'id',
  'displayName',
  'userPrincipalName',
  'mail',
  'userType',
  'externalUserState',
  'externalUserStateChangeDateTime',
  'creationType',
  'onPremisesSyncEnabled',
  'accountEnabled',
] as const;

const ExistingUser = z.object({
  id: z.string(),
  displayName: z.string().nullable().optional(),
  userPrincipalName: z.string(),
  mail: z.string().nullable().optional(),
  userType: z.string().nullable().optional(),
  externalUserState: z.string().nullable().optional(),
  externalUserStateChangeDateTime: z.string().nullable().optional(),
  creationType: z.string().nullable().optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
  accountEnabled: z.boolean().nullable().optional(),
});
export type ExistingUser = z.infer<typeof ExistingUser>;

const UserPage = z.object({ value: z.array(ExistingUser) });

const InvitationResponse = z.object({
  id: z.string().optional(),
  inviteRedeemUrl: z.string().nullable().optional(),
  status: z.string().nullable().optional(),
  invitedUser: z.object({ id: z.string() }).passthrough(),
});
export type InvitationResponse = z.infer<typeof InvitationResponse>;

const UserId = z.object({ id: z.string() });

export interface InvitationRequest {
  email: string;
  displayName?: string;
  redirectUrl: string;
  /** Microsoft sends the email (the custom message is dropped for an app identity), or the bot shows the redeem URL. */
  sendInvitationMessage: boolean;
  message?: string;
  language?: string;
  cc?: string;
  sponsorIds: string[];
  /** For resend of an accepted guest: resetRedemption with invitedUser.id (needs User.ReadWrite.All). */
  resetRedemptionOf?: string;
  /**
   * `convert`: invite this existing internal user to B2B collaboration (invitedUser.id without resetRedemption), as
   * "Invite internal users to B2B collaboration" documents; the object keeps its id, UPN, groups and app assignments.
   */
  convertUserId?: string;
}

/** Why Graph refused an invitation, in terms the service acts on. */
export type InvitationRefusal =
  | { kind: 'abuse'; message: string }
  | { kind: 'policy'; message: string }
  | { kind: 'conflict'; message: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'forbidden'; message: string };

export class InvitationRefusedError extends Error {
  constructor(readonly refusal: InvitationRefusal) {
    super(refusal.message);
    this.name = 'InvitationRefusedError';
  }
}

/** Graph still throttled (or unavailable) after the client's own retries; `retryAfterMs` from Retry-After when given. */
export class InvitationThrottledError extends Error {
  constructor(
    readonly statusCode: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`Graph answered ${statusCode} to POST /invitations after retries`);
    this.name = 'InvitationThrottledError';
  }
}

function retryAfterMs(error: GraphError): number | undefined {
  const value = error.headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The documented anti-abuse block; it is never retried and stops a bulk run at once. */
export function isAbuseBlock(error: unknown): boolean {
  return error instanceof GraphError && error.statusCode === 403 && /suspicious activity/i.test(error.message);
}

/**
 * The two invitation refusals Microsoft documents by their sentence, on "Troubleshooting Microsoft Entra B2B collaboration"
 * (https://learn.microsoft.com/entra/external-id/troubleshoot, "Invitation is blocked due to cross-tenant access policies" and
 * "… disabled Microsoft B2B Cross Cloud Worker application"). The page gives the sentence, not the HTTP status or the code.
 */
const CROSS_TENANT_SENTENCES = [/blocked by cross-tenant access settings/i, /B2B Cross Cloud Worker application has been disabled/i];

export function isCrossTenantRefusal(error: GraphError): boolean {
  return CROSS_TENANT_SENTENCES.some((sentence) => sentence.test(error.message));
}

/** Neither refusal has a documented status: a 400 (Graph's "malformed or incorrect") and a 403 ("access is denied") both count. */
const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 403]);

/** The directory's documented conflict code for a value another object already holds (here, a member's proxyAddresses). */
const SAME_KEY_VALUE = 'Request_MultipleObjectsWithSameKeyValue';
/** Graph's code for a caller without the permission (User.Invite.All): never read as the tenant's list. */
const PERMISSION_DENIED = 'Authorization_RequestDenied';

/**
 * Why Graph refused an invitation, by what Microsoft documents rather than by any wording of the sandbox's:
 * - the anti-abuse block: 403 with its reported sentence;
 * - cross-tenant access settings: the documented sentence, with either status;
 * - the tenant's own allow or block list: Entra documents that it refuses the listed (or unlisted) domains but not the
 *   status, code or message it answers with, so a 400 or 403 for an address whose domain the tenant's list refuses
 *   (`tenantList`, from b2bManagementPolicies) is a policy refusal whatever the message says;
 * - a conflict: the directory's code, or its "already exists" message;
 * - a missing permission: 403 `Authorization_RequestDenied`, forbidden even for a listed domain;
 * - otherwise 403 is forbidden and 400 invalid.
 * The message is Graph's own, shown as it came.
 */
export function classifyInvitationRefusal(error: GraphError, tenantList?: PolicyVerdict): InvitationRefusal | undefined {
  const message = error.message || error.code || `Graph answered ${error.statusCode}`;
  if (isAbuseBlock(error)) return { kind: 'abuse', message };
  if (!REFUSAL_STATUSES.has(error.statusCode)) return undefined;
  if (isCrossTenantRefusal(error)) return { kind: 'policy', message };
  if (error.statusCode === 400 && (error.code === SAME_KEY_VALUE || /already exists/i.test(message))) return { kind: 'conflict', message };
  if (error.code === PERMISSION_DENIED) return { kind: 'forbidden', message };
  if (tenantList?.kind === 'refused') return { kind: 'policy', message };
  if (error.statusCode === 403) return { kind: 'forbidden', message };
  return { kind: 'invalid', message };
}

/** Whether telling a refusal apart needs the tenant's allow or block list: only a 400 or 403 that says nothing else does. */
function needsTenantList(error: GraphError): boolean {
  return REFUSAL_STATUSES.has(error.statusCode) && !isAbuseBlock(error) && !isCrossTenantRefusal(error) && error.code !== SAME_KEY_VALUE && error.code !== PERMISSION_DENIED;
}

function domainOf(email: string): string {
  return domainToASCII(email.slice(email.lastIndexOf('@') + 1)).toLowerCase();
}

const POLICY_CACHE_MS = 60_000;

/** The Graph calls for inviting partners: one look-up, one POST /invitations, one member add per group. */
export class GraphInvitations {
  constructor(private readonly graph: Client) {}

  /**
   * One GET that finds any object already holding the address: mail, otherMails, proxyAddresses, or the guest UPN form
   * (`local_domain#EXT#@…`, matched by prefix so the tenant's initial domain need not be known).
   */
  async findByEmail(email: string): Promise<ExistingUser[]> {
    const guestUpnPrefix = `${email.replace('@', '_')}#EXT#@`;
    const filter = [
      `mail eq ${odataString(email)}`,
      `otherMails/any(m:m eq ${odataString(email)})`,
      `proxyAddresses/any(p:p eq ${odataString(`smtp:${email}`)})`,
      `startsWith(userPrincipalName,${odataString(guestUpnPrefix)})`,
    ].join(' or ');
    // The Graph client does not encode query values, and `#` or `+` in them would be misread: encode here.
    const path = `/users?$filter=${encodeURIComponent(filter)}&$select=${EXISTING_USER_SELECT.join(',')}&$top=5`;
    try {
      const response: unknown = await this.graph.api(path).get();
      return UserPage.parse(response).value;
    } catch (error) {
      throw directoryUnavailable('Looking up the address', error);
    }
  }

  async invite(request: InvitationRequest): Promise<InvitationResponse> {
    const messageInfo =
      request.message || request.language || request.cc
        ? {
            invitedUserMessageInfo: {
              ...(request.message ? { customizedMessageBody: request.message } : {}),
              ...(request.language ? { messageLanguage: request.language } : {}),
              ...(request.cc ? { ccRecipients: [{ emailAddress: { address: request.cc } }] } : {}),
            },
          }
        : {};
    const body = {
      invitedUserEmailAddress: request.email,
      inviteRedirectUrl: request.redirectUrl,
      sendInvitationMessage: request.sendInvitationMessage,
      ...(request.displayName ? { invitedUserDisplayName: request.displayName } : {}),
      ...messageInfo,
      ...(request.sponsorIds.length > 0 ? { invitedUserSponsors: request.sponsorIds.map((id) => ({ id })) } : {}),
      ...(request.resetRedemptionOf ? { resetRedemption: true, invitedUser: { id: request.resetRedemptionOf } } : {}),
      ...(request.convertUserId && !request.resetRedemptionOf ? { invitedUser: { id: request.convertUserId } } : {}),
    };
    try {
      const response: unknown = await this.graph.api('/invitations').post(body);
      return InvitationResponse.parse(response);
    } catch (error) {
      if (error instanceof GraphError) {
        const tenantList = needsTenantList(error) ? judgeDomain(await this.tenantInvitationPolicy(), domainOf(request.email)) : undefined;
        const refusal = classifyInvitationRefusal(error, tenantList);
        if (refusal) throw new InvitationRefusedError(refusal);
        if ([429, 503, 504].includes(error.statusCode)) throw new InvitationThrottledError(error.statusCode, retryAfterMs(error));
      }
      throw directoryUnavailable('Sending the invitation', error);
    }
  }

  /**
   * Adds a member; an existing membership counts as done, so a repeated step is harmless. A guest invited a moment ago may
   * not have replicated yet, so Graph's "does not exist" naming the guest is retried with a short back-off; after that the
   * error says the guest exists and only the group add is left to retry.
   */
  async addToGroup(groupId: string, objectId: string, graphBaseUrl = 'https://graph.microsoft.com'): Promise<'added' | 'already'> {
    try {
      await retryWhileReplicating(
        objectId,
        () => this.graph.api(`/groups/${pathSegment(groupId)}/members/$ref`).post({ '@odata.id': `${graphBaseUrl}/v1.0/directoryObjects/${objectId}` }),
        (waitedMs) =>
          `The guest ${objectId} was created, but Microsoft Entra still did not find it for the group add after ${(waitedMs / 1000).toFixed(1)} s (replication delay). The guest exists; add them to group ${groupId} again in a minute, or in Entra.`,
      );
      return 'added';
    } catch (error) {
      if (error instanceof NotReplicatedError) throw error;
      if (error instanceof GraphError && error.statusCode === 400 && /already exist/i.test(error.message)) return 'already';
      throw directoryUnavailable('Adding the guest to a group', error);
    }
  }

  private policyCache: { policy: TenantInvitationPolicy; until: number } | undefined;

  /**
   * The tenant's own allow or block list for invitations; `unknown` when it cannot be read. Kept for a minute: it changes
   * rarely, Entra checks it again at send, and a failed read is not kept so the next form asks again.
   */
  async tenantInvitationPolicy(): Promise<TenantInvitationPolicy> {
    const now = Date.now();
    if (this.policyCache && this.policyCache.until > now) return this.policyCache.policy;
    const policy = await readTenantInvitationPolicy(this.graph);
    this.policyCache = policy.kind === 'unknown' ? undefined : { policy, until: now + POLICY_CACHE_MS };
    return policy;
  }

  /**
   * Everyone who may approve: users in the admin group, through nested groups too. The cast on a transitive list is an
   * advanced query, so it carries ConsistencyLevel: eventual and $count=true, or Graph refuses it.
   */
  async transitiveUserMemberIds(groupId: string): Promise<string[]> {
    try {
      const url = `/groups/${pathSegment(groupId)}/transitiveMembers/microsoft.graph.user?$select=id&$top=999&$count=true`;
      const users = await allPages(this.graph, url, UserId, { headers: ADVANCED_QUERY_HEADERS });
      return users.map((u) => u.id.toLowerCase());
    } catch (error) {
      throw directoryUnavailable('Listing the admins', error);
    }
  }
}
