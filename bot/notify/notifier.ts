import type { Attachment, CloudAdapter, ConversationReference } from 'botbuilder';
import type { ConversationAddress, Notifier, OutgoingMessage, SentMessage } from '../services/ports';
import type { Logger } from '../logger';
import type { ConversationReferenceRepository } from '../store';

/** Services hold conversation addresses opaquely; they are always ones this notifier or the store handed out. */
function asReference(address: ConversationAddress): Partial<ConversationReference> {
  return address as Partial<ConversationReference>;
}

function asAttachment(message: OutgoingMessage): Attachment {
  return { contentType: message.card.contentType, content: message.card.content };
}

/** Teams asks callers to retry these with back-off; anything else may have been delivered, so it is not retried blindly. */
const RETRYABLE = new Set([429, 412, 502, 504]);

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number') return error.statusCode;
  return undefined;
}

export type { Notifier, OutgoingMessage, SentMessage } from '../services/ports';

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

  async sendToConversation(reference: ConversationAddress, message: OutgoingMessage): Promise<SentMessage> {
    let activityId = '';
    await this.withRetry('send', () =>
      this.adapter.continueConversationAsync(this.botAppId, asReference(reference), async (context) => {
        const response = await context.sendActivity({ attachments: [asAttachment(message)], text: message.text });
        activityId = response?.id ?? '';
      }),
    );
    return { reference, activityId };
  }

  async update(sent: SentMessage, message: OutgoingMessage): Promise<void> {
    await this.withRetry('update', () =>
      this.adapter.continueConversationAsync(this.botAppId, asReference(sent.reference), async (context) => {
        await context.updateActivity({ id: sent.activityId, type: 'message', attachments: [asAttachment(message)], text: message.text });
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
