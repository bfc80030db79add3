import type { Kysely, Migration } from 'kysely';

/**
 * One row per confirmation the bot asked for before a destructive command or card action (issue 9). The row holds the exact
 * parsed arguments that were shown, so that what runs on Confirm is what was confirmed, whatever the clicked card carries.
 * `state` moves once, by compare-and-set on `version`: pending → used | cancelled. `result` keeps the answer, so a second
 * click on Confirm is told what already happened instead of doing it again.
 */
export function confirmations(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('confirmation')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('caller_id', 'text', (col) => col.notNull())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('verb', 'text', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull())
        .addColumn('choices', 'text')
        .addColumn('summary', 'text', (col) => col.notNull())
        .addColumn('result', 'text')
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('confirmation_expires_at').on('confirmation').column('expires_at').execute();
    },
  };
}
