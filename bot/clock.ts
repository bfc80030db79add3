/**
 * The one clock that durable work reads: the job queue and runner, the jobs, the access services, and the store's
 * timestamps that a job later compares (a request's creation, a deadline). Reading one clock everywhere is what lets a test
 * move time forward (a reminder due in 24 h, an escalation in 72 h) without waiting, and without the pieces disagreeing
 * about what time it is.
 *
 * `now` is a function property, not a method, so it can be handed on unbound (`{ now: clock.now }`).
 */
export interface JobClock {
  readonly now: () => Date;
  /**
   * Calls `listener` after the clock jumps forward (only a test clock jumps; the system clock never calls it). The job
   * runner listens so that jobs the jump made due run at once instead of at the next poll. Returns the unsubscribe.
   */
  onAdvance(listener: () => void): () => void;
}

export const systemClock: JobClock = {
  now: () => new Date(),
  onAdvance: () => () => {},
};

/**
 * A clock that tests drive: real time plus an offset that `advance` grows, so a spawned bot's leases, retries and timers
 * keep running while a test skips hours; or, `frozen`, a fixed instant that moves only by `advance`, for in-process tests
 * that compare exact times. Never wired in production: config refuses TEST_JOB_CLOCK outside sandbox mode.
 */
export class TestClock implements JobClock {
  private offsetMs = 0;
  private readonly listeners = new Set<() => void>();
  private readonly frozenAt: number | undefined;

  constructor(options: { frozen?: boolean; start?: Date } = {}) {
    const startMs = options.start?.getTime();
    if (options.frozen) this.frozenAt = startMs ?? Date.now();
    else if (startMs !== undefined) this.offsetMs = startMs - Date.now();
  }

  readonly now = (): Date => new Date((this.frozenAt ?? Date.now()) + this.offsetMs);

  /** Moves the clock forward by `ms` (never back: durable state written "later" must stay later) and wakes the listeners. */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a test clock moves forward only, by a finite number of ms (got ${ms})`);
    this.offsetMs += ms;
    for (const listener of [...this.listeners]) listener();
    return this.now();
  }

  /** Moves the clock forward to `at`; an instant already past leaves it where it is. */
  advanceTo(at: Date): Date {
    return this.advance(Math.max(0, at.getTime() - this.now().getTime()));
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
