import { sameObjectId } from '../../identity/objectId';
import type { AccessApprovalCards } from './approvers';
import type { EscalationPayload } from './schedule';
import { AccessRequestPart, SYSTEM_ACTOR, type AccessRequestContext } from './types';

export type EscalationStepOutcome = { status: 'done' } | { status: 'continue'; payload: EscalationPayload; runAt?: Date } | { status: 'retry'; error: string; payload: EscalationPayload };

/**
 * Escalation of a request nobody decided in ACCESS_ESCALATE_HOURS: the bot admins become its approvers as well. The move is
 * one compare-and-set on the pending request (its version), with its audit row, so a decision landing at the same moment
 * wins or loses cleanly: either the request is decided and the escalation ends, or it is escalated and the decision, which
 * read the old version, retries against the new one. Then the admins get the approval card, every card says so, and the
 * requester is told. Each of those is a step of its own, so a restart repeats at most the one that was running.
 */
export class AccessRequestEscalation extends AccessRequestPart {
  constructor(
    ctx: AccessRequestContext,
    private readonly cards: AccessApprovalCards,
  ) {
    super(ctx);
  }

  async escalateStep(payload: EscalationPayload): Promise<EscalationStepOutcome> {
    const hours = this.deps.settings.escalateHours;
    const record = await this.repo.get(payload.requestId);
    if (!hours || !record || record.state !== 'pending') return { status: 'done' };
    const now = this.now();
    if (now >= record.approvalDeadline) return { status: 'done' };
    const dueAt = new Date(record.createdAt.getTime() + hours * 3_600_000);
    if (now < dueAt) return { status: 'continue', payload, runAt: dueAt };

    if (!record.escalatedAt) {
      const admins = (await this.deps.directory.transitiveUserMemberIds(this.deps.settings.adminGroupId))
        .map((id) => id.toLowerCase())
        .filter((id) => !sameObjectId(id, record.requesterObjectId) && !sameObjectId(id, record.guestObjectId));
      const added = [...new Set(admins)].filter((id) => !record.approverObjectIds.some((a) => sameObjectId(a, id)));
      await this.deps.store.transaction(async (tx) => {
        const escalated = await tx.accessRequests.transition(record, 'pending', {
          escalated_at: now.toISOString(),
          approver_object_ids: JSON.stringify([...record.approverObjectIds, ...added]),
        });
        if (escalated) {
          await tx.audit.append({
            actor: SYSTEM_ACTOR,
            action: 'access.escalate',
            target: record.guestUpn,
            outcome: 'success',
            detail: { request: record.id, app: record.servicePrincipalId, after: `${hours} hours`, added },
          });
        }
      });
      // Won: the next look sends the cards. Lost to a decision or a withdrawal: the next look ends. Lost to another change
      // of the pending row: the next look tries again on the new version. Every loss means the row moved on, so this
      // cannot spin on its own.
      return { status: 'continue', payload };
    }

    if (!payload.cardsSent) {
      const previous = new Set(await this.originalApprovers(record.id));
      const added = record.approverObjectIds.filter((id) => !previous.has(id));
      await this.cards.sendTo(record, added);
      return { status: 'continue', payload: { ...payload, cardsSent: true } };
    }

    const current = (await this.repo.get(record.id)) ?? record;
    await this.cards.update(current);
    if (current.state === 'pending') await this.deps.notifier.sendToUser(current.requesterObjectId, this.deps.messages.escalated(current));
    return { status: 'done' };
  }

  /** The approvers before escalation, as the request's audit row recorded who the escalation added. */
  private async originalApprovers(id: string): Promise<string[]> {
    const record = await this.repo.get(id);
    const rows = await this.deps.store.audit.list({ limit: 50, action: 'access.escalate', target: record?.guestUpn });
    const row = rows.find((r) => r.detail?.request === id);
    const added = Array.isArray(row?.detail?.added) ? (row.detail.added as unknown[]).filter((v): v is string => typeof v === 'string') : [];
    return (record?.approverObjectIds ?? []).filter((a) => !added.includes(a));
  }
}
