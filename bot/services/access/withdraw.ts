import type { Caller } from '../../identity/caller';
import { canWithdrawAccessRequest } from '../../identity/capabilities';
import type { AccessApprovalCards } from './approvers';
import { waitingJobKeys } from './schedule';
import { AccessRequestPart, type AccessRequestContext, type WithdrawOutcome } from './types';
import { sameObjectId } from '../../identity/objectId';

/**
 * The requester takes back a request nobody has decided yet. pending → withdrawn is one compare-and-set with its audit row,
 * so a withdraw racing an approval settles the request once: whichever loses is shown the request as it now stands. The
 * approvers' cards are then updated so nobody is left with buttons for a request that no longer asks anything.
 */
export class AccessRequestWithdrawal extends AccessRequestPart {
  constructor(
    ctx: AccessRequestContext,
    private readonly cards: AccessApprovalCards,
  ) {
    super(ctx);
  }

  async withdraw(caller: Caller, id: string): Promise<WithdrawOutcome> {
    const record = await this.repo.get(id);
    if (!record) return { kind: 'notFound' };
    const me = caller.aadObjectId.toLowerCase();
    if (!sameObjectId(record.requesterObjectId, me)) {
      await this.deps.store.audit.append({
        actor: me,
        actorName: caller.name,
        action: 'access.withdraw',
        target: record.guestUpn,
        outcome: 'refused',
        detail: { request: id, reason: 'not-the-requester', app: record.servicePrincipalId },
      });
      return { kind: 'notYours' };
    }
    if (!canWithdrawAccessRequest(caller, record)) return { kind: 'current', record };
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, 'withdrawn', { ended_by: me, ended_at: this.now().toISOString() });
      if (!ok) return false;
      await tx.audit.append({
        actor: me,
        actorName: caller.name,
        action: 'access.withdraw',
        target: record.guestUpn,
        outcome: 'success',
        detail: { request: id, app: record.servicePrincipalId, role: record.appRoleId, approvers: record.approverObjectIds },
      });
      return true;
    });
    const settled = (await this.repo.get(id)) ?? record;
    if (!won) return { kind: 'current', record: settled };
    for (const key of waitingJobKeys(id)) await this.deps.jobs.cancel(key);
    await this.cards.update(settled);
    return { kind: 'withdrawn', record: settled };
  }
}
