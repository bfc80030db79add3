import { randomUUID } from 'node:crypto';
import type { ProxyApp } from '../../bot/graph/appProxy';
import { scheduleAccessExpiry } from '../../bot/jobs/accessExpiry.job';
import type { GuestIdentity } from '../../bot/onprem/shadowAccounts';
import type { AppAccessService } from '../../bot/services/appAccess';
import type { AccessRequestRecord, GrantProgress, Store } from '../../bot/store';
import type { JobQueue } from '../../bot/jobs';

export interface GrantedAccess {
  record: AccessRequestRecord;
  /** The expiry job's id. */
  jobId: string;
}

/**
 * A grant as the request → approve → grant flow leaves it, without its chat turns: the request row moved pending → approved
 * → granted, the real grant (shadow account for Kerberos, then the assignment), and the expiry job scheduled in the same
 * transaction that marks it granted. Expiry and revoke tests start from here.
 */
export async function grantAccess(
  deps: { store: Store; appAccess: AppAccessService; queue: JobQueue },
  options: {
    app: ProxyApp;
    guest: GuestIdentity;
    requester: { aadObjectId: string; name: string };
    approver?: { aadObjectId: string; name: string };
    appRoleId?: string;
    expiresAt: Date;
    /** A locally managed partner synced from AD: their own account serves Kerberos, so no shadow account is made. */
    onPremSynced?: boolean;
  },
): Promise<GrantedAccess> {
  const { store, appAccess, queue } = deps;
  const { app, guest, requester, expiresAt } = options;
  const role = appAccess.roleFor(app, options.appRoleId);
  const now = new Date();
  const created = await store.accessRequests.create({
    id: randomUUID(),
    requesterObjectId: requester.aadObjectId,
    requesterName: requester.name,
    guestObjectId: guest.objectId,
    guestUpn: guest.userPrincipalName,
    guestDisplayName: guest.displayName,
    ...(guest.mail ? { guestMail: guest.mail } : {}),
    servicePrincipalId: app.servicePrincipalId,
    appId: app.appId,
    appDisplayName: app.displayName,
    appRoleId: role,
    ...(app.roles.find((r) => r.id === role) ? { appRoleName: app.roles.find((r) => r.id === role)?.displayName } : {}),
    ssoKind: app.ssoKind,
    ...(options.onPremSynced ? { guestOnPremSynced: true, shadowPlan: 'synced' as const } : {}),
    durationDays: Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 86_400_000)),
    justification: 'Quarterly close with the partner team',
    approverSource: 'owners',
    approverObjectIds: [],
    approvalDeadline: new Date(now.getTime() + 7 * 86_400_000),
  });
  const approver = options.approver ?? { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
  if (!(await store.accessRequests.transition(created, 'approved', { decided_by: approver.aadObjectId, decided_by_name: approver.name, decided_at: now.toISOString() }))) {
    throw new Error('could not approve the test request');
  }
  const held = await appAccess.heldOn(app.servicePrincipalId, guest.objectId, role);
  const result = held.length > 0 ? undefined : await appAccess.grant(app, guest, role, { ownOnPremAccount: options.onPremSynced === true });
  // What the grant step records: the assignment it made (none when the partner already held the role), the shadow account.
  const progress: GrantProgress = result
    ? {
        assignmentId: result.assignment.id,
        alreadyAssigned: result.alreadyAssigned,
        createdAssignmentId: result.alreadyAssigned ? null : result.assignment.id,
        ...(result.shadow ? { shadowAccount: { samAccountName: result.shadow.sAMAccountName, dn: result.shadow.dn, created: result.shadow.action === 'created', action: result.shadow.action } } : {}),
      }
    : { alreadyHadAccess: true, createdAssignmentId: null, alreadyAssigned: true };
  const approved = await store.accessRequests.get(created.id);
  if (!approved) throw new Error('the test request vanished');
  const jobId = await store.transaction(async (tx) => {
    if (!(await tx.accessRequests.transition(approved, 'granted', { granted_at: now.toISOString(), expires_at: expiresAt.toISOString(), grant_progress: JSON.stringify(progress) }))) {
      throw new Error('could not mark the test request granted');
    }
    return (await scheduleAccessExpiry(queue, created.id, expiresAt, tx.db)).id;
  });
  const record = await store.accessRequests.get(created.id);
  if (!record) throw new Error('the test request vanished');
  return { record, jobId };
}

/** Makes a grant due now: its expiry time and its job's run time move to the past. */
export async function makeDue(store: Store, grant: GrantedAccess, at = new Date(Date.now() - 1000)): Promise<void> {
  await store.db.updateTable('access_request').set({ expires_at: at.toISOString() }).where('id', '=', grant.record.id).execute();
  await store.db.updateTable('job').set({ run_at: at.toISOString() }).where('id', '=', grant.jobId).execute();
}
