import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import { ChainWalker, rowHash, type ChainBreak } from './auditChain';
import type { AuditLogTable, Database } from './schema';
import type { StoreWarningHandler } from './warnings';

/** Who did what to whom, and how it ended. */
export interface AuditEntryInput {
  /** Entra object id of the caller, or a fixed name such as `system:job` for work nobody clicked. */
  actor: string;
  actorName?: string;
  /** `noun.verb`, e.g. `invite.create`. */
  action: string;
  target: string;
  outcome: AuditOutcome;
  detail?: Record<string, unknown>;
  /** Defaults to now. */
  at?: Date;
}

export type AuditOutcome = 'success' | 'refused' | 'failed' | 'requested' | (string & {});

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  actorName?: string;
  action: string;
  target: string;
  outcome: string;
  detail?: Record<string, unknown>;
  /** The row's place in the hash chain, from 1 with no gaps (bot/store/auditChain.ts). */
  seq: number;
  /** The hash of row `seq - 1` (64 zeros for the first row). */
  prevHash: string;
  /** SHA-256 of the row's canonical serialization, which covers `seq` and `prevHash`. */
  hash: string;
}

/** Which rows `page` and `scan` return; every field given must match. */
export interface AuditFilter {
  actor?: string;
  /** The target is one of these, ignoring case (a partner's address, UPN and object id). */
  targets?: readonly string[];
  /** The stored detail holds this exact JSON string value somewhere (an app's service principal id). */
  mentions?: string;
  /** Inclusive lower bound on `at`. */
  since?: Date;
}

/** What `verify` found: the rows it read, the head it ended at, and every break by position (empty when intact). */
export interface ChainReport {
  rows: number;
  headSeq: number;
  headHash: string;
  breaks: ChainBreak[];
}

export interface AuditQuery {
  /** At most this many rows; defaults to 50, capped at 1000. */
  limit?: number;
  actor?: string;
  target?: string;
  action?: string;
  /** Inclusive lower bound on `at`. */
  since?: Date;
}

/**
 * Append-only by construction: there is no update or delete here, and the database refuses both with a trigger. Append
 * through `store.transaction` so the row commits or rolls back with the change it records.
 */
export interface AuditLog {
  append(entry: AuditEntryInput): Promise<AuditEntry>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Newest first by chain position, rows before `beforeSeq` only: one page of `audit` or `history`. */
  page(filter: AuditFilter, options: { limit: number; beforeSeq?: number }): Promise<AuditEntry[]>;
  /** Oldest first by chain position, rows after `afterSeq`, every column exactly as stored: the export reads these pages. */
  scan(filter: AuditFilter, options: { limit: number; afterSeq?: number }): Promise<StoredAuditRow[]>;
  /** Reads the whole log in chain order and checks every hash and link against the head. */
  verify(): Promise<ChainReport>;
}

export const DEFAULT_AUDIT_LIST_LIMIT = 50;
export const MAX_AUDIT_LIST_LIMIT = 1000;

const detailSchema = z.record(z.string(), z.unknown());

type AuditLogRow = { [K in keyof AuditLogTable]: K extends 'id' ? number : AuditLogTable[K] };

/** A row with every column as stored: `detail` is the JSON text the hash covers, not a re-serialized object. */
export type StoredAuditRow = AuditLogRow;

function clampLimit(limit: number): number {
  return Math.max(1, Math.min(Math.trunc(limit), MAX_AUDIT_LIST_LIMIT));
}

export class SqlAuditLog implements AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Takes the chain head first (an UPDATE, so on PostgreSQL a row lock that later appenders wait on until this transaction
   * ends, and on SQLite the write lock), then writes the row with the head's hash as its link, then moves the head. Outside a
   * transaction it opens its own, so the row and the head move together.
   */
  async append(entry: AuditEntryInput): Promise<AuditEntry> {
    if (this.db.isTransaction) return this.appendIn(this.db, entry);
    return this.db.transaction().execute((tx) => this.appendIn(tx, entry));
  }

  private async appendIn(db: Kysely<Database>, entry: AuditEntryInput): Promise<AuditEntry> {
    const at = entry.at ?? this.now();
    const detail = entry.detail === undefined ? null : JSON.stringify(entry.detail);
    const head = await db
      .updateTable('audit_chain_head')
      .set({ seq: sql<number>`seq + 1` })
      .where('id', '=', 1)
      .returning(['seq', 'hash'])
      .executeTakeFirst();
    if (!head) throw new Error('The audit chain head is missing: the store was not migrated, or the row was deleted');
    const columns = {
      seq: Number(head.seq),
      prev_hash: head.hash,
      at: at.toISOString(),
      actor: entry.actor,
      actor_name: entry.actorName ?? null,
      action: entry.action,
      target: entry.target,
      outcome: entry.outcome,
      detail,
    };
    const hash = rowHash(columns);
    const inserted = await db
      .insertInto('audit_log')
      .values({ ...columns, hash })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.updateTable('audit_chain_head').set({ hash }).where('id', '=', 1).execute();
    return {
      id: inserted.id,
      at,
      actor: entry.actor,
      ...(entry.actorName === undefined ? {} : { actorName: entry.actorName }),
      action: entry.action,
      target: entry.target,
      outcome: entry.outcome,
      // Round-tripped so the caller sees exactly what a later list() returns.
      ...(detail === null ? {} : { detail: this.parseDetail(inserted.id, detail) }),
      seq: columns.seq,
      prevHash: columns.prev_hash,
      hash,
    };
  }

  async list(query: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = Math.max(1, Math.min(Math.trunc(query.limit ?? DEFAULT_AUDIT_LIST_LIMIT), MAX_AUDIT_LIST_LIMIT));
    let select = this.db.selectFrom('audit_log').selectAll();
    if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
    if (query.target !== undefined) select = select.where('target', '=', query.target);
    if (query.action !== undefined) select = select.where('action', '=', query.action);
    if (query.since !== undefined) select = select.where('at', '>=', query.since.toISOString());
    const rows = await select.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => this.toEntry(row));
  }

  async page(filter: AuditFilter, options: { limit: number; beforeSeq?: number }): Promise<AuditEntry[]> {
    let select = this.filtered(filter);
    if (options.beforeSeq !== undefined) select = select.where('seq', '<', options.beforeSeq);
    const rows = await select.orderBy('seq', 'desc').limit(clampLimit(options.limit)).execute();
    return rows.map((row) => this.toEntry(row));
  }

  async scan(filter: AuditFilter, options: { limit: number; afterSeq?: number }): Promise<StoredAuditRow[]> {
    let select = this.filtered(filter);
    if (options.afterSeq !== undefined) select = select.where('seq', '>', options.afterSeq);
    const rows = await select.orderBy('seq', 'asc').limit(clampLimit(options.limit)).execute();
    return rows.map((row) => ({ ...row, id: Number(row.id), seq: Number(row.seq) }));
  }

  async verify(): Promise<ChainReport> {
    const readHead = async () => {
      const head = await this.db.selectFrom('audit_chain_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
      return head ? { seq: Number(head.seq), hash: head.hash } : undefined;
    };
    const before = await readHead();
    const walker = new ChainWalker();
    let after = 0;
    for (;;) {
      const rows = await this.db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq', 'asc').limit(MAX_AUDIT_LIST_LIMIT).execute();
      for (const row of rows) walker.add({ ...row, id: Number(row.id), seq: Number(row.seq) });
      const last = rows.at(-1);
      if (!last) break;
      after = Number(last.seq);
    }
    const head = await readHead();
    const breaks = walker.finish({ before, after: head });
    // The head reported is the last row read, so the hash shown is one this walk checked.
    return { rows: walker.rows, headSeq: walker.lastSeq, headHash: walker.lastHash, breaks };
  }

  private filtered(filter: AuditFilter): SelectQueryBuilder<Database, 'audit_log', AuditLogRow> {
    let select = this.db.selectFrom('audit_log').selectAll();
    if (filter.actor !== undefined) select = select.where('actor', '=', filter.actor);
    if (filter.targets !== undefined) {
      const lowered = [...new Set(filter.targets.map((t) => t.toLowerCase()))];
      // An empty list matches nothing, as `in ()` would if SQL allowed it.
      select = lowered.length === 0 ? select.where(sql<boolean>`1 = 0`) : select.where(sql<string>`lower(target)`, 'in', lowered);
    }
    if (filter.mentions !== undefined) {
      const needle = JSON.stringify(filter.mentions).replace(/[\\%_]/g, (c) => `\\${c}`);
      select = select.where(sql<boolean>`detail like ${`%${needle}%`} escape '\\'`);
    }
    if (filter.since !== undefined) select = select.where('at', '>=', filter.since.toISOString());
    return select;
  }

  private toEntry(row: AuditLogRow): AuditEntry {
    const id = Number(row.id);
    const detail = row.detail === null ? undefined : this.parseDetail(id, row.detail);
    return {
      id,
      at: new Date(row.at),
      actor: row.actor,
      ...(row.actor_name === null ? {} : { actorName: row.actor_name }),
      action: row.action,
      target: row.target,
      outcome: row.outcome,
      ...(detail === undefined ? {} : { detail }),
      seq: Number(row.seq),
      prevHash: row.prev_hash,
      hash: row.hash,
    };
  }

  private parseDetail(id: number, text: string): Record<string, unknown> | undefined {
    try {
      const parsed = detailSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.onWarning({ kind: 'corrupt-row', table: 'audit_log', key: String(id), problem: 'detail is not a JSON object' });
    } catch (error) {
      this.onWarning({ kind: 'corrupt-row', table: 'audit_log', key: String(id), problem: `detail is not JSON: ${String(error)}` });
    }
    return undefined;
  }
}
