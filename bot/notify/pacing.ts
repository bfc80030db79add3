/** One sliding-window limit: at most `count` operations in any `windowMs`. */
export interface RateLimit {
  count: number;
  windowMs: number;
}

/**
 * Teams' per-bot, per-conversation limits for sending (Microsoft Learn, "Optimize your bot with rate limiting in Teams",
 * https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/rate-limit, "Per bot per thread limit"):
 * 7 in 1 s, 8 in 2 s, 60 in 30 s, 1800 in 3600 s. Going past them earns a 429.
 */
export const TEAMS_CONVERSATION_LIMITS: readonly RateLimit[] = [
  { count: 7, windowMs: 1_000 },
  { count: 8, windowMs: 2_000 },
  { count: 60, windowMs: 30_000 },
  { count: 1_800, windowMs: 3_600_000 },
];

export interface PacerOptions {
  limits?: readonly RateLimit[];
  /**
   * Added to every window, because the connector counts arrivals, not departures: two sends released exactly one window
   * apart can land inside one window after network jitter.
   */
  marginMs?: number;
}

interface ConversationPace {
  /** Release times, oldest first. */
  released: number[];
  /** Nothing is released before this (set from a 429's Retry-After). */
  pausedUntil: number;
  /** Releases are decided one at a time per conversation, in arrival order. */
  queue: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Paces operations per conversation so a burst never goes past the channel's limits, instead of hitting them and
 * backing off. One instance must be shared by everything in the process that sends to the same conversations.
 */
export class ConversationPacer {
  readonly limits: readonly RateLimit[];
  private readonly marginMs: number;
  private readonly longestWindowMs: number;
  private readonly conversations = new Map<string, ConversationPace>();

  constructor(options: PacerOptions = {}) {
    this.limits = options.limits ?? TEAMS_CONVERSATION_LIMITS;
    this.marginMs = options.marginMs ?? 50;
    this.longestWindowMs = Math.max(0, ...this.limits.map((limit) => limit.windowMs)) + this.marginMs;
  }

  /** Resolves when one more operation on `conversationKey` stays within every limit, and counts it as released. */
  acquire(conversationKey: string): Promise<void> {
    const pace = this.paceOf(conversationKey);
    const turn = pace.queue.then(() => this.waitForRoom(pace));
    // A failed wait must not block the conversation's later operations.
    pace.queue = turn.catch(() => undefined);
    return turn;
  }

  /** After a 429: nothing more goes to this conversation until `delayMs` from now. */
  pause(conversationKey: string, delayMs: number): void {
    const pace = this.paceOf(conversationKey);
    pace.pausedUntil = Math.max(pace.pausedUntil, Date.now() + delayMs);
  }

  private paceOf(key: string): ConversationPace {
    let pace = this.conversations.get(key);
    if (!pace) {
      pace = { released: [], pausedUntil: 0, queue: Promise.resolve() };
      this.conversations.set(key, pace);
    }
    return pace;
  }

  private async waitForRoom(pace: ConversationPace): Promise<void> {
    for (;;) {
      const now = Date.now();
      const horizon = now - this.longestWindowMs;
      while (pace.released.length > 0 && (pace.released[0] ?? now) <= horizon) pace.released.shift();
      const wait = Math.max(pace.pausedUntil - now, ...this.limits.map((limit) => this.waitFor(limit, pace.released, now)));
      if (wait <= 0) {
        pace.released.push(now);
        this.forgetIdle();
        return;
      }
      await sleep(wait);
    }
  }

  /** How long until one more release stays within `limit`, given the releases so far. */
  private waitFor(limit: RateLimit, released: readonly number[], now: number): number {
    if (released.length < limit.count) return 0;
    const window = limit.windowMs + this.marginMs;
    const oldestThatCounts = released[released.length - limit.count] ?? 0;
    return oldestThatCounts + window - now;
  }

  /** Conversations with nothing inside the longest window are dropped, so the map does not grow with every user ever seen. */
  private forgetIdle(): void {
    if (this.conversations.size < 1_000) return;
    const horizon = Date.now() - this.longestWindowMs;
    for (const [key, pace] of this.conversations) {
      const last = pace.released[pace.released.length - 1] ?? 0;
      if (last <= horizon && pace.pausedUntil <= Date.now()) this.conversations.delete(key);
    }
  }
}

/** The pacer every notifier in this process shares unless a test gives it its own. */
export const processPacer = new ConversationPacer();
