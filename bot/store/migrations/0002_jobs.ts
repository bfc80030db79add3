import type { Kysely, Migration } from 'kysely';

/**
 * Durable jobs: bulk invitation runs, grants, expiry and request time-outs. A job is claimed by taking its lease with one
 * compare-and-set, so with several instances on one PostgreSQL each due job runs on one instance at a time.
 */
export function jobs(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('job')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('run_at', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('max_attempts', 'integer', (col) => col.notNull())
        .addColumn('last_error', 'text')
        .addColumn('lease_owner', 'text')
        .addColumn('lease_expires_at', 'text')
        .addColumn('unique_key', 'text', (col) => col.unique())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('job_due').on('job').columns(['state', 'run_at']).execute();
    },
  };
}
