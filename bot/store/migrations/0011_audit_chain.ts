import { sql, type Kysely, type Migration } from 'kysely';
import { GENESIS_HASH, rowHash } from '../auditChain';
import type { StoreDialect } from '../dialect';

interface ExistingRow {
  id: number;
  at: string;
  actor: string;
  actor_name: string | null;
  action: string;
  target: string;
  outcome: string;
  detail: string | null;
}

/**
 * Chains the audit log (issue 11): every row gets its place (`seq`), the hash of the row before it (`prev_hash`) and its own
 * hash (bot/store/auditChain.ts), so a deleted, edited or reordered row shows. `audit_chain_head` holds the newest `seq` and
 * hash in one row: every append updates it first, which serializes appenders on PostgreSQL (a row lock held to commit) and
 * lets `audit verify` see rows cut off the end.
 *
 * The rows already there are chained in the order they were written (`id`). That needs one update per row, so the
 * append-only triggers are lifted for this migration only and put back before it ends; on PostgreSQL it all runs in the
 * migration's transaction. New rows cannot be written without a chain position: NOT NULL on PostgreSQL, a trigger on SQLite
 * (which cannot add a NOT NULL column without a default).
 */
export function auditChain(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('audit_log').addColumn('seq', 'integer').execute();
      await db.schema.alterTable('audit_log').addColumn('prev_hash', 'text').execute();
      await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
      await db.schema
        .createTable('audit_chain_head')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('seq', 'integer', (col) => col.notNull())
        .addColumn('hash', 'text', (col) => col.notNull())
        .execute();

      if (dialect === 'postgres') await sql`alter table audit_log disable trigger audit_log_no_update_or_delete`.execute(db);
      else await sql`drop trigger audit_log_no_update`.execute(db);

      let seq = 0;
      let prev = GENESIS_HASH;
      let after = 0;
      for (;;) {
        const page = await sql<ExistingRow>`
          select id, at, actor, actor_name, action, target, outcome, detail from audit_log where id > ${after} order by id limit 500`.execute(db);
        if (page.rows.length === 0) break;
        for (const row of page.rows) {
          seq += 1;
          const hash = rowHash({ seq, prev_hash: prev, at: row.at, actor: row.actor, actor_name: row.actor_name, action: row.action, target: row.target, outcome: row.outcome, detail: row.detail });
          await sql`update audit_log set seq = ${seq}, prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`.execute(db);
          prev = hash;
          after = Number(row.id);
        }
      }
      await sql`insert into audit_chain_head (id, seq, hash) values (1, ${seq}, ${prev})`.execute(db);

      if (dialect === 'postgres') {
        await sql`alter table audit_log enable trigger audit_log_no_update_or_delete`.execute(db);
        await sql`alter table audit_log alter column seq set not null, alter column prev_hash set not null, alter column hash set not null`.execute(db);
      } else {
        await sql`
          create trigger audit_log_no_update before update on audit_log
          begin select raise(abort, 'audit log is append-only'); end`.execute(db);
        await sql`
          create trigger audit_log_chained before insert on audit_log
          when new.seq is null or new.prev_hash is null or new.hash is null
          begin select raise(abort, 'audit rows are written with their chain position'); end`.execute(db);
      }
      await db.schema.createIndex('audit_log_seq').on('audit_log').column('seq').unique().execute();
    },
  };
}
