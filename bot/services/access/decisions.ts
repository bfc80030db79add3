import type { Caller } from '../../identity/caller';
import type { AccessRequestRecord, AccessRequestState } from '../../store';
import { decidersFor } from './approvers';
import { accessEscalationKey, accessGrantJob, accessReminderKey, waitingJobKeys } from './schedule';
import { AccessRequestPart, MAX_JUSTIFICATION_LENGTH, SYSTEM_ACTOR, type DecisionOutcome } from './types';
import { canDecideAccess } from '../../identity/capabilities';
import { sameObjectId } from '../../identity/objectId';

/**
 * Decisions on a pending request: approve or deny by someone Graph lists as an approver now, or time-out at the deadline.
 * Each is one compare-and-set with its audit row and the grant job, in one transaction: the job grants an approval, and
 * for any of the three updates the cards and tells the requester, so a crash after the move cannot lose the notice.
 */
export class AccessRequestDecisions extends AccessRequestPart {
  approve(caller: Caller, id: string, comment?: string): Promise<DecisionOutcome> {
    return this.decide(caller, id, 'approve', comment);
  }

  deny(caller: Caller, id: string, comment?: string): Promise<DecisionOutcome> {
    return this.decide(caller, id, 'deny', comment);
  }

  /**
   * One decision settles a request. Refused: the requester, the partner, and anyone Graph does not list as an approver now.
   * The pending → approved | denied step is one compare-and-set with its audit row and the grant job, so a double click or
   * a second approver loses and gets the request as it now stands.
   */
  private async decide(caller: Caller, id: string, decision: 'approve' | 'deny', comment?: string, attempt = 0): Promise<DecisionOutcome> {
    const record = await this.repo.get(id);
    if (!record) return { kind: 'notFound' };
    if (record.state !== 'pending') return { kind: 'current', record };
    const me = caller.aadObjectId.toLowerCase();
    const refuse = async (reason: string): Promise<void> => {
      await this.deps.store.audit.append({
        actor: me,
        actorName: caller.name,
        action: `access.${decision}`,
        target: record.guestUpn,
        outcome: 'refused',
        detail: { request: id, reason, app: record.servicePrincipalId },
      });
    };
    if (sameObjectId(record.requesterObjectId, me)) {
      await refuse('self-approval');
      return { kind: 'selfApproval', record };
    }
    if (sameObjectId(record.guestObjectId, me)) {
      await refuse('partner-approval');
      return { kind: 'partner', record };
    }
    if (this.now() >= record.approvalDeadline) {
      await this.timeOut(record);
      return { kind: 'current', record: (await this.repo.get(id)) ?? record };
    }
    const approvers = await decidersFor(this.ctx, record);
    if (!canDecideAccess(caller, record, approvers).allowed) {
      await refuse(approvers.source === 'owners' ? 'not-an-owner' : 'not-an-admin');
      return { kind: 'notApprover', record, approverSource: approvers.source };
    }
    const cleanComment = comment?.trim().slice(0, MAX_JUSTIFICATION_LENGTH) || null;
    const next: AccessRequestState = decision === 'approve' ? 'approved' : 'denied';
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, next, {
        decided_by: me,
        decided_by_name: caller.name,
        decided_at: this.now().toISOString(),
        decision_comment: cleanComment,
      });
      if (!ok) return false;
      await tx.audit.append({
        actor: me,
        actorName: caller.name,
        action: `access.${decision}`,
        target: record.guestUpn,
        outcome: 'success',
        detail: { request: id, app: record.servicePrincipalId, requester: record.requesterObjectId, approverSource: approvers.source, ...(cleanComment ? { comment: cleanComment } : {}) },
      });
      await this.deps.jobs.schedule(accessGrantJob(id), tx.db);
      return true;
    });
    const settled = (await this.repo.get(id)) ?? record;
    // Still pending: the click lost to a change that decided nothing (the escalation adding the admins). Decide again on
    // the new version, re-checked as before, rather than telling the approver it was decided.
    if (!won && settled.state === 'pending' && attempt < 2) return this.decide(caller, id, decision, comment, attempt + 1);
    if (!won) return { kind: 'current', record: settled };
    await this.cancelTimeout(id);
    // The grant job updates every card from here on, so the cards only ever move forward, and tells the requester.
    this.deps.jobs.wake();
    return { kind: 'decided', record: settled };
  }

  /** The decision makes the time-out, the reminders and the escalation pointless; their steps would also find it settled. */
  private async cancelTimeout(id: string): Promise<void> {
    for (const key of waitingJobKeys(id)) await this.deps.jobs.cancel(key);
  }

  /** pending → timedOut, by the time-out job or by a click that came too late. Returns whether this caller moved it. */
  private async timeOut(record: AccessRequestRecord): Promise<boolean> {
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, 'timedOut', { decided_at: this.now().toISOString() });
      if (ok) {
        await tx.audit.append({
          actor: SYSTEM_ACTOR,
          action: 'access.timeout',
          target: record.guestUpn,
          outcome: 'success',
          detail: { request: record.id, app: record.servicePrincipalId, requester: record.requesterObjectId, deadline: record.approvalDeadline.toISOString() },
        });
        // As for a decision: the request's job updates the cards and tells the requester, so a crash cannot lose the notice.
        await this.deps.jobs.schedule(accessGrantJob(record.id), tx.db);
      }
      return ok;
    });
    if (won) {
      await this.deps.jobs.cancel(accessReminderKey(record.id));
      await this.deps.jobs.cancel(accessEscalationKey(record.id));
      this.deps.jobs.wake();
    }
    return won;
  }

  /**
   * The time-out job's step: a request nobody decided by its deadline ends as timed out; the request's job scheduled with
   * that move then puts it on everyone's card and tells the requester.
   */
  async timeoutStep(id: string): Promise<{ status: 'done' } | { status: 'continue'; runAt: Date }> {
    const record = await this.repo.get(id);
    if (!record || record.state !== 'pending') return { status: 'done' };
    if (this.now() < record.approvalDeadline) return { status: 'continue', runAt: record.approvalDeadline };
    await this.timeOut(record);
    return { status: 'done' };
  }

}
