import type { Kysely, Migration } from 'kysely';

/**
 * When a request nobody decided in ACCESS_ESCALATE_HOURS was handed to the admins as well (issue 11). Null until then. A
 * decision re-checks its approvers against Graph; for an escalated request the admins count as approvers too.
 */
export function accessEscalation(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('access_request').addColumn('escalated_at', 'text').execute();
    },
  };
}
