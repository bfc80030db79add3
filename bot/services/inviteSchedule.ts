import { z } from 'zod';
import type { ScheduledJob } from './ports';

/**
 * The durable work an approved (or an admin's own) or a denied invitation asks for: its kind, key and payload. They live
 * on the services side because the services schedule the work; `jobs/` imports them to carry it out, never the other way
 * round.
 */
export const INVITE_JOB_KIND = 'invite.send';

/**
 * The runner's back-off doubles (1 s, 2 s, 4 s, …), so 10 attempts keep trying for about eight minutes: long enough to
 * ride out Graph throttling or a short outage, short enough that nobody waits long on an invitation shown as being sent.
 */
export const INVITE_JOB_MAX_ATTEMPTS = 10;

const GroupOutcomeSchema = z.object({ groupId: z.string(), outcome: z.enum(['added', 'already', 'failed']), detail: z.string().optional() });

/**
 * The job's checkpoint: which card updates it has done, and the guest once Graph has answered, so a repeated step after a
 * crash adds the groups to that guest instead of inviting again.
 */
export const InviteJobPayloadSchema = z.object({
  invitationId: z.string(),
  announced: z.boolean().optional(),
  /** The approval cards show the outcome; telling the requester is the next step, on its own. */
  cardsUpdated: z.boolean().optional(),
  invited: z
    .object({
      userId: z.string(),
      redeemUrl: z.string().optional(),
      status: z.string().optional(),
      reusedExisting: z.boolean(),
    })
    .optional(),
  groups: z.array(GroupOutcomeSchema).optional(),
  notified: z.boolean().optional(),
});
export type InviteJobPayload = z.infer<typeof InviteJobPayloadSchema>;

/**
 * One job per move to `inviting` or `denied`: the record's version before the move is in the key, so an admin's retry of
 * their own failed invitation gets a new job while a redelivered click never schedules a second one.
 */
export function inviteJob(invitationId: string, versionBefore: number): ScheduledJob {
  return {
    kind: INVITE_JOB_KIND,
    payload: { invitationId } satisfies InviteJobPayload,
    uniqueKey: `${INVITE_JOB_KIND}:${invitationId}:${versionBefore}`,
    maxAttempts: INVITE_JOB_MAX_ATTEMPTS,
  };
}

/** The job that sends a pending invitation's approval cards when the confirm died before they went out. */
export const INVITE_FANOUT_CHECK_JOB_KIND = 'invite.approvalFanoutCheck';

/** When a manager's invitation is checked for approval cards after the confirm, unless a setting says. */
export const DEFAULT_INVITE_FANOUT_CHECK_SECONDS = 60;

export const InviteFanoutCheckPayloadSchema = z.object({ invitationId: z.string() });
export type InviteFanoutCheckPayload = z.infer<typeof InviteFanoutCheckPayloadSchema>;

/**
 * Committed with the move to `pending`: past the turn budget the confirm's fan-out runs in memory, and a process that dies
 * then would leave the admins without a card and the requester's card saying "working…". One per move (the version).
 */
export function inviteFanoutCheckJob(invitationId: string, versionBefore: number, runAt: Date): ScheduledJob {
  return {
    kind: INVITE_FANOUT_CHECK_JOB_KIND,
    payload: { invitationId } satisfies InviteFanoutCheckPayload,
    runAt,
    uniqueKey: `${INVITE_FANOUT_CHECK_JOB_KIND}:${invitationId}:${versionBefore}`,
  };
}
