import type { InvitationService } from '../services/invitations';
import { INVITE_FANOUT_CHECK_JOB_KIND, INVITE_JOB_KIND, InviteFanoutCheckPayloadSchema, InviteJobPayloadSchema } from '../services/inviteSchedule';
import { defineJob } from './jobRunner';

/**
 * Sends an invitation an admin approved (or made themself), one step at a time: announce on the cards, find or invite the
 * guest, add the groups and settle, then tell everyone; a denied one is only told. The payload is the checkpoint; every
 * step is safe to repeat.
 */
export function inviteApprovalJob(invitations: InvitationService) {
  return defineJob({
    kind: INVITE_JOB_KIND,
    payload: InviteJobPayloadSchema,
    step(job) {
      // The runner counts the claims of the current step: more than one means an earlier run of it was cut short.
      return invitations.inviteStep(job.payload, job.attempts > 1);
    },
    async onFailed(job, error) {
      await invitations.giveUp(job.payload.invitationId, `Microsoft Entra could not be reached for too long (${error})`);
    },
  });
}

/** Sends a pending invitation's approval cards when the confirm that asked for them died before they went out. */
export function inviteFanoutCheckJob(invitations: InvitationService) {
  return defineJob({
    kind: INVITE_FANOUT_CHECK_JOB_KIND,
    payload: InviteFanoutCheckPayloadSchema,
    async step(job) {
      await invitations.fanoutCheckStep(job.payload);
      return { status: 'done' };
    },
  });
}
