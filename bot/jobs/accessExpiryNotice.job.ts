import { ACCESS_NOTICE_JOB_KIND, ExpiryNoticePayloadSchema, type AccessRequestService } from '../services/accessRequests';
import { defineJob } from './jobRunner';

/**
 * A grant's expiry notices (ACCESS_EXPIRY_NOTICE_DAYS before its end): one job per grant that sends the notice due, then
 * sleeps until the next. Moved with the end date by an extension or a shortening; cancelled by a revoke, the expiry and
 * Let it end, and it stops by itself when it finds the grant no longer live. Who was told is checkpointed in the payload,
 * so a step repeated after a crash tells only the others.
 */
export function accessExpiryNoticeJob(service: AccessRequestService) {
  return defineJob({
    kind: ACCESS_NOTICE_JOB_KIND,
    payload: ExpiryNoticePayloadSchema,
    async step(job, { log }) {
      const step = await service.noticeStep(job.payload);
      if (step.status === 'done') {
        if (step.note) log.info({ request: job.payload.requestId, note: step.note }, 'expiry notice');
        return { status: 'done' };
      }
      if (step.status === 'retry') return { status: 'retry', error: step.error, payload: step.payload };
      return { status: 'continue', payload: step.payload, ...(step.runAt ? { runAt: step.runAt } : {}) };
    },
  });
}
