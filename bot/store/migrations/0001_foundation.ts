import { sql, type Kysely, type Migration } from 'kysely';
import type { StoreDialect } from '../dialect';

/**
 * The first schema: conversation references, the audit log, inbound dedupe keys and botbuilder state. Written with the schema
 * builder so one definition serves both dialects; only the identity column and the append-only triggers differ.
 *
 * There is no `down`: migrations are forward-only, and no tool should be able to drop the audit log.
 */
export function foundation(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('conversation_reference')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('reference', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute();

      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'integer', (col) =>
          dialect === 'postgres' ? col.primaryKey().generatedAlwaysAsIdentity() : col.primaryKey().autoIncrement(),
        )
        .addColumn('at', 'text', (col) => col.notNull())
        .addColumn('actor', 'text', (col) => col.notNull())
        .addColumn('actor_name', 'text')
        .addColumn('action', 'text', (col) => col.notNull())
        .addColumn('target', 'text', (col) => col.notNull())
        .addColumn('outcome', 'text', (col) => col.notNull())
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
      await db.schema.createIndex('audit_log_actor_at').on('audit_log').columns(['actor', 'at']).execute();
      await db.schema.createIndex('audit_log_target_at').on('audit_log').columns(['target', 'at']).execute();

      if (dialect === 'postgres') {
        await sql`
          create function audit_log_append_only() returns trigger language plpgsql as $$
          begin
            raise exception 'audit log is append-only';
          end
          $$`.execute(db);
        await sql`
          create trigger audit_log_no_update_or_delete before update or delete on audit_log
          for each row execute function audit_log_append_only()`.execute(db);
        await sql`
          create trigger audit_log_no_truncate before truncate on audit_log
          for each statement execute function audit_log_append_only()`.execute(db);
      } else {
        await sql`
          create trigger audit_log_no_update before update on audit_log
          begin select raise(abort, 'audit log is append-only'); end`.execute(db);
        await sql`
          create trigger audit_log_no_delete before delete on audit_log
          begin select raise(abort, 'audit log is append-only'); end`.execute(db);
      }

      await db.schema
        .createTable('inbound_dedupe')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('claimed_at', 'text', (col) => col.notNull())
        .addColumn('expires_at', 'text', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('inbound_dedupe_expires_at').on('inbound_dedupe').column('expires_at').execute();

      await db.schema
        .createTable('bot_state')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('document', 'text', (col) => col.notNull())
        .addColumn('etag', 'text', (col) => col.notNull())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .execute();
    },
  };
}
