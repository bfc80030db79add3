import type { Kysely } from 'kysely';
import type { Database } from './schema';

export type PaceClaim = { granted: true } | { granted: false; nextAt: Date };

/**
 * A tenant-wide pace shared by every run and every instance: one row per budget holds the earliest time of the next action.
 * A caller may act only when that time has come, and moves it one interval on by compare-and-set, so two granted actions
 * are always at least `intervalMs` apart however many callers race. Works the same on SQLite and PostgreSQL.
 */
export class InvitePacing {
  constructor(private readonly db: Kysely<Database>) {}

  /** Takes the next slot if it is due at `now`; otherwise says when it will be. Losing a race reads again. */
  async tryTake(key: string, intervalMs: number, now: Date): Promise<PaceClaim> {
    const nextAt = new Date(now.getTime() + intervalMs).toISOString();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const inserted = await this.db
        .insertInto('invite_pacing')
        .values({ key, next_at: nextAt, version: 0 })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if ((inserted.numInsertedOrUpdatedRows ?? 0n) > 0n) return { granted: true };
      const row = await this.db.selectFrom('invite_pacing').select(['next_at', 'version']).where('key', '=', key).executeTakeFirst();
      if (!row) continue;
      const due = new Date(row.next_at);
      if (due.getTime() > now.getTime()) return { granted: false, nextAt: due };
      const taken = await this.db
        .updateTable('invite_pacing')
        .set({ next_at: nextAt, version: row.version + 1 })
        .where('key', '=', key)
        .where('version', '=', row.version)
        .executeTakeFirst();
      if (taken.numUpdatedRows > 0n) return { granted: true };
    }
    // Ten lost races in a row: someone else is taking slots now, so this caller waits one interval.
    return { granted: false, nextAt: new Date(nextAt) };
  }
}
