import { sameObjectId } from './objectId';
import { isAllowed, type Role } from './policy';

/**
 * Every resource-level rule of the bot, in one place: what this caller may do to this record. Entry points, services and
 * presenters all ask here, so a button is shown exactly when the click would be allowed. Plain data in, so that services
 * and presenters alike can call it without this module importing either.
 */
export interface CapabilityCaller {
  aadObjectId: string;
  roles: readonly Role[];
}

const isAdmin = (caller: CapabilityCaller): boolean => isAllowed(caller.roles, 'admins');

/** The fields of an access request that say who may decide it. */
export interface DecidableAccessRequest {
  requesterObjectId: string;
  guestObjectId: string;
  approverObjectIds: readonly string[];
  approverSource: 'owners' | 'admins';
}

export type AccessDecisionRight =
  | { allowed: true }
  | { allowed: false; reason: 'self-approval' | 'partner-approval' | 'not-an-owner' | 'not-an-admin' };

/**
 * Who may approve or deny an access request: never its requester or its partner; otherwise one of its approvers. Without
 * `live`, the approvers are those recorded on the request, and any admin for a request the admins decide (admins added since
 * it was made): that is what the card's buttons and `pending` show. The decision itself passes `live`, the approvers just
 * read from Graph, and then only they count, so a removed owner's or admin's click is refused even within the role cache.
 */
export function canDecideAccess(
  caller: CapabilityCaller,
  request: DecidableAccessRequest,
  live?: { ids: readonly string[]; source: 'owners' | 'admins' },
): AccessDecisionRight {
  const me = caller.aadObjectId;
  if (sameObjectId(me, request.requesterObjectId)) return { allowed: false, reason: 'self-approval' };
  if (sameObjectId(me, request.guestObjectId)) return { allowed: false, reason: 'partner-approval' };
  const source = live?.source ?? request.approverSource;
  const approver = live
    ? live.ids.some((id) => sameObjectId(id, me))
    : request.approverObjectIds.some((id) => sameObjectId(id, me)) || (request.approverSource === 'admins' && isAdmin(caller));
  if (approver) return { allowed: true };
  return { allowed: false, reason: source === 'owners' ? 'not-an-owner' : 'not-an-admin' };
}

export type AccessForwardRight =
  | { allowed: true }
  | { allowed: false; reason: 'caller-not-an-approver' | 'to-yourself' | 'to-the-requester' | 'to-the-partner' | 'target-not-an-approver' };

/**
 * Forward to…: one who may decide a request (canDecideAccess, on the approvers Graph lists now) hands it to another person
 * who may decide it as well, never to themselves, to its requester (that would be self-approval) or to its partner. So a
 * forward gives nobody a right they did not have: it only puts the card, and the reminders, in front of that person.
 */
export function canForwardAccess(
  caller: CapabilityCaller,
  request: DecidableAccessRequest,
  live: { ids: readonly string[]; source: 'owners' | 'admins' },
  targetObjectId: string,
): AccessForwardRight {
  if (!canDecideAccess(caller, request, live).allowed) return { allowed: false, reason: 'caller-not-an-approver' };
  if (sameObjectId(targetObjectId, caller.aadObjectId)) return { allowed: false, reason: 'to-yourself' };
  if (sameObjectId(targetObjectId, request.requesterObjectId)) return { allowed: false, reason: 'to-the-requester' };
  if (sameObjectId(targetObjectId, request.guestObjectId)) return { allowed: false, reason: 'to-the-partner' };
  if (!live.ids.some((id) => sameObjectId(id, targetObjectId))) return { allowed: false, reason: 'target-not-an-approver' };
  return { allowed: true };
}

/** Who may look at an access request, and as whom: its requester, its recorded approvers, and admins. */
export function accessRequestViewer(
  caller: CapabilityCaller,
  request: Pick<DecidableAccessRequest, 'requesterObjectId' | 'approverObjectIds'>,
): 'requester' | 'approver' | 'admin' | undefined {
  if (sameObjectId(caller.aadObjectId, request.requesterObjectId)) return 'requester';
  if (request.approverObjectIds.some((id) => sameObjectId(id, caller.aadObjectId))) return 'approver';
  if (isAdmin(caller)) return 'admin';
  return undefined;
}

/** An admin's invitation goes out at once; a partner manager's becomes a request to the admins. */
export function canInviteWithoutApproval(caller: CapabilityCaller): boolean {
  return isAdmin(caller);
}

/** Another admin decides a manager's invitation, once, while it is pending; never the person who asked for it. */
export function canDecideInvitation(caller: CapabilityCaller, invitation: { requesterId: string; state: string }): boolean {
  return invitation.state === 'pending' && isAdmin(caller) && !sameObjectId(caller.aadObjectId, invitation.requesterId);
}

/** An invitation an admin sent directly that failed may be sent again by an admin; a decided request may not. */
export function canRetryInvitation(caller: CapabilityCaller, invitation: { state: string; decidedBy?: string }): boolean {
  return invitation.state === 'failed' && isAdmin(caller) && !invitation.decidedBy;
}

/** Renewing a pending guest's link: the same people who may invite. */
export function canResendInvitation(caller: CapabilityCaller): boolean {
  return isAllowed(caller.roles, 'partnerManagers');
}

/** Resetting an accepted guest's redemption moves their sign-in to a new identity: admins only. */
export function canResetRedemption(caller: CapabilityCaller): boolean {
  return isAdmin(caller);
}

/** Several addresses or a CSV in one go: admins only, because a run spends the tenant's invitation budget. */
export function canBulkInvite(caller: CapabilityCaller): boolean {
  return isAdmin(caller);
}

/** A bulk run may be cancelled by the admin who asked for it or by any admin. */
export function canCancelBulkRun(caller: CapabilityCaller, run: { requesterId: string }): boolean {
  return sameObjectId(caller.aadObjectId, run.requesterId) || isAdmin(caller);
}

/**
 * Who may revoke a partner's access to an app: admins, or the app's owners as Graph lists them now. Called without owners it
 * answers for admins only, so a service can skip the Graph call for them.
 */
export function canRevoke(caller: CapabilityCaller, ownerObjectIds: readonly string[] = []): 'admin' | 'owner' | undefined {
  if (isAdmin(caller)) return 'admin';
  return ownerObjectIds.some((id) => sameObjectId(id, caller.aadObjectId)) ? 'owner' : undefined;
}

/**
 * What `whois` shows beyond who someone is (Guest or Member, where the account comes from, invitation state), which every
 * member of the organization may see. Last sign-in, sponsors and app access are for partner managers and admins; an app's
 * owners see the assignments on the apps they own, and only those. What a caller may not see is not even read.
 */
export interface WhoisDetail {
  lastSignIn: boolean;
  sponsors: boolean;
  appAccess: 'allApps' | 'appsTheyOwn';
}

export function whoisDetailFor(caller: CapabilityCaller): WhoisDetail {
  if (isAllowed(caller.roles, 'partnerManagers')) return { lastSignIn: true, sponsors: true, appAccess: 'allApps' };
  return { lastSignIn: false, sponsors: false, appAccess: 'appsTheyOwn' };
}

/**
 * Only the person who asked may take a request back, and only while nobody has decided it: once approved, the grant is on
 * its way and ending it is a revoke, with its own rules.
 */
export function canWithdrawAccessRequest(caller: CapabilityCaller, request: { requesterObjectId: string; state: string }): boolean {
  return request.state === 'pending' && sameObjectId(caller.aadObjectId, request.requesterObjectId);
}

/**
 * Who may ask to extend a live grant, or let it end, from its expiry notice or `expiring`: the person who asked for it,
 * the partner's sponsors (as Graph lists them now, passed in), and partner managers and admins. Never the partner. An
 * extension is then approved like any other request, so asking changes nothing by itself.
 */
export function canExtendGrant(
  caller: CapabilityCaller,
  grant: { requesterObjectId: string; guestObjectId: string },
  sponsorObjectIds: readonly string[] = [],
): 'requester' | 'sponsor' | 'manager' | undefined {
  if (sameObjectId(caller.aadObjectId, grant.guestObjectId)) return undefined;
  if (sameObjectId(caller.aadObjectId, grant.requesterObjectId)) return 'requester';
  if (isAllowed(caller.roles, 'partnerManagers')) return 'manager';
  return sponsorObjectIds.some((id) => sameObjectId(id, caller.aadObjectId)) ? 'sponsor' : undefined;
}

/** `expiring`: the grants that end soon across all partners, for partner managers and admins. */
export function canListExpiringGrants(caller: CapabilityCaller): boolean {
  return isAllowed(caller.roles, 'partnerManagers');
}

/**
 * Who may run the access doctor: partner managers and admins on anyone, and an app's owners (Graph's list now) on their
 * own app. Called without owners it answers for the roles only, so a service can skip the owner read for them.
 */
export function canRunDoctor(caller: CapabilityCaller, ownerObjectIds: readonly string[] = []): 'manager' | 'owner' | undefined {
  if (isAllowed(caller.roles, 'partnerManagers')) return 'manager';
  return ownerObjectIds.some((id) => sameObjectId(id, caller.aadObjectId)) ? 'owner' : undefined;
}

/** The doctor's fixes: Request access is a partner manager's or admin's (the access.request action's permission). */
export function canRequestAccess(caller: CapabilityCaller): boolean {
  return isAllowed(caller.roles, 'partnerManagers');
}
