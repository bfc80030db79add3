import type { Kysely } from 'kysely';
import type { Database } from './schema';

/** On a grant, `nextAt` is when the following slot comes, so a paced caller can be back exactly then. */
export type PaceClaim = { granted: boolean; nextAt: Date };

/**
 * A tenant-wide pace shared by every run and every instance: one row per budget holds the earliest time of the next action.
 * A caller may act only when that time has come, and moves it one interval on by compare-and-set, however many callers race.
 * The interval counts from the slot's own time when the caller took it late by up to half an interval (the few
 * milliseconds of reading the next row and asking Graph), so a caller that comes back on time keeps the configured pace
 * instead of losing its overhead on every row; a caller later than that (idle, Retry-After) starts afresh from now. So
 * the n-th grant after any grant is at least n intervals after that grant's slot, and two grants are never closer than
 * half an interval. Works the same on SQLite and PostgreSQL.
 */
export class InvitePacing {
  constructor(private readonly db: Kysely<Database>) {}

  /** Takes the next slot if it is due at `now`; otherwise says when it will be. Losing a race reads again. */
  async tryTake(key: string, intervalMs: number, now: Date): Promise<PaceClaim> {
    const fresh = new Date(now.getTime() + intervalMs);
    const nextAt = fresh.toISOString();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const inserted = await this.db
        .insertInto('invite_pacing')
        .values({ key, next_at: nextAt, version: 0 })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return { granted: true, nextAt: fresh };
      const row = await this.db.selectFrom('invite_pacing').select(['next_at', 'version']).where('key', '=', key).executeTakeFirst();
      if (!row) continue;
      const due = new Date(row.next_at);
      if (due.getTime() > now.getTime()) return { granted: false, nextAt: due };
      const credit = Math.min(now.getTime() - due.getTime(), intervalMs / 2);
      const following = new Date(now.getTime() + intervalMs - credit);
      const taken = await this.db
        .updateTable('invite_pacing')
        .set({ next_at: following.toISOString(), version: row.version + 1 })
        .where('key', '=', key)
        .where('version', '=', row.version)
        .executeTakeFirst();
      if (taken.numUpdatedRows > 0n) return { granted: true, nextAt: following };
    }
    // Ten lost races in a row: someone else is taking slots now, so this caller waits one interval.
    return { granted: false, nextAt: fresh };
  }
}
