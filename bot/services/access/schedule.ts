import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../store';
import type { JobScheduler, ScheduledJob } from '../ports';
import type { ExpiryPayload } from '../accessRevocation';

/**
 * The durable work an access request asks for: its kinds, keys and payloads. They live on the services side because the
 * services schedule the work; `jobs/` imports them to carry it out, never the other way round.
 */

export const ACCESS_GRANT_JOB_KIND = 'access.grant';
export const ACCESS_TIMEOUT_JOB_KIND = 'access.requestTimeout';
/** Reminds the approvers of a request nobody has decided, each ACCESS_REMINDER_HOURS until its deadline. */
export const ACCESS_REMINDER_JOB_KIND = 'access.reminder';
/** Hands a request nobody decided to the admins as well, ACCESS_ESCALATE_HOURS after it was made. */
export const ACCESS_ESCALATE_JOB_KIND = 'access.escalate';
/** Sends a forwarded request's card to its new approver, brings every card up to date and tells the requester. */
export const ACCESS_FORWARD_JOB_KIND = 'access.forward';
/** The job kind that ends a grant when its time is up. */
export const ACCESS_EXPIRY_JOB_KIND = 'access.expire';

/**
 * The runner's back-off doubles up to 5 minutes, so 12 attempts keep trying a grant for about half an hour: long enough to
 * ride out a DC restart or Graph throttling, short enough that the requester hears of a real problem the same day.
 */
export const ACCESS_GRANT_MAX_ATTEMPTS = 12;

/**
 * Attempts before the expiry job gives up and tells people. The runner's back-off doubles up to 5 minutes, so 30 attempts
 * keep trying for about two hours: long enough to ride out a Graph or DC outage, short enough that someone hears of it.
 */
export const ACCESS_EXPIRY_MAX_ATTEMPTS = 30;

/** The grant job's checkpoint in its payload: which card updates it has done. */
export const GrantJobPayloadSchema = z.object({
  requestId: z.string(),
  announced: z.boolean().optional(),
  /** The approval cards show the outcome; telling the requester is the next step, on its own. */
  cardsUpdated: z.boolean().optional(),
  notified: z.boolean().optional(),
});
export type GrantJobPayload = z.infer<typeof GrantJobPayloadSchema>;

export const RequestTimeoutPayloadSchema = z.object({ requestId: z.string() });

/**
 * The reminder job's checkpoint: which reminder is next (1 = the first, ACCESS_REMINDER_HOURS after the request), and who
 * has had this one already, so a step retried after Teams refused one delivery does not remind the others twice.
 */
export const ReminderPayloadSchema = z.object({
  requestId: z.string(),
  round: z.number().int().positive(),
  reminded: z.array(z.string()).optional(),
});
export type ReminderPayload = z.infer<typeof ReminderPayloadSchema>;

/** The escalation's checkpoint: the admins' cards went out, then the cards were brought up to date and the requester told. */
export const EscalationPayloadSchema = z.object({
  requestId: z.string(),
  cardsSent: z.boolean().optional(),
});
export type EscalationPayload = z.infer<typeof EscalationPayloadSchema>;

/**
 * The forward job's checkpoint: which hand-over of the request (its index in `forwards`), and whether the new approver's
 * card went out; telling the requester is the last step.
 */
export const ForwardPayloadSchema = z.object({
  requestId: z.string(),
  index: z.number().int().nonnegative(),
  cardSent: z.boolean().optional(),
});
export type ForwardPayload = z.infer<typeof ForwardPayloadSchema>;

/** One job per hand-over: the index is the forward's place in the request's list, fixed by the compare-and-set that added it. */
export const accessForwardKey = (requestId: string, index: number): string => `${ACCESS_FORWARD_JOB_KIND}:${requestId}:${index}`;

export function accessForwardJob(requestId: string, index: number): ScheduledJob {
  return { kind: ACCESS_FORWARD_JOB_KIND, payload: { requestId, index } satisfies ForwardPayload, uniqueKey: accessForwardKey(requestId, index), maxAttempts: ACCESS_GRANT_MAX_ATTEMPTS };
}

/** One job of each kind per request, whoever schedules it and however often. */
export const accessGrantKey = (requestId: string): string => `${ACCESS_GRANT_JOB_KIND}:${requestId}`;
export const accessTimeoutKey = (requestId: string): string => `${ACCESS_TIMEOUT_JOB_KIND}:${requestId}`;
export const accessReminderKey = (requestId: string): string => `${ACCESS_REMINDER_JOB_KIND}:${requestId}`;
export const accessEscalationKey = (requestId: string): string => `${ACCESS_ESCALATE_JOB_KIND}:${requestId}`;
/** A retried grant step never schedules a second expiry. */
export const accessExpiryKey = (requestId: string): string => `${ACCESS_EXPIRY_JOB_KIND}:${requestId}`;

export function accessGrantJob(requestId: string): ScheduledJob {
  return { kind: ACCESS_GRANT_JOB_KIND, payload: { requestId }, uniqueKey: accessGrantKey(requestId), maxAttempts: ACCESS_GRANT_MAX_ATTEMPTS };
}

/** When a new request's time-out job first runs to check that its approval cards went out, unless a setting says. */
export const DEFAULT_FANOUT_CHECK_SECONDS = 60;

/**
 * The request's time-out job. It runs first at `fanoutCheckAt` (soon after the request is stored) to send the approval
 * cards if the Send died before they went out, then at the deadline.
 */
export function requestTimeoutJob(requestId: string, deadline: Date, fanoutCheckAt?: Date): ScheduledJob {
  const runAt = fanoutCheckAt && fanoutCheckAt < deadline ? fanoutCheckAt : deadline;
  return { kind: ACCESS_TIMEOUT_JOB_KIND, payload: { requestId }, runAt, uniqueKey: accessTimeoutKey(requestId) };
}

/** When reminder `round` is due: `round` × `hours` after the request was made. */
export function reminderDueAt(createdAt: Date, hours: number, round: number): Date {
  return new Date(createdAt.getTime() + round * hours * 3_600_000);
}

/** The request's reminder job, or none when reminders are off or the first would come at or after the deadline. */
export function requestReminderJob(requestId: string, createdAt: Date, deadline: Date, hours: number | undefined): ScheduledJob | undefined {
  if (!hours) return undefined;
  const runAt = reminderDueAt(createdAt, hours, 1);
  if (runAt >= deadline) return undefined;
  return { kind: ACCESS_REMINDER_JOB_KIND, payload: { requestId, round: 1 } satisfies ReminderPayload, runAt, uniqueKey: accessReminderKey(requestId) };
}

/** The request's escalation job, or none when escalation is off or would come at or after the deadline. */
export function requestEscalationJob(requestId: string, createdAt: Date, deadline: Date, hours: number | undefined): ScheduledJob | undefined {
  if (!hours) return undefined;
  const runAt = new Date(createdAt.getTime() + hours * 3_600_000);
  if (runAt >= deadline) return undefined;
  return { kind: ACCESS_ESCALATE_JOB_KIND, payload: { requestId } satisfies EscalationPayload, runAt, uniqueKey: accessEscalationKey(requestId) };
}

/** Every job that waits on a pending request's decision: the decision, the withdrawal or the time-out makes them pointless. */
export const waitingJobKeys = (requestId: string): string[] => [accessTimeoutKey(requestId), accessReminderKey(requestId), accessEscalationKey(requestId)];

export function accessExpiryJob(requestId: string, expiresAt: Date): ScheduledJob {
  return {
    kind: ACCESS_EXPIRY_JOB_KIND,
    payload: { requestId, phase: 'end' } satisfies ExpiryPayload,
    runAt: expiresAt,
    uniqueKey: accessExpiryKey(requestId),
    maxAttempts: ACCESS_EXPIRY_MAX_ATTEMPTS,
  };
}

/**
 * Schedules the end of a grant at `expiresAt`. Pass the transaction that marks the request granted, so the grant and its
 * expiry commit together: a grant can then never outlive its expiry because of a crash in between.
 */
export function scheduleAccessExpiry(scheduler: JobScheduler, requestId: string, expiresAt: Date, db?: Kysely<Database>): Promise<void> {
  return scheduler.schedule(accessExpiryJob(requestId, expiresAt), db);
}

/** The job kind that sends a grant's expiry notices (ACCESS_EXPIRY_NOTICE_DAYS before its end). */
export const ACCESS_NOTICE_JOB_KIND = 'access.expiryNotice';

/** The expiry notices when the setting does not say: a week before, and the day before. */
export const DEFAULT_EXPIRY_NOTICE_DAYS: readonly number[] = [7, 1];

/**
 * The notice job's checkpoint. `endsAt`: the end date the notices are for; when the grant's end date moved since (an
 * extension, a shortening), the notices start over for the new one. `armedAt`: when that end date was set; a notice whose
 * time was already past then (a 3-day grant's 7-day notice) is never sent. `sent`: the notices (days before) done for this
 * end date. `told`: who has had the notice being sent, so a step repeated after a crash tells only the others.
 */
export const ExpiryNoticePayloadSchema = z.object({
  requestId: z.string().min(1),
  endsAt: z.string(),
  armedAt: z.string(),
  sent: z.array(z.number().int().positive()).default([]),
  told: z.array(z.string()).default([]),
});
export type ExpiryNoticePayload = z.infer<typeof ExpiryNoticePayloadSchema>;

/** One notice job per grant, moved (never doubled) when the grant's end date moves. */
export const accessNoticeKey = (requestId: string): string => `${ACCESS_NOTICE_JOB_KIND}:${requestId}`;

const DAY_MS = 86_400_000;

/** When the notice `days` before `endsAt` is due. */
export function noticeTime(endsAt: Date, days: number): Date {
  return new Date(endsAt.getTime() - days * DAY_MS);
}

/** The notices still to come for this end date: due after it was set, not sent yet; soonest first. */
export function noticesAhead(payload: Pick<ExpiryNoticePayload, 'endsAt' | 'armedAt' | 'sent'>, noticeDays: readonly number[]): { days: number; at: Date }[] {
  const endsAt = new Date(payload.endsAt);
  const armedAt = new Date(payload.armedAt).getTime();
  return noticeDays
    .filter((d) => !payload.sent.includes(d))
    .map((days) => ({ days, at: noticeTime(endsAt, days) }))
    .filter((n) => n.at.getTime() > armedAt)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * The grant's notice job for the end date `endsAt` set at `armedAt` (granted, extended or shortened then), or undefined
 * when no notice is ahead (a grant shorter than the shortest notice).
 */
export function expiryNoticeJob(requestId: string, endsAt: Date, armedAt: Date, noticeDays: readonly number[]): (ScheduledJob & { uniqueKey: string }) | undefined {
  const payload: ExpiryNoticePayload = { requestId, endsAt: endsAt.toISOString(), armedAt: armedAt.toISOString(), sent: [], told: [] };
  const first = noticesAhead(payload, noticeDays)[0];
  if (!first) return undefined;
  return { kind: ACCESS_NOTICE_JOB_KIND, payload, runAt: first.at, uniqueKey: accessNoticeKey(requestId) };
}

/**
 * After a grant's end date moved (in the transaction that moved it): its expiry job and its notice job follow, so neither
 * fires for the old date. The expiry job also re-reads the date when it runs, so a job moved too late still ends the grant
 * on time or waits.
 */
export async function followEndDate(
  scheduler: JobScheduler,
  requestId: string,
  endsAt: Date,
  movedAt: Date,
  noticeDays: readonly number[],
  db?: Kysely<Database>,
): Promise<void> {
  await scheduler.reschedule(accessExpiryJob(requestId, endsAt) as ScheduledJob & { uniqueKey: string }, db);
  const notice = expiryNoticeJob(requestId, endsAt, movedAt, noticeDays);
  if (notice) await scheduler.reschedule(notice, db);
  else await scheduler.cancel(accessNoticeKey(requestId));
}
