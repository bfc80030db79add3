import type { Kysely } from 'kysely';
import type { JobScheduler, ScheduledJob } from '../services/ports';
import type { Database } from '../store';
import type { EnqueueRequest, Job, JobQueue } from './jobQueue';
import type { JobRunner } from './jobRunner';

export type { Job, JobState } from './jobQueue';
export { JobQueue } from './jobQueue';
export { defineJob, JobRunner, type JobHandler, type JobOutcome, type JobStepContext } from './jobRunner';

/** What handlers use to start durable work: enqueue (optionally inside the transaction that made it necessary) and wake the runner. */
export class Jobs implements JobScheduler {
  private runner?: JobRunner;

  constructor(readonly queue: JobQueue) {}

  /** The runner is built after the services it gives to handlers, so it is attached here once it exists. */
  attach(runner: JobRunner): void {
    this.runner = runner;
  }

  async enqueue(request: EnqueueRequest, db?: Kysely<Database>): Promise<Job> {
    const job = await this.queue.enqueue(request, db);
    if (!db) this.runner?.wake(job.runAt);
    return job;
  }

  async schedule(job: ScheduledJob, db?: Kysely<Database>): Promise<void> {
    await this.enqueue(job, db);
  }

  async reschedule(job: ScheduledJob & { uniqueKey: string }, db?: Kysely<Database>): Promise<boolean> {
    const moved = await this.queue.reschedule(job, db);
    if (!db) this.runner?.wake(job.runAt);
    return moved;
  }

  async cancel(uniqueKey: string): Promise<boolean> {
    const job = await this.queue.findByUniqueKey(uniqueKey);
    return job ? this.queue.cancel(job.id) : false;
  }

  /** Call after the transaction that enqueued a job has committed. */
  wake(): void {
    this.runner?.wake();
  }
}
