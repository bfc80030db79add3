import { sameObjectId } from '../../identity/objectId';
import { reminderDueAt, type ReminderPayload } from './schedule';
import { AccessRequestPart, SYSTEM_ACTOR } from './types';

export type ReminderStepOutcome =
  | { status: 'done' }
  | { status: 'continue'; payload: ReminderPayload; runAt: Date }
  | { status: 'retry'; error: string; payload: ReminderPayload };

/**
 * Who answered by forwarding the request (Forward to…) and has not had it forwarded back since: they are not reminded, while
 * the person they handed it to, now among the approvers, is.
 */
export function handedOnBy(forwards: readonly { by: string; to: string }[]): Set<string> {
  const handedOn = new Set<string>();
  for (const forward of forwards) {
    handedOn.add(forward.by.toLowerCase());
    handedOn.delete(forward.to.toLowerCase());
  }
  return handedOn;
}

/**
 * Reminders for a request nobody has decided: ACCESS_REMINDER_HOURS after it was made, and again each as many hours
 * until its deadline, each approver who has not answered gets a new message pointing at the request (never a second
 * approval card). A decision, a withdrawal or the time-out cancels the job; the step also reads the request first, so a
 * reminder that came due as the request was settled ends without sending anything.
 */
export class AccessRequestReminders extends AccessRequestPart {
  async reminderStep(payload: ReminderPayload): Promise<ReminderStepOutcome> {
    const hours = this.deps.settings.reminderHours;
    const record = await this.repo.get(payload.requestId);
    if (!hours || !record || record.state !== 'pending') return { status: 'done' };
    const now = this.now();
    if (now >= record.approvalDeadline) return { status: 'done' };
    const dueAt = reminderDueAt(record.createdAt, hours, payload.round);
    if (now < dueAt) return { status: 'continue', payload, runAt: dueAt };

    const already = new Set(payload.reminded ?? []);
    const handedOn = handedOnBy(record.forwards ?? []);
    const waiting = this.notAnswered(record.approverObjectIds, record.requesterObjectId, record.guestObjectId).filter((id) => !already.has(id) && !handedOn.has(id));
    const waitingHours = Math.floor((now.getTime() - record.createdAt.getTime()) / 3_600_000);
    const message = this.deps.messages.reminder(record, { waitingHours });
    const reached: string[] = [];
    const unreachable: string[] = [];
    const failed: string[] = [];
    for (const approver of waiting) {
      try {
        if (await this.deps.notifier.sendToUser(approver, message)) reached.push(approver);
        else unreachable.push(approver);
      } catch (error) {
        failed.push(approver);
        this.deps.log?.warn({ err: error, request: record.id, approver }, 'could not deliver a reminder; the step will try again');
      }
    }
    const reminded = [...already, ...reached, ...unreachable];
    if (failed.length > 0) return { status: 'retry', error: `Teams did not take ${failed.length} reminder(s)`, payload: { ...payload, reminded } };

    await this.deps.store.audit.append({
      actor: SYSTEM_ACTOR,
      action: 'access.remind',
      target: record.guestUpn,
      outcome: 'success',
      detail: { request: record.id, app: record.servicePrincipalId, round: payload.round, reminded: reminded.filter((id) => !unreachable.includes(id)), unreachable },
    });
    // Late (every instance was down for days): the next reminder is the next one still ahead, not a burst of missed ones.
    const nextRound = Math.max(payload.round + 1, Math.floor(waitingHours / hours) + 1);
    const next = reminderDueAt(record.createdAt, hours, nextRound);
    if (next >= record.approvalDeadline) return { status: 'done' };
    return { status: 'continue', payload: { requestId: record.id, round: nextRound }, runAt: next };
  }

  /** The approvers on the request, without the requester and the partner (who never decide it). */
  private notAnswered(approvers: readonly string[], requester: string, guest: string): string[] {
    return [...new Set(approvers.map((id) => id.toLowerCase()))].filter((id) => !sameObjectId(id, requester) && !sameObjectId(id, guest));
  }
}
