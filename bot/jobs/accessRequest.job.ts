import {
  ACCESS_ESCALATE_JOB_KIND,
  ACCESS_FORWARD_JOB_KIND,
  ACCESS_GRANT_JOB_KIND,
  ACCESS_REMINDER_JOB_KIND,
  ACCESS_TIMEOUT_JOB_KIND,
  EscalationPayloadSchema,
  ForwardPayloadSchema,
  GrantJobPayloadSchema,
  ReminderPayloadSchema,
  RequestTimeoutPayloadSchema,
} from '../services/access/schedule';
import type { AccessRequestService } from '../services/accessRequests';
import { defineJob } from './jobRunner';

/**
 * Grants an approved request, one step at a time: announce on the cards, grant (shadow account, then assignment), mark it
 * granted with its expiry, then tell everyone; a denied request is only told. The request row is the checkpoint; every step
 * is safe to repeat, and the job's attempt count tells the requester's notice whether it may be a repeat.
 */
export function accessGrantJob(service: AccessRequestService) {
  return defineJob({
    kind: ACCESS_GRANT_JOB_KIND,
    payload: GrantJobPayloadSchema,
    step(job) {
      return service.grantStep(job.payload, job.attempts);
    },
    async onFailed(job, error) {
      await service.giveUp(job.payload.requestId, error);
    },
  });
}

/** Ends a request nobody decided by its deadline. */
export function accessRequestTimeoutJob(service: AccessRequestService) {
  return defineJob({
    kind: ACCESS_TIMEOUT_JOB_KIND,
    payload: RequestTimeoutPayloadSchema,
    async step(job) {
      const outcome = await service.timeoutStep(job.payload.requestId);
      return outcome.status === 'continue' ? { status: 'continue', payload: job.payload, runAt: outcome.runAt } : { status: 'done' };
    },
  });
}

/** Reminds the approvers of an undecided request, each ACCESS_REMINDER_HOURS until its deadline. */
export function accessRequestReminderJob(service: AccessRequestService) {
  return defineJob({
    kind: ACCESS_REMINDER_JOB_KIND,
    payload: ReminderPayloadSchema,
    step(job) {
      return service.reminderStep(job.payload);
    },
  });
}

/** Hands an undecided request to the bot admins as well, ACCESS_ESCALATE_HOURS after it was made. */
export function accessRequestEscalationJob(service: AccessRequestService) {
  return defineJob({
    kind: ACCESS_ESCALATE_JOB_KIND,
    payload: EscalationPayloadSchema,
    step(job) {
      return service.escalateStep(job.payload);
    },
  });
}

/** Forward to…: the new approver's card, every card brought up to date, then the requester told; each a step of its own. */
export function accessRequestForwardJob(service: AccessRequestService) {
  return defineJob({
    kind: ACCESS_FORWARD_JOB_KIND,
    payload: ForwardPayloadSchema,
    step(job) {
      return service.forwardStep(job.payload);
    },
  });
}
