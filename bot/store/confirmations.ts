import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { ConfirmationTable, Database } from './schema';
import type { StoreWarningHandler } from './warnings';

export type ConfirmationState = 'pending' | 'used' | 'cancelled';
export const CONFIRMATION_STATES: readonly ConfirmationState[] = ['pending', 'used', 'cancelled'];

/** Whether the confirmed verb is a typed command (its name) or a card action (its verb). */
export type ConfirmationKind = 'command' | 'action';

/** What a card offered to pick from, by input id: the values a click may choose among. Anything else is refused. */
export type OfferedChoices = Record<string, readonly string[]>;
const ChoicesSchema = z.record(z.string(), z.array(z.string()));

/** What the confirmation card showed as fact: Confirm describes the call again and runs it only if this still holds. */
export interface ConfirmationShown {
  title: string;
  consequence: string;
  facts: readonly { title: string; value: string }[];
}
const ShownSchema = z.object({ title: z.string(), consequence: z.string(), facts: z.array(z.object({ title: z.string(), value: z.string() })) });

export interface ConfirmationRecord {
  id: string;
  state: ConfirmationState;
  /** Entra object id of the person who was asked; only they may confirm or cancel. */
  callerId: string;
  kind: ConfirmationKind;
  verb: string;
  /** The parsed arguments exactly as they will run. Parsed again with the handler's schema before it runs. */
  payload: unknown;
  choices?: OfferedChoices;
  /** One line for the audit log and the "already done" answer: what was asked. */
  summary: string;
  /** What the card showed, when the step describes its consequence (absent on rows from before migration 0012). */
  shown?: ConfirmationShown;
  /** The answer the confirmed handler gave, kept for a second click. */
  result?: unknown;
  version: number;
  createdAt: Date;
  expiresAt: Date;
}

export interface NewConfirmation {
  id: string;
  callerId: string;
  kind: ConfirmationKind;
  verb: string;
  payload: unknown;
  choices?: OfferedChoices;
  summary: string;
  shown?: ConfirmationShown;
  expiresAt: Date;
  now: Date;
}

/**
 * Pending confirmations: one row per question asked before a destructive step. It moves once (pending → used | cancelled),
 * by compare-and-set on `version` and only before `expires_at`, so two clicks, two instances or a redelivered invoke
 * confirm it at most once. Pass the transaction's repository to commit the audit row with the move.
 */
export class ConfirmationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler,
  ) {}

  async create(input: NewConfirmation): Promise<ConfirmationRecord> {
    const row: Selectable<ConfirmationTable> = {
      id: input.id,
      state: 'pending',
      caller_id: input.callerId,
      kind: input.kind,
      verb: input.verb,
      payload: JSON.stringify(input.payload ?? null),
      choices: input.choices ? JSON.stringify(input.choices) : null,
      summary: input.summary.slice(0, 500),
      shown: input.shown ? JSON.stringify(input.shown) : null,
      result: null,
      version: 0,
      created_at: input.now.toISOString(),
      expires_at: input.expiresAt.toISOString(),
    };
    await this.db.insertInto('confirmation').values(row).execute();
    return this.toRecord(row);
  }

  async get(id: string): Promise<ConfirmationRecord | undefined> {
    const row = await this.db.selectFrom('confirmation').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  /**
   * pending → `to`, if nobody moved it since it was read and it has not expired at `now`. Returns whether this caller won.
   * Expiry is part of the same UPDATE, so a click that arrives a moment too late cannot still win.
   */
  async settle(record: Pick<ConfirmationRecord, 'id' | 'version'>, to: Exclude<ConfirmationState, 'pending'>, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('confirmation')
      .set({ state: to, version: record.version + 1 })
      .where('id', '=', record.id)
      .where('version', '=', record.version)
      .where('state', '=', 'pending')
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The confirmed handler's answer. Not a state change: `version` is untouched. */
  async setResult(id: string, result: unknown): Promise<void> {
    await this.db.updateTable('confirmation').set({ result: JSON.stringify(result) }).where('id', '=', id).execute();
  }

  /** Deletes confirmations that expired before `before`, used or not; returns how many. */
  async purgeExpired(before: Date): Promise<number> {
    const result = await this.db.deleteFrom('confirmation').where('expires_at', '<', before.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  private toRecord(row: Selectable<ConfirmationTable>): ConfirmationRecord {
    const state = CONFIRMATION_STATES.find((s) => s === row.state);
    const kind: ConfirmationKind | undefined = row.kind === 'command' || row.kind === 'action' ? row.kind : undefined;
    const payload = this.parse(row.id, 'payload', row.payload, z.unknown());
    if (!state) this.warn(row.id, 'state', `unknown state ${JSON.stringify(row.state)}`);
    if (!kind) this.warn(row.id, 'kind', `unknown kind ${JSON.stringify(row.kind)}`);
    const readable = state !== undefined && kind !== undefined && payload.ok;
    const choices = row.choices === null ? undefined : this.parse(row.id, 'choices', row.choices, ChoicesSchema);
    const shown = row.shown === null ? undefined : this.parse(row.id, 'shown', row.shown, ShownSchema);
    return {
      id: row.id,
      // A row that cannot be read is never acted on: it reads as cancelled, from which nothing moves.
      state: readable && (choices === undefined || choices.ok) && (shown === undefined || shown.ok) ? state : 'cancelled',
      callerId: row.caller_id,
      kind: kind ?? 'action',
      verb: row.verb,
      payload: payload.ok ? payload.value : undefined,
      choices: choices?.ok ? choices.value : undefined,
      summary: row.summary,
      ...(shown?.ok ? { shown: shown.value } : {}),
      result: row.result === null ? undefined : this.valueOf(this.parse(row.id, 'result', row.result, z.unknown())),
      version: row.version,
      createdAt: new Date(row.created_at),
      expiresAt: new Date(row.expires_at),
    };
  }

  private valueOf(parsed: { ok: true; value: unknown } | { ok: false }): unknown {
    return parsed.ok ? parsed.value : undefined;
  }

  private warn(id: string, column: string, problem: string): void {
    this.onWarning({ kind: 'corrupt-row', table: 'confirmation', key: `${id}.${column}`, problem });
  }

  private parse<T>(id: string, column: string, text: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false } {
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return { ok: true, value: parsed.data };
      this.warn(id, column, z.prettifyError(parsed.error));
    } catch (error) {
      this.warn(id, column, `not JSON: ${String(error)}`);
    }
    return { ok: false };
  }
}

