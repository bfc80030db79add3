import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Requests for a partner's access to an enterprise app. The row is the state machine (pending → approved → granted | failed;
 * pending → denied | timedOut; granted → revoked | expired), and each move is one compare-and-set on `version` (or, for the
 * end of a grant, on `state`), so a double click, a redelivered invoke or a job repeated after a crash moves it once.
 * `grant_progress` is the grant job's checkpoint: which of its idempotent steps are known to be done.
 */
export function accessRequests(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('access_requests')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('requester_object_id', 'text', (col) => col.notNull())
        .addColumn('requester_name', 'text', (col) => col.notNull())
        .addColumn('guest_object_id', 'text', (col) => col.notNull())
        .addColumn('guest_upn', 'text', (col) => col.notNull())
        .addColumn('guest_display_name', 'text', (col) => col.notNull())
        .addColumn('guest_mail', 'text')
        .addColumn('guest_user_type', 'text')
        .addColumn('guest_external_state', 'text')
        .addColumn('guest_realm', 'text')
        .addColumn('guest_on_prem_synced', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('service_principal_id', 'text', (col) => col.notNull())
        .addColumn('app_id', 'text')
        .addColumn('app_display_name', 'text', (col) => col.notNull())
        .addColumn('app_role_id', 'text', (col) => col.notNull())
        .addColumn('app_role_name', 'text')
        .addColumn('sso_kind', 'text', (col) => col.notNull())
        .addColumn('shadow_plan', 'text', (col) => col.notNull().defaultTo('notNeeded'))
        .addColumn('duration_days', 'integer', (col) => col.notNull())
        .addColumn('justification', 'text', (col) => col.notNull())
        .addColumn('approver_source', 'text', (col) => col.notNull())
        .addColumn('approver_object_ids', 'text', (col) => col.notNull())
        .addColumn('approval_messages', 'text')
        .addColumn('approval_deadline', 'text', (col) => col.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_by_name', 'text')
        .addColumn('decided_at', 'text')
        .addColumn('decision_comment', 'text')
        .addColumn('grant_progress', 'text')
        .addColumn('grant_error', 'text')
        .addColumn('granted_at', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('ended_by', 'text')
        .addColumn('ended_at', 'text')
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .addColumn('version', 'integer', (col) => col.notNull())
        .execute();
      await db.schema
        .createIndex('access_requests_guest_app')
        .on('access_requests')
        .columns(['guest_object_id', 'service_principal_id', 'state'])
        .execute();
      await db.schema
        .createIndex('access_requests_requester')
        .on('access_requests')
        .columns(['requester_object_id', 'created_at'])
        .execute();
      // At most one live request per guest, app and role, whoever submits at the same moment: a second one would be granted
      // on top of the first, and the first one's expiry would then take away what the second one gave.
      await sql`create unique index access_requests_one_live on access_requests (guest_object_id, service_principal_id, app_role_id) where state in ('pending', 'approved', 'granted')`.execute(db);
      await db.schema.createIndex('access_requests_state').on('access_requests').columns(['state', 'updated_at']).execute();
    },
  };
}
