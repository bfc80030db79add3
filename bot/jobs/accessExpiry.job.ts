import type { Kysely } from 'kysely';
import { ExpiryPayloadSchema, type AccessRevocationService, type ExpiryPayload } from '../services/accessRevocation';
import type { Database } from '../store';
import type { Job, JobQueue } from './jobQueue';
import { defineJob } from './jobRunner';

/** The job kind that ends a grant when its time is up. */
export const ACCESS_EXPIRY_JOB_KIND = 'access.expire';

/**
 * Attempts before the expiry job gives up and tells people. The runner's back-off doubles up to 5 minutes, so 30 attempts
 * keep trying for about two hours: long enough to ride out a Graph or DC outage, short enough that someone hears of it.
 */
export const ACCESS_EXPIRY_MAX_ATTEMPTS = 30;

/** One job per request, whoever schedules it and however often: a retried grant step never schedules a second expiry. */
export function accessExpiryKey(requestId: string): string {
  return `${ACCESS_EXPIRY_JOB_KIND}:${requestId}`;
}

/**
 * Schedules the end of a grant at `expiresAt`. Pass the transaction that marks the request granted, so the grant and its
 * expiry commit together: a grant can then never outlive its expiry because of a crash in between.
 */
export function scheduleAccessExpiry(jobs: JobQueue, requestId: string, expiresAt: Date, db?: Kysely<Database>): Promise<Job> {
  return jobs.enqueue(
    {
      kind: ACCESS_EXPIRY_JOB_KIND,
      payload: { requestId, phase: 'end' } satisfies ExpiryPayload,
      runAt: expiresAt,
      uniqueKey: accessExpiryKey(requestId),
      maxAttempts: ACCESS_EXPIRY_MAX_ATTEMPTS,
    },
    db,
  );
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
