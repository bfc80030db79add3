import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from './schema';
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
}

export const DEFAULT_AUDIT_LIST_LIMIT = 50;
export const MAX_AUDIT_LIST_LIMIT = 1000;

const detailSchema = z.record(z.string(), z.unknown());

export class SqlAuditLog implements AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async append(entry: AuditEntryInput): Promise<AuditEntry> {
    const at = entry.at ?? this.now();
    const detail = entry.detail === undefined ? null : JSON.stringify(entry.detail);
    const inserted = await this.db
      .insertInto('audit_log')
      .values({
        at: at.toISOString(),
        actor: entry.actor,
        actor_name: entry.actorName ?? null,
        action: entry.action,
        target: entry.target,
        outcome: entry.outcome,
        detail,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
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
    return rows.map((row) => {
      const detail = row.detail === null ? undefined : this.parseDetail(row.id, row.detail);
      return {
        id: row.id,
        at: new Date(row.at),
        actor: row.actor,
        ...(row.actor_name === null ? {} : { actorName: row.actor_name }),
        action: row.action,
        target: row.target,
        outcome: row.outcome,
        ...(detail === undefined ? {} : { detail }),
      };
    });
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
