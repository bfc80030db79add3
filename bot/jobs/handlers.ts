import type { Services } from '../services';
import { accessExpiryJob } from './accessExpiry.job';
import { accessExpiryNoticeJob } from './accessExpiryNotice.job';
import { accessGrantJob, accessRequestEscalationJob, accessRequestForwardJob, accessRequestReminderJob, accessRequestTimeoutJob } from './accessRequest.job';
import { bulkInviteJob } from './bulkInvite.job';
import { DEFAULT_HOUSEKEEPING, housekeepingJob } from './housekeeping.job';
import { inviteApprovalJob, inviteFanoutCheckJob } from './inviteApproval.job';
import type { JobHandler } from './jobRunner';

/** Every durable job kind the bot runs. Features add their handlers here; they get the same services as commands. */
export function jobHandlers(services: Services): JobHandler[] {
  return [bulkInviteJob(services.bulkInvitations), accessExpiryJob(services.accessRevocation), accessGrantJob(services.accessRequests), accessRequestTimeoutJob(services.accessRequests), housekeepingJob(services.store, { ...DEFAULT_HOUSEKEEPING, now: services.clock.now }), inviteApprovalJob(services.invitations), inviteFanoutCheckJob(services.invitations), accessRequestReminderJob(services.accessRequests), accessRequestEscalationJob(services.accessRequests), accessExpiryNoticeJob(services.accessRequests), accessRequestForwardJob(services.accessRequests)];
}
