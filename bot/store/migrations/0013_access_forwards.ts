import type { Kysely, Migration } from 'kysely';

/**
 * Forward to…: the hand-overs of a pending request from one approver to another, oldest first, as JSON (issue 11). Null
 * until the first. The card shows them and the reminders read them; the audit log has each one as well.
 */
export function accessForwards(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('access_request').addColumn('forwards', 'text').execute();
    },
  };
}
