import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { JobClock } from '../clock';
import type { Logger } from '../logger';
import type { Job, JobQueue } from './jobQueue';

/** What a handler reports after one step. Long work is a series of short steps, each saving its progress in the payload. */
export type JobOutcome<Payload> =
  | { status: 'done'; payload?: Payload }
  | { status: 'continue'; payload: Payload; runAt?: Date }
  /** A transient failure: the step runs again at `runAt` (or after the runner's back-off) until the attempts run out. */
  | { status: 'retry'; error: string; runAt?: Date; payload?: Payload }
  /** A permanent failure: no retry. */
  | { status: 'failed'; error: string; payload?: Payload };

export interface JobStepContext {
  log: Logger;
  /** For a step that may outlast the lease (a slow LDAP server); false means the lease was lost and the step must stop. */
  extendLease(): Promise<boolean>;
}

export interface JobHandler<Payload = unknown> {
  kind: string;
  payload: z.ZodType<Payload>;
  /** One step. Must be safe to repeat: after a crash the same step runs again with the same payload. */
  step(job: Job & { payload: Payload }, context: JobStepContext): Promise<JobOutcome<Payload>>;
  /** Called once when the job ends as failed (attempts exhausted or a permanent failure), to tell people. */
  onFailed?(job: Job & { payload: Payload }, error: string, context: JobStepContext): Promise<void>;
}

export function defineJob<Payload>(handler: JobHandler<Payload>): JobHandler<Payload> {
  return handler;
}

export interface JobRunnerOptions {
  owner?: string;
  leaseMs?: number;
  concurrency?: number;
  /**
   * The longest sleep when nothing is due; a job due sooner (a step's "run again at") wakes the runner at its time, and an
   * enqueue or a finished step on this instance wakes it at once. Jobs enqueued by another instance wait at most this long.
   */
  pollMs?: number;
  /** Back-off before retry n (1-based) when a step throws or asks to retry without a time. */
  backoffMs?: (attempt: number) => number;
  /**
   * The job clock (bot/clock.ts) that the queue and the services read too. A test clock's jump wakes the runner at once,
   * so the jobs it made due run without real waiting.
   */
  clock?: JobClock;
  /** A bare time source, for tests that need no jumps; ignored when `clock` is given. */
  now?: () => Date;
}

/** Steps `settleDue` runs at most, so a job that keeps asking to run again "now" cannot hold a test for ever. */
const SETTLE_STEP_LIMIT = 1000;

/** The shortest idle sleep, so a due job that another instance holds for a moment is not polled in a tight loop. */
const MIN_IDLE_MS = 5;
/** Run times remembered at most; past that the latest are dropped and the poll finds their jobs. */
const MAX_DUE_TIMES = 64;
/** Lease renewals per lease period while a step runs: two can fail or be late before the lease runs out. */
const LEASE_RENEWALS = 3;

const defaultBackoff = (attempt: number) => Math.min(5 * 60_000, 1000 * 2 ** (attempt - 1));

/**
 * Runs due jobs on this instance: claims one with a lease, runs one step of its handler, and saves the outcome. Several
 * instances can run side by side on PostgreSQL; a job's lease makes each step run on one of them.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly backoffMs: (attempt: number) => number;
  private readonly now: () => Date;
  private readonly clock?: JobClock;
  private stopListening?: () => void;
  private timer?: NodeJS.Timeout;
  /** When the armed timer fires (Date.now() clock). */
  private timerAt = 0;
  private running = false;
  private drainAgain = false;
  /** Run times of jobs this instance settled as pending or enqueued: the earliest future one ends the idle sleep. */
  private dueTimes: number[] = [];
  private inFlight = new Set<Promise<void>>();
  private draining?: Promise<void>;

  constructor(
    private readonly queue: JobQueue,
    handlers: readonly JobHandler[],
    private readonly log: Logger,
    options: JobRunnerOptions = {},
  ) {
    for (const handler of handlers) {
      if (this.handlers.has(handler.kind)) throw new Error(`two job handlers for ${handler.kind}`);
      this.handlers.set(handler.kind, handler);
    }
    this.owner = options.owner ?? `instance-${randomUUID()}`;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.pollMs = options.pollMs ?? 2000;
    this.concurrency = options.concurrency ?? 4;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
    this.clock = options.clock;
    this.now = options.clock?.now ?? options.now ?? (() => new Date());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopListening = this.clock?.onAdvance(() => this.wakeIn(0));
    this.wakeIn(0);
  }

  /** Stops polling and waits for the steps in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopListening?.();
    this.stopListening = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.draining;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Looks for due work now instead of at the next poll, e.g. right after a job was enqueued; with the job's run time, the
   * runner also wakes again then if it is still in the future.
   */
  wake(runAt?: Date): void {
    if (runAt) this.expect(runAt);
    this.wakeIn(0);
  }

  /** Runs due steps until none is left; for tests and for `wake` without a poll delay. Returns how many steps ran. */
  async runDue(limit = 1000): Promise<number> {
    let ran = 0;
    while (ran < limit) {
      const job = await this.queue.claimNext(this.owner, this.leaseMs, [...this.handlers.keys()]);
      if (!job) break;
      await this.runStep(job);
      ran += 1;
    }
    return ran;
  }

  /** Resolves when no drain and no step of this runner is in flight (steps started while waiting included). */
  async idle(): Promise<void> {
    while (this.draining || this.inFlight.size > 0) {
      await this.draining;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /**
   * Runs everything due by the clock now, on this instance, until nothing is due and nothing is in flight: what a test (or
   * the sandbox's test-clock route) awaits after moving the clock, instead of waiting for timers. A step that another
   * instance holds is not waited for. Returns how many steps this call ran itself.
   */
  async settleDue(): Promise<number> {
    let ran = 0;
    for (;;) {
      await this.idle();
      const more = await this.runDue(SETTLE_STEP_LIMIT - ran);
      ran += more;
      if (more === 0 || ran >= SETTLE_STEP_LIMIT) {
        await this.idle();
        return ran;
      }
    }
  }

  /**
   * Arms the one timer for `delayMs` from now, unless it is already armed for earlier: a wake never postpones one that
   * is due sooner.
   */
  private wakeIn(delayMs: number): void {
    if (!this.running) return;
    const delay = Math.max(0, Math.ceil(delayMs));
    const at = Date.now() + delay;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, delay);
    this.timer.unref();
  }

  /** One drain at a time: a wake during a drain runs another right after it, so work enqueued meanwhile is not missed. */
  private tick(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.drainAgain) {
        this.drainAgain = false;
        this.wakeIn(0);
      }
    });
  }

  private async drain(): Promise<void> {
    const kinds = [...this.handlers.keys()];
    while (this.running && this.inFlight.size < this.concurrency) {
      let job: Job | undefined;
      const looked = this.now().getTime();
      try {
        job = await this.queue.claimNext(this.owner, this.leaseMs, kinds);
      } catch (error) {
        this.log.error({ err: error }, 'could not claim a job');
        this.wakeIn(this.pollMs);
        return;
      }
      if (!job) {
        this.sleepUntilNextDue(looked);
        return;
      }
      const step = this.runStep(job).finally(() => {
        this.inFlight.delete(step);
        // The step may have rescheduled its job for "now + a pace gap": look again now, which arms the timer for it.
        this.wakeIn(0);
      });
      this.inFlight.add(step);
    }
    // Every slot is busy: a finishing step wakes the runner; the poll is the fallback.
    this.wakeIn(this.pollMs);
  }

  /**
   * Nothing is due: sleeps until the earliest time a step on this instance asked to run again, or the poll period,
   * whichever comes first. The poll remains for jobs another instance enqueued or rescheduled (and for a crashed
   * instance's expired lease), as before; it costs no query beyond the claim. A floor keeps a time that has come but
   * whose job another instance won from turning into a busy loop. Only the times the claim that found nothing already
   * covered (`looked`: when it read the clock) are forgotten; one that came while it queried is looked at next.
   */
  private sleepUntilNextDue(looked: number): void {
    const now = this.now().getTime();
    this.dueTimes = this.dueTimes.filter((at) => at > looked);
    const next = this.dueTimes.length > 0 ? Math.min(...this.dueTimes) : undefined;
    this.wakeIn(next === undefined ? this.pollMs : Math.min(this.pollMs, Math.max(MIN_IDLE_MS, next - now)));
  }

  /** Remembers when a job this instance just settled or enqueued becomes due, so the runner wakes for it then. */
  private expect(runAt: Date): void {
    this.dueTimes.push(runAt.getTime());
    if (this.dueTimes.length > MAX_DUE_TIMES) this.dueTimes.sort((a, b) => a - b).splice(MAX_DUE_TIMES);
  }

  /**
   * Runs one claimed step while renewing its lease, so a step slower than the lease (a loaded machine, a slow LDAP server)
   * is never taken for a dead instance's and claimed a second time while it is still running.
   */
  private async runStep(job: Job): Promise<void> {
    const renewal = setInterval(() => {
      this.queue.extendLease(job, this.owner, this.leaseMs).then(
        (held) => {
          if (!held) this.log.warn({ job: job.id, kind: job.kind }, 'lost the lease of a running job step');
        },
        (error: unknown) => this.log.warn({ err: error, job: job.id }, 'could not renew the lease of a running job step'),
      );
    }, Math.max(MIN_IDLE_MS, Math.floor(this.leaseMs / LEASE_RENEWALS)));
    renewal.unref();
    try {
      await this.runClaimedStep(job);
    } finally {
      clearInterval(renewal);
    }
  }

  private async runClaimedStep(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind);
    const log = this.log.child({ job: job.id, kind: job.kind, attempt: job.attempts });
    if (!handler) return;
    const context: JobStepContext = { log, extendLease: () => this.queue.extendLease(job, this.owner, this.leaseMs) };
    const parsed = handler.payload.safeParse(job.payload);
    if (!parsed.success) {
      await this.fail(handler, job, job.payload, `the job's saved data is not valid: ${parsed.error.issues[0]?.message ?? ''}`, context);
      return;
    }
    const typed = { ...job, payload: parsed.data };
    let outcome: JobOutcome<unknown>;
    try {
      outcome = await handler.step(typed, context);
    } catch (error) {
      outcome = { status: 'retry', error: error instanceof Error ? error.message : String(error) };
    }
    switch (outcome.status) {
      case 'done':
        await this.queue.settle(job, this.owner, { state: 'succeeded', payload: outcome.payload });
        return;
      case 'continue': {
        const runAt = outcome.runAt ?? this.now();
        if (await this.queue.settle(job, this.owner, { state: 'pending', payload: outcome.payload, runAt })) this.expect(runAt);
        return;
      }
      case 'failed':
        await this.fail(handler, typed, outcome.payload ?? parsed.data, outcome.error, context);
        return;
      case 'retry': {
        if (job.attempts >= job.maxAttempts) {
          await this.fail(handler, typed, outcome.payload ?? parsed.data, `${outcome.error} (gave up after ${job.attempts} attempts)`, context);
          return;
        }
        log.warn({ error: outcome.error }, 'job step will be retried');
        const runAt = outcome.runAt ?? new Date(this.now().getTime() + this.backoffMs(job.attempts));
        const settled = await this.queue.settle(job, this.owner, { state: 'pending', payload: outcome.payload, runAt, error: outcome.error, keepAttempts: true });
        if (settled) this.expect(runAt);
      }
    }
  }

  private async fail(handler: JobHandler, job: Job, payload: unknown, error: string, context: JobStepContext): Promise<void> {
    context.log.error({ error }, 'job failed');
    const settled = await this.queue.settle(job, this.owner, { state: 'failed', error, payload });
    if (settled && handler.onFailed) {
      try {
        await handler.onFailed({ ...job, payload }, error, context);
      } catch (notifyError) {
        context.log.error({ err: notifyError }, 'could not report a failed job');
      }
    }
  }
}
