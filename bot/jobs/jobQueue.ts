import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database, JobTable } from '../store';

export type JobState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Job {
  id: string;
  kind: string;
  /** The handler's JSON checkpoint; parsed by the handler's own schema. */
  payload: unknown;
  state: JobState;
  runAt: Date;
  /** Consecutive failed or interrupted attempts of the current step. */
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  uniqueKey: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface EnqueueRequest {
  kind: string;
  payload: unknown;
  runAt?: Date;
  /** Enqueueing twice with the same key yields the first job, so a retried request never starts a second run. */
  uniqueKey?: string;
  maxAttempts?: number;
}

export type JobTransition =
  | { state: 'succeeded'; payload?: unknown }
  /** Saves progress and runs the next step at `runAt`; the attempt counter starts over because the step succeeded. */
  | { state: 'pending'; payload?: unknown; runAt: Date; error?: string; keepAttempts?: boolean }
  | { state: 'failed'; error: string; payload?: unknown };

const DEFAULT_MAX_ATTEMPTS = 8;

function toJob(row: Selectable<JobTable>): Job {
  return {
    id: row.id,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    state: row.state as JobState,
    runAt: new Date(row.run_at),
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    lastError: row.last_error,
    uniqueKey: row.unique_key,
    version: row.version,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/**
 * The durable job table. Claiming takes a lease with a compare-and-set on the row's version, which works the same on SQLite
 * and PostgreSQL: two instances that pick the same due job race on one UPDATE and only one wins. A crashed instance's lease
 * expires and the job is claimed again, so handlers make each step safe to repeat.
 */
export class JobQueue {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Inserts the job, or returns the existing one with the same unique key. Pass a transaction to enqueue atomically with a change. */
  async enqueue(request: EnqueueRequest, db: Kysely<Database> = this.db): Promise<Job> {
    const now = this.now().toISOString();
    const row = {
      id: randomUUID(),
      kind: request.kind,
      payload: JSON.stringify(request.payload ?? null),
      state: 'pending',
      run_at: (request.runAt ?? this.now()).toISOString(),
      attempts: 0,
      max_attempts: request.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      last_error: null,
      lease_owner: null,
      lease_expires_at: null,
      unique_key: request.uniqueKey ?? null,
      version: 0,
      created_at: now,
      updated_at: now,
    };
    await db.insertInto('job').values(row).onConflict((oc) => oc.column('unique_key').doNothing()).execute();
    const stored = request.uniqueKey
      ? await db.selectFrom('job').selectAll().where('unique_key', '=', request.uniqueKey).executeTakeFirstOrThrow()
      : await db.selectFrom('job').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    return toJob(stored);
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async findByUniqueKey(uniqueKey: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom('job').selectAll().where('unique_key', '=', uniqueKey).executeTakeFirst();
    return row ? toJob(row) : undefined;
  }

  async list(filter: { kind?: string; states?: JobState[] } = {}): Promise<Job[]> {
    let query = this.db.selectFrom('job').selectAll().orderBy('created_at');
    if (filter.kind) query = query.where('kind', '=', filter.kind);
    if (filter.states?.length) query = query.where('state', 'in', filter.states);
    return (await query.execute()).map(toJob);
  }

  /**
   * Claims the next due job whose kind this instance handles: pending and due, or running with an expired lease (its
   * instance died). Returns undefined when nothing is due or another instance won every candidate.
   */
  async claimNext(owner: string, leaseMs: number, kinds: readonly string[]): Promise<Job | undefined> {
    if (kinds.length === 0) return undefined;
    const now = this.now();
    const nowIso = now.toISOString();
    const candidates = await this.db
      .selectFrom('job')
      .select(['id', 'version'])
      .where('kind', 'in', [...kinds])
      .where('run_at', '<=', nowIso)
      .where((eb) =>
        eb.or([eb('state', '=', 'pending'), eb.and([eb('state', '=', 'running'), eb('lease_expires_at', '<', nowIso)])]),
      )
      .orderBy('run_at')
      .limit(5)
      .execute();
    for (const candidate of candidates) {
      const won = await this.db
        .updateTable('job')
        .set((eb) => ({
          state: 'running',
          lease_owner: owner,
          lease_expires_at: new Date(now.getTime() + leaseMs).toISOString(),
          attempts: eb('attempts', '+', 1),
          version: candidate.version + 1,
          updated_at: nowIso,
        }))
        .where('id', '=', candidate.id)
        .where('version', '=', candidate.version)
        .executeTakeFirst();
      if (won.numUpdatedRows > 0n) return this.get(candidate.id);
    }
    return undefined;
  }

  /** Extends a held lease; false when the lease was lost (expired and taken by another instance). */
  async extendLease(job: Job, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('job')
      .set({ lease_expires_at: new Date(this.now().getTime() + leaseMs).toISOString() })
      .where('id', '=', job.id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Ends or reschedules a claimed job; false when this owner no longer holds it. */
  async settle(job: Job, owner: string, transition: JobTransition): Promise<boolean> {
    const nowIso = this.now().toISOString();
    const changes = {
      state: transition.state,
      updated_at: nowIso,
      lease_owner: null,
      lease_expires_at: null,
      version: job.version + 1,
      ...(transition.payload !== undefined ? { payload: JSON.stringify(transition.payload) } : {}),
      ...(transition.state === 'pending'
        ? { run_at: transition.runAt.toISOString(), last_error: transition.error ?? null, ...(transition.keepAttempts ? {} : { attempts: 0 }) }
        : {}),
      ...(transition.state === 'failed' ? { last_error: transition.error } : {}),
    };
    const result = await this.db
      .updateTable('job')
      .set(changes)
      .where('id', '=', job.id)
      .where('lease_owner', '=', owner)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Moves the job with this unique key to run at `runAt` with `payload`, as if it had just been enqueued: a pending job is
   * moved, a finished one (succeeded, failed, cancelled) starts again, and a missing one is inserted. A running job is left
   * to its step, which reads the state it works on again; false then. Pass a transaction to move it with the change that
   * made it necessary (an end date that moved).
   */
  async reschedule(request: EnqueueRequest & { uniqueKey: string }, db: Kysely<Database> = this.db): Promise<boolean> {
    const nowIso = this.now().toISOString();
    const result = await db
      .updateTable('job')
      .set((eb) => ({
        state: 'pending',
        run_at: (request.runAt ?? this.now()).toISOString(),
        payload: JSON.stringify(request.payload ?? null),
        attempts: 0,
        last_error: null,
        lease_owner: null,
        lease_expires_at: null,
        ...(request.maxAttempts !== undefined ? { max_attempts: request.maxAttempts } : {}),
        version: eb('version', '+', 1),
        updated_at: nowIso,
      }))
      .where('unique_key', '=', request.uniqueKey)
      .where('state', '!=', 'running')
      .executeTakeFirst();
    if (result.numUpdatedRows > 0n) return true;
    const existing = await db.selectFrom('job').select('state').where('unique_key', '=', request.uniqueKey).executeTakeFirst();
    if (existing) return false;
    await this.enqueue(request, db);
    return true;
  }

  /** Cancels a job that has not finished; a running step completes, but its outcome is then discarded. */
  async cancel(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('job')
      .set((eb) => ({ state: 'cancelled', updated_at: this.now().toISOString(), lease_owner: null, lease_expires_at: null, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('state', 'in', ['pending', 'running'])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
