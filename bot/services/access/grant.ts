import { DEFAULT_ACCESS_ROLE_ID, type ProxyApp } from '../../graph/appProxy';
import { DirectoryUnavailableError } from '../../graph/errors';
import type { AccessRequestRecord, GrantProgress, StoreTransaction } from '../../store';
import { AppAccessRefused } from '../appAccess';
import type { GroupGrantResult } from './adGroups';
import type { AccessApprovalCards } from './approvers';
import type { AccessGrantLife } from './grantLife';
import { scheduleAccessExpiry, type GrantJobPayload } from './schedule';
import { AccessRequestPart, SYSTEM_ACTOR, type AccessRequestContext, type GrantStepOutcome } from './types';

/** What ensuring the shadow account did, told from its state before the grant touched it. */
const SHADOW_ACTION_BEFORE: Record<NonNullable<GrantProgress['before']>['shadow'], 'created' | 'reenabled' | 'unchanged' | undefined> = {
  missing: 'created',
  disabled: 'reenabled',
  enabled: 'unchanged',
  notChecked: undefined,
};

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Graph refusals that a retry cannot fix: the guest or the app is gone, or the role no longer exists. */
function isPermanent(error: unknown): boolean {
  if (error instanceof AppAccessRefused) return true;
  if (error instanceof DirectoryUnavailableError) return error.statusCode === 400 || error.statusCode === 404;
  return false;
}

/**
 * The grant step of an approved request, run by the grant job: every step is safe to repeat, so a crash anywhere resumes
 * by finding what was already done. Granted commits with its expiry job and audit row; a refusal no retry fixes ends failed.
 */
export class AccessGrant extends AccessRequestPart {
  constructor(
    ctx: AccessRequestContext,
    private readonly cards: AccessApprovalCards,
    private readonly life: AccessGrantLife,
  ) {
    super(ctx);
  }

  /**
   * One step of the grant job. In order: announce "approved, granting" on every card; make sure of the shadow account
   * (Kerberos) and the assignment, each found rather than made twice when repeated; then approved → granted with its
   * expiry job and audit row in one transaction; then the cards and the requester. After a crash the step runs again and
   * finds what was already done. A denied or timed-out request gets only the last two. `attempt` is the job's attempt at
   * this step (1 the first time): a later one at telling the requester may follow a delivery cut short, and says it may
   * repeat.
   */
  async grantStep(payload: GrantJobPayload, attempt = 1): Promise<GrantStepOutcome> {
    const record = await this.repo.get(payload.requestId);
    if (!record) return { status: 'done', payload };
    if (record.state === 'granted' || record.state === 'extended' || record.state === 'failed' || record.state === 'denied' || record.state === 'timedOut') {
      if (payload.notified) return { status: 'done', payload };
      if (!payload.cardsUpdated) {
        await this.cards.update(record);
        return { status: 'continue', payload: { ...payload, cardsUpdated: true } };
      }
      // Telling the requester is a step of its own, so a second attempt of it means the first was cut short, possibly
      // after Teams had delivered it: Teams offers no way to ask, so the message is sent again and says it may repeat.
      try {
        await this.cards.deliverToRequester(record, { repeat: attempt > 1 });
      } catch (error) {
        return { status: 'retry', error: `could not tell the requester: ${message(error)}`, payload };
      }
      return { status: 'done', payload: { ...payload, notified: true } };
    }
    if (record.state !== 'approved') return { status: 'done', payload };
    if (!payload.announced) {
      await this.cards.update(record);
      return { status: 'continue', payload: { ...payload, announced: true } };
    }
    if (record.extendsRequestId) {
      // An extension moves its grant's end date; the assignment and the shadow account stay as the grant made them.
      await this.life.applyExtension(record);
      return { status: 'continue', payload };
    }
    const app: ProxyApp = {
      servicePrincipalId: record.servicePrincipalId,
      appId: record.appId ?? '',
      displayName: record.appDisplayName,
      ssoKind: record.ssoKind,
      roles: record.appRoleId === DEFAULT_ACCESS_ROLE_ID ? [] : [{ id: record.appRoleId, displayName: record.appRoleName ?? record.appRoleId }],
    };
    let progress: GrantProgress = record.grantProgress;
    let groups: GroupGrantResult | undefined;
    try {
      // What the partner holds is read, and written down, before anything changes: after a crash, the repeated step still
      // tells what the bot made from what was there (Graph's "already exists" alone cannot).
      if (!progress.before) {
        progress = { ...progress, before: await this.readBefore(record) };
        await this.repo.saveGrantProgress(record.id, progress, null);
      }
      const before = progress.before ?? { held: [], shadow: 'notChecked' as const };
      if (before.held.length > 0) {
        // The partner already holds the role (directly or through a group): nothing to change, nothing to remove later.
        progress = { ...progress, alreadyHadAccess: true, createdAssignmentId: null, alreadyAssigned: true, ...(before.held[0] ? { assignmentId: before.held[0].id } : {}) };
      } else {
        const result = await this.deps.appAccess.grant(
          app,
          { objectId: record.guestObjectId, userPrincipalName: record.guestUpn, displayName: record.guestDisplayName, ...(record.guestMail ? { mail: record.guestMail } : {}) },
          record.appRoleId,
          { ownOnPremAccount: record.guestOnPremSynced },
        );
        const shadowAction = SHADOW_ACTION_BEFORE[before.shadow] ?? result.shadow?.action;
        progress = {
          ...progress,
          ...(result.shadow
            ? { shadowAccount: { samAccountName: result.shadow.sAMAccountName, dn: result.shadow.dn, created: shadowAction === 'created', ...(shadowAction ? { action: shadowAction } : {}) } }
            : {}),
          assignmentId: result.assignment.id,
          alreadyAssigned: result.alreadyAssigned,
          // The partner held nothing before this grant, so the assignment is this grant's, even when a repeat after a
          // crash met Graph's "already exists" for it.
          createdAssignmentId: result.assignment.id,
        };
        // After the assignment is in `progress`, so a grant that gives up on a group still records what it made.
        groups = await this.addToGroups(record, result.shadow?.dn);
        if (groups) progress = { ...progress, adGroups: { ...progress.adGroups, added: groups.added, alreadyMember: groups.alreadyMember } };
      }
    } catch (error) {
      const reason = message(error);
      if (isPermanent(error)) {
        await this.fail(record, reason);
        return { status: 'continue', payload };
      }
      await this.repo.saveGrantProgress(record.id, progress, reason);
      const current = await this.repo.get(record.id);
      if (current) await this.cards.update(current);
      return { status: 'retry', error: reason, payload };
    }
    const grantedAt = this.now();
    const expiresAt = new Date(grantedAt.getTime() + record.durationDays * 86_400_000);
    await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, 'granted', {
        grant_progress: JSON.stringify(progress),
        grant_error: null,
        granted_at: grantedAt.toISOString(),
        expires_at: expiresAt.toISOString(),
      });
      if (!ok) return;
      await tx.audit.append({
        actor: record.decidedBy ?? SYSTEM_ACTOR,
        actorName: record.decidedByName,
        action: 'access.grant',
        target: record.guestUpn,
        outcome: 'success',
        detail: {
          request: record.id,
          app: record.servicePrincipalId,
          role: record.appRoleId,
          assignment: progress.assignmentId,
          alreadyAssigned: progress.alreadyAssigned,
          createdAssignment: progress.createdAssignmentId ?? null,
          ...(progress.alreadyHadAccess ? { alreadyHadAccess: true, heldBefore: progress.before?.held ?? [] } : {}),
          ...(progress.shadowAccount ? { shadowAccount: progress.shadowAccount.dn, shadowCreated: progress.shadowAccount.created, shadowAction: progress.shadowAccount.action } : {}),
          ...(groups && groups.added.length + groups.alreadyMember.length > 0 ? { adGroupsAdded: groups.added, adGroupsAlreadyMember: groups.alreadyMember } : {}),
          expiresAt: expiresAt.toISOString(),
        },
      });
      await scheduleAccessExpiry(this.deps.jobs, record.id, expiresAt, tx.db);
      await this.life.scheduleNotices(tx, record.id, expiresAt, grantedAt);
    });
    return { status: 'continue', payload };
  }

  /**
   * For a Kerberos app whose role maps to AD groups: puts the account Kerberos delegation uses in them, the shadow account
   * just ensured or, for a synced partner, their own AD account. After the assignment, so a grant that Graph refuses adds
   * nobody to a group; before granted, so a grant is never shown done with its groups missing. A grant that gives up here
   * ends failed; revoke then removes what it recorded (the assignment, the groups).
   */
  private async addToGroups(record: AccessRequestRecord, shadowDn: string | undefined): Promise<GroupGrantResult | undefined> {
    const adGroups = this.deps.appAccess.adGroups;
    if (record.ssoKind !== 'kerberos' || !adGroups || adGroups.groupsFor(record.servicePrincipalId, record.appRoleId).length === 0) return undefined;
    const memberDn = shadowDn ?? (record.guestOnPremSynced ? await adGroups.ownAccountDn(record.guestObjectId) : undefined);
    if (!memberDn) throw new Error(`${record.appDisplayName} maps ${record.appRoleName ?? 'this role'} to AD groups, but the grant has no AD account to put in them.`);
    return adGroups.grant(record, memberDn);
  }

  /** The role's assignments the partner holds before the grant, and the shadow account's state when the grant needs one. */
  private async readBefore(record: AccessRequestRecord): Promise<NonNullable<GrantProgress['before']>> {
    const held = await this.deps.appAccess.heldOn(record.servicePrincipalId, record.guestObjectId, record.appRoleId);
    const accounts = this.deps.appAccess.shadowAccounts;
    if (record.ssoKind !== 'kerberos' || record.guestOnPremSynced || !accounts) return { held, shadow: 'notChecked' };
    const account = await accounts.find(record.guestObjectId);
    return { held, shadow: !account ? 'missing' : account.enabled ? 'enabled' : 'disabled' };
  }

  /** The grant job gave up (attempts exhausted) or met a refusal no retry fixes: approved → failed, audited. */
  async fail(record: AccessRequestRecord, reason: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, 'failed', { grant_error: reason });
      if (ok) await this.auditFailure(tx, record, reason);
    });
  }

  /** For the job's onFailed: marks the request failed if the job left it approved, then brings the cards and requester up to date. */
  async giveUp(requestId: string, reason: string): Promise<void> {
    const record = await this.repo.get(requestId);
    if (!record) return;
    if (record.state === 'approved') await this.fail(record, reason);
    const settled = await this.repo.get(requestId);
    if (settled?.state === 'failed') {
      await this.cards.update(settled);
      await this.cards.tellRequester(settled);
    }
  }

  private async auditFailure(tx: StoreTransaction, record: AccessRequestRecord, reason: string): Promise<void> {
    await tx.audit.append({
      actor: record.decidedBy ?? SYSTEM_ACTOR,
      actorName: record.decidedByName,
      action: 'access.grant',
      target: record.guestUpn,
      outcome: 'failed',
      detail: { request: record.id, app: record.servicePrincipalId, role: record.appRoleId, reason },
    });
  }

}
