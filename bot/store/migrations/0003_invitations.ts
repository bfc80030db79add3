import type { Kysely, Migration } from 'kysely';

/**
 * Invitations keyed before they are sent: the row exists (state `draft`) before the confirm button can be clicked, moves by
 * compare-and-set to `inviting` before POST /invitations and to `invited` after it, so a double click, a redelivered invoke
 * or the Graph client re-sending the POST never makes a second invitation. Managers' invitations wait in `pending` for an
 * admin's decision.
 */
export function invitations(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('invitation')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('email', 'text', (col) => col.notNull())
        .addColumn('requester_id', 'text', (col) => col.notNull())
        .addColumn('requester_name', 'text', (col) => col.notNull())
        .addColumn('options', 'text', (col) => col.notNull())
        .addColumn('decided_by', 'text')
        .addColumn('decided_by_name', 'text')
        .addColumn('result', 'text')
        .addColumn('approval_messages', 'text')
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('invitation_email').on('invitation').columns(['email', 'state']).execute();
    },
  };
}
