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
  /** Added to every window, for timer and clock granularity. */
  marginMs?: number;
}

interface ConversationPace {
  /** When earlier operations finished, oldest first. */
  finished: number[];
  /** Nothing starts before this (set from a 429's Retry-After). */
  pausedUntil: number;
  /** Operations on one conversation run one at a time, in the order they were asked for. */
  queue: Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Paces operations per conversation so a burst never goes past the channel's limits, instead of hitting them and
 * backing off. One instance must be shared by everything in the process that sends to the same conversations.
 *
 * Operations on a conversation run one at a time, which also keeps its messages in order, and each is counted from when
 * it finished: the connector counts arrivals, which fall between start and finish, so a window measured from the finish
 * of earlier operations to the start of the next can never hold more arrivals than the limit, whatever the latency.
 */
export class ConversationPacer {
  readonly limits: readonly RateLimit[];
  private readonly marginMs: number;
  private readonly longestWindowMs: number;
  private readonly conversations = new Map<string, ConversationPace>();

  constructor(options: PacerOptions = {}) {
    this.limits = options.limits ?? TEAMS_CONVERSATION_LIMITS;
    this.marginMs = options.marginMs ?? 20;
    this.longestWindowMs = Math.max(0, ...this.limits.map((limit) => limit.windowMs)) + this.marginMs;
  }

  /**
   * Runs `work` when every earlier operation on this conversation is done. `work` calls `attempt` around each request it
   * makes; `attempt` waits until that request stays within every limit, and counts it.
   */
  serially<T>(conversationKey: string, work: (attempt: <R>(request: () => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
    const pace = this.paceOf(conversationKey);
    const attempt = async <R>(request: () => Promise<R>): Promise<R> => {
      await this.waitForRoom(pace);
      try {
        return await request();
      } finally {
        pace.finished.push(Date.now());
      }
    };
    const turn = pace.queue.then(() => work(attempt));
    // A failed operation must not block the conversation's later ones.
    pace.queue = turn.then(
      () => undefined,
      () => undefined,
    );
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
      this.forgetIdle();
      pace = { finished: [], pausedUntil: 0, queue: Promise.resolve() };
      this.conversations.set(key, pace);
    }
    return pace;
  }

  private async waitForRoom(pace: ConversationPace): Promise<void> {
    for (;;) {
      const now = Date.now();
      const horizon = now - this.longestWindowMs;
      while (pace.finished.length > 0 && (pace.finished[0] ?? now) <= horizon) pace.finished.shift();
      const wait = Math.max(pace.pausedUntil - now, ...this.limits.map((limit) => this.waitFor(limit, pace.finished, now)));
      if (wait <= 0) return;
      await sleep(wait);
    }
  }

  /** How long until one more operation stays within `limit`, given when the earlier ones finished. */
  private waitFor(limit: RateLimit, finished: readonly number[], now: number): number {
    if (finished.length < limit.count) return 0;
    const oldestThatCounts = finished[finished.length - limit.count] ?? 0;
    return oldestThatCounts + limit.windowMs + this.marginMs - now;
  }

  /** Conversations idle for the longest window are dropped, so the map does not grow with every user ever seen. */
  private forgetIdle(): void {
    if (this.conversations.size < 1_000) return;
    const now = Date.now();
    for (const [key, pace] of this.conversations) {
      const last = pace.finished[pace.finished.length - 1] ?? 0;
      if (last <= now - this.longestWindowMs && pace.pausedUntil <= now) this.conversations.delete(key);
    }
  }
}

/** The pacer every notifier in this process shares unless a test gives it its own. */
export const processPacer = new ConversationPacer();
