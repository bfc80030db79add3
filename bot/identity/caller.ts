import type { Activity } from 'botbuilder';
import { canonicalObjectId } from './objectId';
import type { Role } from './policy';

/** Who is speaking, as Teams and Entra identify them. Roles come from Graph, never from the activity. */
export interface Caller {
  /** Always canonical (lowercase GUID, no braces): compare it with `sameObjectId`, never with `===`. */
  aadObjectId: string;
  tenantId: string;
  /** The Teams user id (29:…, the MRI) used for card refresh lists and proactive messages. */
  teamsUserId: string;
  name: string;
  roles: Role[];
}

export type CallerIdentity = Omit<Caller, 'roles'>;

export type IdentityRefusal =
  | { reason: 'no-identity' }
  | { reason: 'foreign-tenant'; tenantId?: string }
  /** `from.aadObjectId` is present but is not a GUID (a UPN, a mail address): it names nobody we can compare. */
  | { reason: 'not-an-object-id' };

/** Teams puts the tenant in channelData.tenant.id on some activities and conversation.tenantId on others. */
export function activityTenantId(activity: Partial<Activity>): string | undefined {
  const channelData: unknown = activity.channelData;
  if (typeof channelData === 'object' && channelData !== null && 'tenant' in channelData) {
    const tenant: unknown = channelData.tenant;
    if (typeof tenant === 'object' && tenant !== null && 'id' in tenant && typeof tenant.id === 'string' && tenant.id) {
      return tenant.id;
    }
  }
  return activity.conversation?.tenantId || undefined;
}

export function identifyCaller(
  activity: Partial<Activity>,
  ourTenantId: string,
): { ok: true; identity: CallerIdentity } | ({ ok: false } & IdentityRefusal) {
  const tenantId = activityTenantId(activity);
  if (!tenantId || tenantId.toLowerCase() !== ourTenantId.toLowerCase()) {
    return { ok: false, reason: 'foreign-tenant', tenantId };
  }
  const given = activity.from?.aadObjectId;
  if (!given || !activity.from?.id) return { ok: false, reason: 'no-identity' };
  const aadObjectId = canonicalObjectId(given);
  if (!aadObjectId) return { ok: false, reason: 'not-an-object-id' };
  return {
    ok: true,
    identity: { aadObjectId, tenantId: ourTenantId, teamsUserId: activity.from.id, name: activity.from.name ?? '' },
  };
}
