import type { Kysely } from 'kysely';
import type { Database } from '../store';

/**
 * A card as the channel will carry it. Services get these from presenters and hand them to the notifier without looking
 * inside, so no botbuilder type crosses into services.
 */
export interface OutgoingCard {
  readonly contentType: string;
  readonly content?: unknown;
}

export interface OutgoingMessage {
  card: OutgoingCard;
  /** Shown in notifications and read by screen readers. */
  text?: string;
}

/** Where a conversation is, exactly as the channel described it: services store it and hand it back, never read it. */
export type ConversationAddress = object;

/** Where a proactive message landed, so it can be updated in place later. */
export interface SentMessage {
  reference: ConversationAddress;
  activityId: string;
}

/** Proactive messages: outcomes to requesters, approval cards to approvers, progress cards updated in place. */
export interface Notifier {
  /**
   * Sends to the user's personal chat with the bot; undefined when the user is unreachable: no stored conversation, or
   * Teams says the app was removed for them (then the stored conversation is dropped).
   */
  sendToUser(aadObjectId: string, message: OutgoingMessage): Promise<SentMessage | undefined>;
  sendToConversation(reference: ConversationAddress, message: OutgoingMessage): Promise<SentMessage>;
  /**
   * Updates the message in place where the channel allows it; otherwise sends the state as a new message. Resolves to where
   * the state now is (the same message, or the new one), which callers should record for the next update.
   */
  update(sent: SentMessage, message: OutgoingMessage): Promise<SentMessage>;
}

/** Durable work a service asks for; the job runner in `jobs/` carries it out. */
export interface ScheduledJob {
  kind: string;
  payload: unknown;
  runAt?: Date;
  /** Scheduling twice with the same key keeps the first job, so a retried request never starts a second run. */
  uniqueKey?: string;
  maxAttempts?: number;
}

export interface JobScheduler {
  /**
   * Pass the transaction that made the job necessary, so both commit together; then call `wake` once it has committed.
   * Without a transaction the runner is woken at once.
   */
  schedule(job: ScheduledJob, db?: Kysely<Database>): Promise<void>;
  /**
   * Moves the job with this key to `runAt` with its payload (a finished one starts again, a missing one is made); false when
   * its step is running right now, and that step then reads what changed. Pass the transaction that made it necessary.
   */
  reschedule(job: ScheduledJob & { uniqueKey: string }, db?: Kysely<Database>): Promise<boolean>;
  /** Cancels the pending job with this key, if any; true when one was cancelled. */
  cancel(uniqueKey: string): Promise<boolean>;
  wake(): void;
}
