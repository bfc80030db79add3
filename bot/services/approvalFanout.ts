import type { Logger } from '../logger';
import type { ConversationAddress, Notifier, OutgoingMessage, SentMessage } from './ports';

/** Teams shows a Universal Actions `refresh` to at most 60 users; the card carries no more ids than that. */
export const MAX_REFRESH_USERS = 60;

/** The stored conversations the fan-out reads: a user's personal chat by object id, a channel by `conversation:<id>`. */
export interface ConversationLookup {
  get(key: string): Promise<ConversationReferenceLike | undefined>;
}

/** The few fields of a stored conversation reference the fan-out reads; the rest is handed back to the notifier untouched. */
export interface ConversationReferenceLike {
  user?: { id?: string };
  serviceUrl?: string;
  channelId?: string;
  bot?: object;
  conversation?: { tenantId?: string };
}

/** What is being approved, as far as the fan-out needs to know: its id (for the logs), who asked and who may decide. */
export interface ApprovalSubject {
  /** Named in every log line, e.g. `{ request: id }` or `{ invitation: id }`. */
  logContext: Record<string, string>;
  requesterObjectId: string;
  approverObjectIds: readonly string[];
}

export interface FanoutOptions {
  /** Also post the card to the approvals channel (APPROVALS_CONVERSATION_ID), when one is configured. */
  toChannel?: boolean;
  /** How to name an approver who could not be reached; by default their object id. */
  nameOf?: (objectId: string) => string;
}

export interface FanoutReport {
  /** Where each card landed, to be stored with the subject and updated in place later. */
  sent: SentMessage[];
  /** How many approvers got the card in their personal chat. */
  reached: number;
  /** The approvers who did not (no chat with the bot, or the send failed), named with `nameOf`, sorted. */
  unreachable: string[];
  /** The approvals channel: posted, configured but not reachable, or not asked for / not configured. */
  channel: 'sent' | 'failed' | 'none';
}

/** Where the cards are after an update, for the caller to store. */
export interface FanoutUpdate {
  /** One per card given, in the same order: the same location, or the new message the notifier sent instead. */
  sent: SentMessage[];
  /** True when any card now lives somewhere else, so the stored locations must be replaced. */
  moved: boolean;
  /** How many could not be updated nor re-sent (each logged). */
  failed: number;
}

function sameLocation(a: SentMessage, b: SentMessage | undefined): boolean {
  return b !== undefined && a.activityId === b.activityId && a.reference === b.reference;
}

/**
 * The one approval fan-out, shared by invitations, bulk runs and access requests: the approvers' Teams ids for the card's
 * `refresh`, the card to each approver and to the approvals channel, every card updated in place later, and the requester
 * told. One logging policy: a notifier failure is logged with the subject's context and never thrown out of here, because the
 * decision or request it reports on is already stored; whoever could not be reached is reported back to the caller.
 */
export class ApprovalFanout {
  constructor(
    private readonly deps: {
      notifier: Notifier;
      conversations: ConversationLookup;
      approvalsConversationId?: string;
      log?: Logger;
    },
  ) {}

  /** Teams user ids (29:…) of those who have a chat with the bot, de-duplicated, at most 60, in the order given. */
  async teamsIdsOf(objectIds: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const objectId of objectIds) {
      if (ids.length >= MAX_REFRESH_USERS) break;
      const reference = await this.deps.conversations.get(objectId.toLowerCase());
      const teamsId = reference?.user?.id;
      if (teamsId && !ids.includes(teamsId)) ids.push(teamsId);
    }
    return ids;
  }

  /**
   * Sends the approval card, built once for everyone with their Teams ids, to each approver's personal chat and, if asked,
   * to the approvals channel. Returns where the cards landed and who was not reached.
   */
  async send(subject: ApprovalSubject, build: (approverTeamsIds: string[]) => OutgoingMessage, options: FanoutOptions = {}): Promise<FanoutReport> {
    const outgoing = build(await this.teamsIdsOf(subject.approverObjectIds));
    const nameOf = options.nameOf ?? ((id: string) => id);
    const sent: SentMessage[] = [];
    const unreachable: string[] = [];
    const approvers = [...new Set(subject.approverObjectIds.map((id) => id.toLowerCase()))];
    await Promise.all(
      approvers.map(async (approverId) => {
        const delivered = await this.deps.notifier.sendToUser(approverId, outgoing).catch((error: unknown) => {
          this.deps.log?.warn({ err: error, ...subject.logContext, approver: approverId }, 'could not send the approval card');
          return undefined;
        });
        if (!delivered) {
          unreachable.push(nameOf(approverId));
          this.deps.log?.warn({ ...subject.logContext, approver: approverId }, 'approver not reachable: the app is not installed for them, so they must use the pending command');
          return;
        }
        // Kept even without an activity id: the notifier then sends the next state as a new message instead.
        sent.push(delivered);
      }),
    );
    const channel = options.toChannel ? await this.postToChannel(subject, outgoing, sent) : 'none';
    return { sent, reached: approvers.length - unreachable.length, unreachable: unreachable.sort(), channel };
  }

  /**
   * Replaces every card sent for a subject with its current state. The notifier may have sent a new message instead of
   * updating (no activity id, or the update failed), so this returns where each card now is, in the order given: the
   * caller stores `sent` so the next update goes there. A card that could not be reached at all keeps its old location
   * (and is logged); nothing is thrown, because the state it reports is already stored.
   */
  async update(subject: Pick<ApprovalSubject, 'logContext'>, sent: readonly SentMessage[], outgoing: OutgoingMessage): Promise<FanoutUpdate> {
    let failed = 0;
    const current = await Promise.all(
      sent.map((message) =>
        this.deps.notifier.update(message, outgoing).catch((error: unknown) => {
          failed += 1;
          this.deps.log?.warn({ err: error, ...subject.logContext, activityId: message.activityId }, 'could not update an approval card');
          return message;
        }),
      ),
    );
    const moved = current.some((message, i) => !sameLocation(message, sent[i]));
    return { sent: current, moved, failed };
  }

  /** Tells the requester the outcome in their personal chat; false (and logged) when they cannot be reached now. */
  async tellRequester(subject: Pick<ApprovalSubject, 'logContext' | 'requesterObjectId'>, outgoing: OutgoingMessage): Promise<boolean> {
    // The outcome stands even if the requester cannot be told right now; the audit log has it.
    const delivered = await this.deps.notifier.sendToUser(subject.requesterObjectId, outgoing).catch((error: unknown) => {
      this.deps.log?.warn({ err: error, ...subject.logContext }, 'could not tell the requester');
      return undefined;
    });
    if (!delivered) this.deps.log?.warn({ ...subject.logContext, requester: subject.requesterObjectId }, 'requester not reachable for the outcome');
    return delivered !== undefined;
  }

  private async postToChannel(subject: ApprovalSubject, outgoing: OutgoingMessage, sent: SentMessage[]): Promise<'sent' | 'failed' | 'none'> {
    if (!this.deps.approvalsConversationId) return 'none';
    const reference = await this.approvalsChannelReference(subject, this.deps.approvalsConversationId);
    if (!reference) {
      this.deps.log?.warn(subject.logContext, 'APPROVALS_CONVERSATION_ID is set but no conversation with the bot is known yet to reach it through');
      return 'failed';
    }
    try {
      const posted = await this.deps.notifier.sendToConversation(reference, outgoing);
      sent.push(posted);
      return 'sent';
    } catch (error) {
      this.deps.log?.warn({ err: error, ...subject.logContext }, 'could not post the approval card to APPROVALS_CONVERSATION_ID');
      return 'failed';
    }
  }

  /**
   * The approvals channel, reached through its stored reference, or else through the service URL of a chat the bot already
   * has (the requester's or an approver's): Teams uses one service URL per tenant region.
   */
  private async approvalsChannelReference(subject: ApprovalSubject, id: string): Promise<ConversationAddress | undefined> {
    const { conversations } = this.deps;
    const saved = await conversations.get(`conversation:${id}`);
    if (saved) return saved;
    for (const key of [subject.requesterObjectId, ...subject.approverObjectIds]) {
      const known = await conversations.get(key.toLowerCase());
      if (known?.serviceUrl && known.bot) {
        return {
          channelId: known.channelId ?? 'msteams',
          serviceUrl: known.serviceUrl,
          bot: known.bot,
          conversation: { id, isGroup: true, conversationType: 'channel', name: '', ...(known.conversation?.tenantId ? { tenantId: known.conversation.tenantId } : {}) },
        };
      }
    }
    return undefined;
  }
}
