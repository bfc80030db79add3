import type { Kysely, Migration } from 'kysely';

/**
 * Bulk invitation runs and their rows. A run's state moves by compare-and-set (draft → awaitingApproval → running →
 * finished | stopped | cancelled); each row is marked `inviting` before its POST /invitations and settled after it, so a
 * job step repeated after a crash finds the row half-done and checks the directory instead of inviting again.
 */
export function bulkInvitations(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('bulk_invite_run')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('requester_id', 'text', (col) => col.notNull())
        .addColumn('requester_name', 'text', (col) => col.notNull())
        .addColumn('total', 'integer', (col) => col.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_by_name', 'text')
        .addColumn('stop_reason', 'text')
        .addColumn('progress_message', 'text')
        .addColumn('progress_updated_at', 'text')
        .addColumn('approval_messages', 'text')
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema
        .createTable('bulk_invite_row')
        .addColumn('run_id', 'text', (col) => col.notNull())
        .addColumn('idx', 'integer', (col) => col.notNull())
        .addColumn('input', 'text', (col) => col.notNull())
        .addColumn('email', 'text')
        .addColumn('redirect_url', 'text')
        .addColumn('send_email', 'integer', (col) => col.notNull())
        .addColumn('message', 'text')
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('detail', 'text')
        .addColumn('user_id', 'text')
        .addColumn('redeem_url', 'text')
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('bulk_invite_row_pk', ['run_id', 'idx'])
        .execute();
      await db.schema.createIndex('bulk_invite_row_state').on('bulk_invite_row').columns(['run_id', 'state', 'idx']).execute();
    },
  };
}
