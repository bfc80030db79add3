import type { Kysely, Migration } from 'kysely';

/**
 * Every table is named in the singular for one row (`invitation`, `job`, `bulk_invite_run`) except `access_requests`;
 * this renames it. Its indexes keep their names: SQLite cannot rename an index, and nothing refers to them by name.
 */
export function singularTableNames(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('access_requests').renameTo('access_request').execute();
    },
  };
}
