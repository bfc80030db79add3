import type { Kysely, Migration } from 'kysely';

/**
 * One row per pacing budget (today only `invitations`): the earliest time the next invitation may be sent. Every bulk run
 * on every instance takes its slot from this row by compare-and-set on `version`, so N runs share one rate instead of N.
 */
export function invitePacing(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('invite_pacing')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('next_at', 'text', (col) => col.notNull())
        .addColumn('version', 'integer', (col) => col.notNull())
        .execute();
    },
  };
}
