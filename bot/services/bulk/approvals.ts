import type { Logger } from '../../logger';
import type { BulkStoredMessage, Store } from '../../store';
import { ApprovalFanout } from '../approvalFanout';
import type { InvitationDirectory } from '../invitations';
import type { Notifier, OutgoingMessage } from '../ports';
import { sameObjectId } from '../../identity/objectId';

/**
 * Who approves a large bulk run and where their cards are: every admin but the requester, through the one ApprovalFanout
 * (which logs the failures it survives). The only bulk-specific part is choosing the approvers.
 */
export class BulkApprovals {
  private readonly fanout: ApprovalFanout;

  constructor(
    private readonly deps: { store: Store; directory: InvitationDirectory; notifier: Notifier; adminGroupId: string; log?: Logger },
  ) {
    this.fanout = new ApprovalFanout({ notifier: deps.notifier, conversations: deps.store.conversations, log: deps.log });
  }

  /** The admins other than the requester, as Graph lists them now. */
  async approverIds(requesterId: string): Promise<string[]> {
    const members = await this.deps.directory.transitiveUserMemberIds(this.deps.adminGroupId);
    return members.filter((id) => !sameObjectId(id, requesterId));
  }

  /** Teams ids for the card's `refresh`: at most 60. */
  async approverTeamsIds(requesterId: string): Promise<string[]> {
    return this.fanout.teamsIdsOf(await this.approverIds(requesterId));
  }

  /** Sends the card to each approver and stores where each landed; returns how many were reached. */
  async request(runId: string, requesterId: string, build: (approverTeamsIds: string[]) => OutgoingMessage): Promise<number> {
    const subject = { logContext: { bulkRun: runId }, requesterObjectId: requesterId, approverObjectIds: await this.approverIds(requesterId) };
    const report = await this.fanout.send(subject, build);
    await this.deps.store.bulkRuns.setApprovalMessages(runId, report.sent);
    return report.reached;
  }

  /**
   * Replaces every approval card of the run with its current state, and stores where the cards now are when the notifier
   * had to send new messages instead, so the next update goes there.
   */
  async update(runId: string, sent: readonly BulkStoredMessage[], outgoing: OutgoingMessage): Promise<void> {
    if (sent.length === 0) return;
    const result = await this.fanout.update({ logContext: { bulkRun: runId } }, sent, outgoing);
    if (result.moved) await this.deps.store.bulkRuns.setApprovalMessages(runId, result.sent);
  }
}
