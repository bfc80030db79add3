import type { Attachment, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { ConversationAddress, Notifier, OutgoingMessage, SentMessage } from '../services/ports';
import type { Logger } from '../logger';
import type { ConversationReferenceRepository } from '../store';
import { processPacer, type ConversationPacer } from './pacing';

/** Services hold conversation addresses opaquely; they are always ones this notifier or the store handed out. */
function asReference(address: ConversationAddress): Partial<ConversationReference> {
  return address as Partial<ConversationReference>;
}

function asAttachment(message: OutgoingMessage): Attachment {
  return { contentType: message.card.contentType, content: message.card.content };
}

/**
 * Teams asks callers to retry these with back-off (https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/rate-limit,
 * "Handle HTTP 429 responses"); anything else may have been delivered, so it is not retried blindly.
 */
const RETRYABLE = new Set([429, 412, 502, 504]);

/** What Teams answers when the app was removed for that user or from that conversation. */
const GONE = new Set([403, 404]);

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error && typeof error.statusCode === 'number') return error.statusCode;
  return undefined;
}

function headerOf(error: unknown, name: string): string | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error)) return undefined;
  const response = error.response;
  if (typeof response !== 'object' || response === null || !('headers' in response)) return undefined;
  const headers: unknown = response.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  if ('get' in headers && typeof headers.get === 'function') {
    const value: unknown = (headers.get as (key: string) => unknown).call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  const value: unknown = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Retry-After in milliseconds: seconds, fractional allowed, or an HTTP date. Undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function conversationKeyOf(reference: ConversationAddress): string {
  const conversation = asReference(reference).conversation;
  return `${asReference(reference).serviceUrl ?? ''}|${conversation?.id ?? ''}`;
}

export type { Notifier, OutgoingMessage, SentMessage } from '../services/ports';

export interface NotifierOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  /** Longest wait a Retry-After may impose before the notifier gives up instead. */
  maxRetryAfterMs?: number;
  /** Shared per process by default, so every sender to a conversation counts against the same limits. */
  pacer?: ConversationPacer;
}

/**
 * Sends through the Bot Connector with the adapter's own credentials, paced per conversation to Teams' limits, retrying
 * only what Teams documents as safe to retry, and honouring Retry-After.
 */
export class BotConnectorNotifier implements Notifier {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly pacer: ConversationPacer;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly conversations: ConversationReferenceRepository,
    private readonly log: Logger,
    options: NotifierOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.pacer = options.pacer ?? processPacer;
  }

  /**
   * Undefined when the user cannot be reached: no stored conversation, or Teams says the app was removed for them (403/404),
   * in which case the stored conversation is dropped so later notices do not try again.
   */
  async sendToUser(aadObjectId: string, message: OutgoingMessage): Promise<SentMessage | undefined> {
    const key = aadObjectId.toLowerCase();
    const reference = await this.conversations.get(key);
    if (!reference) {
      this.log.warn({ user: aadObjectId }, 'no conversation with this user: the app is not installed for them');
      return undefined;
    }
    try {
      return await this.sendToConversation(reference, message);
    } catch (error) {
      const status = statusOf(error);
      if (!status || !GONE.has(status)) throw error;
      await this.conversations.delete(key);
      this.log.warn({ user: aadObjectId, status }, 'the app was removed for this user: dropped their conversation, they are unreachable');
      return undefined;
    }
  }

  /** The activity id is empty when the channel answered without one; `update` then sends a new message. */
  async sendToConversation(reference: ConversationAddress, message: OutgoingMessage): Promise<SentMessage> {
    const activityId = await this.withRetry('send', reference, async (context) => {
      const response = await context.sendActivity({ attachments: [asAttachment(message)], text: message.text });
      return response?.id ?? '';
    });
    return { reference, activityId };
  }

  /**
   * Updates in place where possible. Where the first send got no id, or the update fails (the message was deleted, the
   * channel cannot edit it, or retries ran out), the state goes out as a new message, and its location is returned so
   * the caller updates that one next time. Rejects only when the new message cannot be sent either.
   */
  async update(sent: SentMessage, message: OutgoingMessage): Promise<SentMessage> {
    if (!sent.activityId) {
      this.log.info('no activity id to update: sending the new state as a new message');
      return this.sendToConversation(sent.reference, message);
    }
    try {
      await this.withRetry('update', sent.reference, async (context) => {
        await context.updateActivity({ id: sent.activityId, type: 'message', attachments: [asAttachment(message)], text: message.text });
      });
      return sent;
    } catch (error) {
      this.log.warn({ err: error, status: statusOf(error), activityId: sent.activityId }, 'update failed: sending the new state as a new message');
      return this.sendToConversation(sent.reference, message);
    }
  }

  private withRetry<T>(what: string, reference: ConversationAddress, work: (context: TurnContext) => Promise<T>): Promise<T> {
    const conversationKey = conversationKeyOf(reference);
    return this.pacer.serially(conversationKey, async (attempt) => {
      for (let attemptNumber = 1; ; attemptNumber += 1) {
        try {
          return await attempt(() => this.once(reference, work));
        } catch (error) {
          const status = statusOf(error);
          if (!status || !RETRYABLE.has(status) || attemptNumber >= this.maxAttempts) throw error;
          const retryAfter = status === 429 ? retryAfterMs(headerOf(error, 'retry-after')) : undefined;
          if (retryAfter !== undefined && retryAfter > this.maxRetryAfterMs) throw error;
          const delay = retryAfter ?? this.baseDelayMs * 2 ** (attemptNumber - 1) * (1 + Math.random() / 2);
          // The pause holds the conversation, not only this message: a 429 is about the conversation's rate.
          this.pacer.pause(conversationKey, delay);
          this.log.warn({ status, attempt: attemptNumber, delay, retryAfter }, `Bot Connector ${what} will be retried`);
        }
      }
    });
  }

  /**
   * One attempt. The error is carried out of the callback by hand: thrown inside it, the adapter would hand it to
   * onTurnError (logged as an unhandled turn error) and resolve, so nothing could retry or fall back.
   */
  private async once<T>(reference: ConversationAddress, work: (context: TurnContext) => Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, asReference(reference), async (context) => {
      try {
        outcome = { ok: true, value: await work(context) };
      } catch (error) {
        outcome = { ok: false, error };
      }
    });
    if (!outcome) throw new Error('the adapter did not run the proactive turn');
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}
