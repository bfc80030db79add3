import { z } from 'zod';
import type { JobScheduler } from '../services/ports';
import type { Store } from '../store';
import { defineJob } from './jobRunner';

export const HOUSEKEEPING_JOB_KIND = 'store.housekeeping';

/** One housekeeping job for all instances: each schedules it at start, and the unique key keeps the first. */
export const HOUSEKEEPING_UNIQUE_KEY = 'store.housekeeping';

export interface HousekeepingOptions {
  /** How often to purge. Hourly keeps the dedupe table to about a day's activities (its claims live 24 h). */
  intervalMs: number;
  /**
   * How long an unconfirmed invitation or bulk draft is kept. A week outlives any confirm card a person might still click;
   * a click after that finds no draft and is told so.
   */
  draftMaxAgeMs: number;
  /** After a failed purge (database unavailable): try again this soon rather than in a whole interval. */
  retryMs: number;
  now?: () => Date;
}

export const DEFAULT_HOUSEKEEPING: HousekeepingOptions = { intervalMs: 60 * 60_000, draftMaxAgeMs: 7 * 24 * 60 * 60_000, retryMs: 5 * 60_000 };

/** Makes sure the housekeeping job exists; safe to call from every instance at every start. */
export async function scheduleHousekeeping(scheduler: JobScheduler): Promise<void> {
  await scheduler.schedule({ kind: HOUSEKEEPING_JOB_KIND, payload: {}, uniqueKey: HOUSEKEEPING_UNIQUE_KEY });
}

/**
 * Purges expired inbound de-duplication claims and stale drafts, then continues itself one interval later, for ever. It
 * never fails: a job that failed would keep its unique key, and no instance could schedule housekeeping again.
 */
export function housekeepingJob(store: Pick<Store, 'purgeExpired'>, options: HousekeepingOptions = DEFAULT_HOUSEKEEPING) {
  const now = options.now ?? (() => new Date());
  return defineJob({
    kind: HOUSEKEEPING_JOB_KIND,
    payload: z.object({}),
    async step(job, { log }) {
      const at = now();
      try {
        const purged = await store.purgeExpired(at, options.draftMaxAgeMs);
        if (purged.dedupeKeys + purged.invitationDrafts + purged.bulkDrafts > 0) log.info(purged, 'housekeeping purged expired rows');
        return { status: 'continue', payload: job.payload, runAt: new Date(at.getTime() + options.intervalMs) };
      } catch (error) {
        log.warn({ err: error }, 'housekeeping could not purge; trying again soon');
        return { status: 'continue', payload: job.payload, runAt: new Date(at.getTime() + options.retryMs) };
      }
    },
  });
}
