import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { compareAndSet } from './compareAndSet';
import type { BulkInviteRowTable, BulkInviteRunTable, Database } from './schema';
import type { StoreWarningHandler } from './warnings';

/** draft → awaitingApproval → running → finished | stopped (abuse block or Graph gone too long); any open state → cancelled. */
export type BulkRunState = 'draft' | 'awaitingApproval' | 'running' | 'finished' | 'stopped' | 'cancelled';
export const BULK_RUN_STATES: readonly BulkRunState[] = ['draft', 'awaitingApproval', 'running', 'finished', 'stopped', 'cancelled'];

/** pending → inviting → invited | alreadyGuest | refused | failed; rows left when a run stops become notAttempted. */
export type BulkRowState = 'invalid' | 'pending' | 'inviting' | 'invited' | 'alreadyGuest' | 'refused' | 'failed' | 'notAttempted';
export const BULK_ROW_STATES: readonly BulkRowState[] = ['invalid', 'pending', 'inviting', 'invited', 'alreadyGuest', 'refused', 'failed', 'notAttempted'];

/** A card sent proactively, kept so it can be updated in place; structurally the notifier's SentMessage. */
export interface BulkStoredMessage {
  reference: Record<string, unknown>;
  activityId: string;
}

export interface BulkRunRecord {
  id: string;
  state: BulkRunState;
  requesterId: string;
  requesterName: string;
  total: number;
  decidedBy?: string;
  decidedByName?: string;
  stopReason?: string;
  progressMessage?: BulkStoredMessage;
  /** Kept as stored text: it is the compare-and-set token of the progress-card throttle. */
  progressUpdatedAt: string | null;
  approvalMessages: BulkStoredMessage[];
  version: number;
}

export interface BulkRowRecord {
  runId: string;
  idx: number;
  input: string;
  email?: string;
  redirectUrl?: string;
  sendEmail: boolean;
  message?: string;
  state: BulkRowState;
  detail?: string;
  userId?: string;
  redeemUrl?: string;
}

export type NewBulkRow = Omit<BulkRowRecord, 'runId'>;

export type BulkCountsByState = Record<BulkRowState, number>;

/** What a row step may change. */
export interface BulkRowChanges {
  state: BulkRowState;
  detail?: string | null;
  userId?: string;
  redeemUrl?: string | null;
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

const MessageSchema = z.object({ reference: z.record(z.string(), z.unknown()), activityId: z.string() });
const MessagesSchema = z.array(MessageSchema);
const SETTLED_PROBLEMS: readonly BulkRowState[] = ['invalid', 'refused', 'failed'];

/**
 * Bulk invitation runs and their rows. State changes of a run are compare-and-set on `version`; none writes an audit row:
 * callers use a transaction's repository (`tx.bulkRuns`) and append the audit row in the same transaction. Corrupt JSON or
 * an unknown state is reported through `onWarning` and read as harmless (no message; a settled state), never thrown.
 */
export class BulkRunRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler = () => undefined,
  ) {}

  /** Stores a draft run and all its rows; call inside a transaction so a run never exists half-written. */
  async create(run: { id: string; requesterId: string; requesterName: string }, rows: readonly NewBulkRow[], now: Date): Promise<void> {
    const at = now.toISOString();
    await this.db
      .insertInto('bulk_invite_run')
      .values({
        id: run.id,
        state: 'draft',
        requester_id: run.requesterId,
        requester_name: run.requesterName,
        total: rows.length,
        decided_by: null,
        decided_by_name: null,
        stop_reason: null,
        progress_message: null,
        progress_updated_at: null,
        approval_messages: null,
        version: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
    const values: BulkInviteRowTable[] = rows.map((row) => ({
      run_id: run.id,
      idx: row.idx,
      input: row.input,
      email: row.email ?? null,
      redirect_url: row.redirectUrl ?? null,
      send_email: row.sendEmail ? 1 : 0,
      message: row.message ?? null,
      state: row.state,
      detail: row.detail ?? null,
      user_id: row.userId ?? null,
      redeem_url: row.redeemUrl ?? null,
      updated_at: at,
    }));
    for (let i = 0; i < values.length; i += 200) await this.db.insertInto('bulk_invite_row').values(values.slice(i, i + 200)).execute();
  }

  async get(id: string): Promise<BulkRunRecord | undefined> {
    const row = await this.db.selectFrom('bulk_invite_run').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toRun(row) : undefined;
  }

  async counts(runId: string): Promise<BulkCountsByState> {
    const rows = await this.db
      .selectFrom('bulk_invite_row')
      .select(['state'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('run_id', '=', runId)
      .groupBy('state')
      .execute();
    const counts: BulkCountsByState = { invalid: 0, pending: 0, inviting: 0, invited: 0, alreadyGuest: 0, refused: 0, failed: 0, notAttempted: 0 };
    for (const row of rows) counts[this.rowState(runId, row.state)] += Number(row.n);
    return counts;
  }

  /** The first rows that went wrong, in file order. */
  async problems(runId: string, limit: number): Promise<BulkRowRecord[]> {
    const rows = await this.db
      .selectFrom('bulk_invite_row')
      .selectAll()
      .where('run_id', '=', runId)
      .where('state', 'in', [...SETTLED_PROBLEMS])
      .orderBy('idx')
      .limit(limit)
      .execute();
    return rows.map((row) => this.toRow(row));
  }

  /** The next row to work on: one interrupted while `inviting` comes before the pending ones after it. */
  async nextOpenRow(runId: string): Promise<BulkRowRecord | undefined> {
    const row = await this.db
      .selectFrom('bulk_invite_row')
      .selectAll()
      .where('run_id', '=', runId)
      .where('state', 'in', ['inviting', 'pending'])
      .orderBy('idx')
      .limit(1)
      .executeTakeFirst();
    return row ? this.toRow(row) : undefined;
  }

  async rows(runId: string): Promise<BulkRowRecord[]> {
    const rows = await this.db.selectFrom('bulk_invite_row').selectAll().where('run_id', '=', runId).orderBy('idx').execute();
    return rows.map((row) => this.toRow(row));
  }

  /** Moves the run to `to` if nobody moved it since `run` was read. Returns whether this caller won. */
  async transition(
    run: Pick<BulkRunRecord, 'id' | 'version'>,
    to: BulkRunState,
    changes: { stopReason?: string; decidedBy?: string; decidedByName?: string },
    now: Date,
  ): Promise<boolean> {
    return compareAndSet<Database, 'bulk_invite_run'>(this.db, 'bulk_invite_run', run.id, run.version, {
      state: to,
      updated_at: now.toISOString(),
      ...(changes.stopReason !== undefined ? { stop_reason: changes.stopReason } : {}),
      ...(changes.decidedBy !== undefined ? { decided_by: changes.decidedBy } : {}),
      ...(changes.decidedByName !== undefined ? { decided_by_name: changes.decidedByName } : {}),
    });
  }

  async setRow(runId: string, idx: number, changes: BulkRowChanges, now: Date): Promise<void> {
    await this.db
      .updateTable('bulk_invite_row')
      .set({
        state: changes.state,
        updated_at: now.toISOString(),
        ...(changes.detail !== undefined ? { detail: changes.detail } : {}),
        ...(changes.userId !== undefined ? { user_id: changes.userId } : {}),
        ...(changes.redeemUrl !== undefined ? { redeem_url: changes.redeemUrl } : {}),
      })
      .where('run_id', '=', runId)
      .where('idx', '=', idx)
      .execute();
  }

  /** Every row not yet settled becomes `notAttempted` with `detail`, when the run stops. */
  async abandonOpenRows(runId: string, detail: string, now: Date): Promise<void> {
    await this.db
      .updateTable('bulk_invite_row')
      .set({ state: 'notAttempted', detail, updated_at: now.toISOString() })
      .where('run_id', '=', runId)
      .where('state', 'in', ['pending', 'inviting'])
      .execute();
  }

  /** Where the progress card landed. Not a state change, so `version` is untouched. */
  async setProgressMessage(runId: string, sent: { reference: object; activityId: string }, now: Date): Promise<void> {
    await this.db
      .updateTable('bulk_invite_run')
      .set({ progress_message: JSON.stringify(sent), progress_updated_at: now.toISOString() })
      .where('id', '=', runId)
      .execute();
  }

  /**
   * Claims the next progress-card update: true for the one caller that moved `progress_updated_at` from the value it read,
   * so two steps racing on two instances update the card once.
   */
  async claimProgressUpdate(run: Pick<BulkRunRecord, 'id' | 'progressUpdatedAt'>, now: Date): Promise<boolean> {
    const previous = run.progressUpdatedAt;
    const claimed = await this.db
      .updateTable('bulk_invite_run')
      .set({ progress_updated_at: now.toISOString() })
      .where('id', '=', run.id)
      .where((eb) => (previous ? eb('progress_updated_at', '=', previous) : eb('progress_updated_at', 'is', null)))
      .executeTakeFirst();
    return claimed.numUpdatedRows > 0n;
  }

  /** Where the approval cards went. Not a state change, so a decision racing the fan-out still wins its compare-and-set. */
  async setApprovalMessages(runId: string, messages: readonly { reference: object; activityId: string }[]): Promise<void> {
    await this.db.updateTable('bulk_invite_run').set({ approval_messages: JSON.stringify(messages) }).where('id', '=', runId).execute();
  }

  /** Deletes drafts (never started) created before `before`, with their rows; returns how many runs. */
  async purgeDrafts(before: Date): Promise<number> {
    const stale = this.db.selectFrom('bulk_invite_run').select('id').where('state', '=', 'draft').where('created_at', '<', before.toISOString());
    await this.db.deleteFrom('bulk_invite_row').where('run_id', 'in', stale).execute();
    const result = await this.db.deleteFrom('bulk_invite_run').where('state', '=', 'draft').where('created_at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private toRun(row: Selectable<BulkInviteRunTable>): BulkRunRecord {
    const state = row.state;
    const known = isOneOf(BULK_RUN_STATES, state);
    if (!known) this.onWarning({ kind: 'corrupt-row', table: 'bulk_invite_run', key: `${row.id}.state`, problem: `unknown state ${row.state}` });
    return {
      id: row.id,
      // An unknown state reads as stopped: settled, so nothing acts on it, and shown rather than hidden.
      state: known ? state : 'stopped',
      requesterId: row.requester_id,
      requesterName: row.requester_name,
      total: row.total,
      decidedBy: row.decided_by ?? undefined,
      decidedByName: row.decided_by_name ?? undefined,
      stopReason: row.stop_reason ?? undefined,
      progressMessage: this.parse(row.id, 'progress_message', row.progress_message, MessageSchema),
      progressUpdatedAt: row.progress_updated_at,
      approvalMessages: this.parse(row.id, 'approval_messages', row.approval_messages, MessagesSchema) ?? [],
      version: row.version,
    };
  }

  private toRow(row: Selectable<BulkInviteRowTable>): BulkRowRecord {
    return {
      runId: row.run_id,
      idx: row.idx,
      input: row.input,
      email: row.email ?? undefined,
      redirectUrl: row.redirect_url ?? undefined,
      sendEmail: row.send_email === 1,
      message: row.message ?? undefined,
      state: this.rowState(`${row.run_id}.${row.idx}`, row.state),
      detail: row.detail ?? undefined,
      userId: row.user_id ?? undefined,
      redeemUrl: row.redeem_url ?? undefined,
    };
  }

  /** An unknown row state reads as failed: settled, so it is never invited, and counted as a problem. */
  private rowState(key: string, state: string): BulkRowState {
    if (isOneOf(BULK_ROW_STATES, state)) return state;
    this.onWarning({ kind: 'corrupt-row', table: 'bulk_invite_row', key: `${key}.state`, problem: `unknown state ${state}` });
    return 'failed';
  }

  private parse<T>(id: string, column: string, text: string | null, schema: z.ZodType<T>): T | undefined {
    if (text === null) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.onWarning({ kind: 'corrupt-row', table: 'bulk_invite_run', key: `${id}.${column}`, problem: z.prettifyError(parsed.error) });
    } catch (error) {
      this.onWarning({ kind: 'corrupt-row', table: 'bulk_invite_run', key: `${id}.${column}`, problem: `not JSON: ${String(error)}` });
    }
    return undefined;
  }
}
