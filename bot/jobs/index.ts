import type { Kysely } from 'kysely';
import type { Database } from '../store';
import type { EnqueueRequest, Job, JobQueue } from './jobQueue';
import type { JobRunner } from './jobRunner';

export type { Job, JobState } from './jobQueue';
export { JobQueue } from './jobQueue';
export { defineJob, JobRunner, type JobHandler, type JobOutcome, type JobStepContext } from './jobRunner';

/** What handlers use to start durable work: enqueue (optionally inside the transaction that made it necessary) and wake the runner. */
export class Jobs {
  private runner?: JobRunner;

  constructor(readonly queue: JobQueue) {}

  /** The runner is built after the services it gives to handlers, so it is attached here once it exists. */
  attach(runner: JobRunner): void {
    this.runner = runner;
  }

  async enqueue(request: EnqueueRequest, db?: Kysely<Database>): Promise<Job> {
    const job = await this.queue.enqueue(request, db);
    if (!db) this.wake();
    return job;
  }

  /** Call after the transaction that enqueued a job has committed. */
  wake(): void {
    this.runner?.wake();
  }
}
