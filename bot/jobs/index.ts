import type { Kysely } from 'kysely';
import type { Database } from '../store';
import type { EnqueueRequest, Job, JobQueue } from './jobQueue';
import type { JobRunner } from './jobRunner';

export type { Job, JobState } from './jobQueue';
export { JobQueue } from './jobQueue';
export { defineJob, JobRunner, type JobHandler, type JobOutcome, type JobStepContext } from './jobRunner';

/** What handlers use to start durable work: enqueue (optionally inside the transaction that made it necessary) and wake the runner. */
export class Jobs {
  constructor(
    readonly queue: JobQueue,
    private readonly runner: () => JobRunner | undefined,
  ) {}

  async enqueue(request: EnqueueRequest, db?: Kysely<Database>): Promise<Job> {
    const job = await this.queue.enqueue(request, db);
    if (!db) this.wake();
    return job;
  }

  /** Call after the transaction that enqueued a job has committed. */
  wake(): void {
    this.runner()?.wake();
  }
}
