import type { Kysely } from 'kysely';
import { ExpiryPayloadSchema, type AccessRevocationService } from '../services/accessRevocation';
import type { Database } from '../store';
import type { Job, JobQueue } from './jobQueue';
import { defineJob } from './jobRunner';
import { ACCESS_EXPIRY_JOB_KIND, accessExpiryJob as accessExpiryJobFor } from '../services/access/schedule';

export { ACCESS_EXPIRY_JOB_KIND, ACCESS_EXPIRY_MAX_ATTEMPTS, accessExpiryKey } from '../services/access/schedule';

/** Enqueues the expiry straight on the queue, for callers that hold the queue itself and want the job back (tests, tools). */
export function scheduleAccessExpiry(jobs: JobQueue, requestId: string, expiresAt: Date, db?: Kysely<Database>): Promise<Job> {
  return jobs.enqueue(accessExpiryJobFor(requestId, expiresAt), db);
}

/**
 * Ends a grant at its expiry, in three checkpointed steps (end the grant, remove the access, audit and tell the requester).
 * A crash between steps resumes at the next one; a crash inside a step repeats only that step, and each is safe to repeat.
 * A request revoked before its expiry ends the job without doing anything.
 */
export function accessExpiryJob(revocation: AccessRevocationService) {
  return defineJob({
    kind: ACCESS_EXPIRY_JOB_KIND,
    payload: ExpiryPayloadSchema,
    async step(job, { log }) {
      const step = await revocation.expireStep(job.payload);
      if (step.note) log.info({ request: job.payload.requestId, phase: job.payload.phase, note: step.note }, 'access expiry');
      if (step.status === 'done') return { status: 'done' };
      return { status: 'continue', payload: step.payload, ...(step.runAt ? { runAt: step.runAt } : {}) };
    },
    async onFailed(job, error) {
      await revocation.expiryFailed(job.payload, error);
    },
  });
}
