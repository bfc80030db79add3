import type { Attachment, CloudAdapter, ConversationReference } from 'botbuilder';
import type { Logger } from '../logger';
import type { ConversationReferenceRepository } from '../store';

export interface OutgoingMessage {
  card: Attachment;
  /** Shown in notifications and read by screen readers. */
  text?: string;
}

/** Where a proactive message landed, so it can be updated in place later. */
export interface SentMessage {
  reference: Partial<ConversationReference>;
  activityId: string;
}

/** Proactive messages: outcomes to requesters, approval cards to approvers, progress cards updated in place. */
export interface Notifier {
  /** Sends to the user's personal chat with the bot; undefined when the bot has no conversation with them (not installed). */
  sendToUser(aadObjectId: string, message: OutgoingMessage): Promise<SentMessage | undefined>;
  sendToConversation(reference: Partial<ConversationReference>, message: OutgoingMessage): Promise<SentMessage>;
  update(sent: SentMessage, message: OutgoingMessage): Promise<void>;
}

/** Teams asks callers to retry these with back-off; anything else may have been delivered, so it is not retried blindly. */
const RETRYABLE = new Set([429, 412, 502, 504]);

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number') return error.statusCode;
  return undefined;
}

export interface NotifierOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
}

/** Sends through the Bot Connector with the adapter's own credentials, retrying only what Teams documents as safe to retry. */
export class BotConnectorNotifier implements Notifier {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly conversations: ConversationReferenceRepository,
    private readonly log: Logger,
    options: NotifierOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 500;
  }

  async sendToUser(aadObjectId: string, message: OutgoingMessage): Promise<SentMessage | undefined> {
    const reference = await this.conversations.get(aadObjectId.toLowerCase());
    if (!reference) {
      this.log.warn({ user: aadObjectId }, 'no conversation with this user: the app is not installed for them');
      return undefined;
    }
    return this.sendToConversation(reference, message);
  }

  async sendToConversation(reference: Partial<ConversationReference>, message: OutgoingMessage): Promise<SentMessage> {
    let activityId = '';
    await this.withRetry('send', () =>
      this.adapter.continueConversationAsync(this.botAppId, reference, async (context) => {
        const response = await context.sendActivity({ attachments: [message.card], text: message.text });
        activityId = response?.id ?? '';
      }),
    );
    return { reference, activityId };
  }

  async update(sent: SentMessage, message: OutgoingMessage): Promise<void> {
    await this.withRetry('update', () =>
      this.adapter.continueConversationAsync(this.botAppId, sent.reference, async (context) => {
        await context.updateActivity({ id: sent.activityId, type: 'message', attachments: [message.card], text: message.text });
      }),
    );
  }

  private async withRetry(what: string, work: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await work();
        return;
      } catch (error) {
        const status = statusOf(error);
        if (!status || !RETRYABLE.has(status) || attempt >= this.maxAttempts) throw error;
        const delay = this.baseDelayMs * 2 ** (attempt - 1) * (1 + Math.random() / 2);
        this.log.warn({ status, attempt, delay }, `Bot Connector ${what} will be retried`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
