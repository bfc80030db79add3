import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import type { StoredMessage } from './accessRequests';
import { compareAndSet } from './compareAndSet';
import type { Database, InvitationTable } from './schema';
import type { StoreWarningHandler } from './warnings';

/**
 * draft → pending (a manager asks) → inviting | denied | cancelled; draft → inviting (an admin invites) | cancelled;
 * inviting → invited | refused | failed. An admin may retry their own failed invitation.
 */
export type InvitationState = 'draft' | 'pending' | 'denied' | 'cancelled' | 'inviting' | 'invited' | 'refused' | 'failed';
export const INVITATION_STATES: readonly InvitationState[] = ['draft', 'pending', 'denied', 'cancelled', 'inviting', 'invited', 'refused', 'failed'];

/** What the person chose on the invite card. Card data is user input: it is parsed with this schema, and so is the column. */
export const InviteOptionsSchema = z.object({
  displayName: z.string().trim().max(256).optional(),
  /** link: the bot shows the redemption link (sendInvitationMessage false); email: Microsoft sends its standard email. */
  delivery: z.enum(['link', 'email']),
  message: z.string().trim().max(2000).optional(),
  language: z.string().trim().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a language tag such as en-US or de').optional(),
  cc: z.string().trim().optional(),
  redirectUrl: z.string().trim().optional(),
  groupIds: z.array(z.string()).max(10),
  /** A manager's reason for the request, required of them; the admins read it on the approval card. */
  justification: z.string().trim().max(1000).optional(),
  /** Set by the service, never from the card: where sign-in went when the manager asked, for the admins' card. */
  realmAtRequest: z.string().max(600).optional(),
  /** Set by the service, never from the card: the deciding admin's comment, shown to the requester. */
  decisionComment: z.string().max(1000).optional(),
});
export type InviteOptions = z.infer<typeof InviteOptionsSchema>;

const GroupOutcomeSchema = z.object({ groupId: z.string(), outcome: z.enum(['added', 'already', 'failed']), detail: z.string().optional() });
export type GroupOutcome = z.infer<typeof GroupOutcomeSchema>;

/** Structurally Graph's InvitationRefusal: why Graph would not invite. */
const RefusalSchema = z.object({ kind: z.enum(['abuse', 'policy', 'conflict', 'invalid', 'forbidden']), message: z.string() });

export const InvitationResultSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('invited'),
    userId: z.string(),
    redeemUrl: z.string().optional(),
    status: z.string().optional(),
    reusedExisting: z.boolean(),
    groups: z.array(GroupOutcomeSchema),
  }),
  z.object({ kind: z.literal('refused'), refusal: RefusalSchema }),
  z.object({ kind: z.literal('failed'), message: z.string() }),
]);
export type InvitationResult = z.infer<typeof InvitationResultSchema>;

const MessagesSchema = z.array(z.object({ reference: z.record(z.string(), z.unknown()), activityId: z.string() }));

export interface InvitationRecord {
  id: string;
  state: InvitationState;
  email: string;
  requesterId: string;
  requesterName: string;
  options: InviteOptions;
  decidedBy?: string;
  decidedByName?: string;
  result?: InvitationResult;
  approvalMessages: StoredMessage[];
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewInvitation {
  id: string;
  email: string;
  requesterId: string;
  requesterName: string;
  options: InviteOptions;
}

/** What a transition may change besides `state`. */
export interface InvitationChanges {
  options?: InviteOptions;
  decidedBy?: string;
  decidedByName?: string;
  result?: InvitationResult;
}

/**
 * Single invitations (`invite`): a draft the confirm card carries, then the request, the decision and the write. JSON
 * columns are validated on the way out; a corrupt row is warned about and read as safely as it can be, never thrown.
 */
export class InvitationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async createDraft(input: NewInvitation): Promise<InvitationRecord> {
    const now = this.now().toISOString();
    const row: Selectable<InvitationTable> = {
      id: input.id,
      state: 'draft',
      email: input.email,
      requester_id: input.requesterId,
      requester_name: input.requesterName,
      options: JSON.stringify(input.options),
      decided_by: null,
      decided_by_name: null,
      result: null,
      approval_messages: null,
      version: 0,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('invitation').values(row).execute();
    return this.toRecord(row);
  }

  async get(id: string): Promise<InvitationRecord | undefined> {
    const row = await this.db.selectFrom('invitation').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  /**
   * Moves `record` to `to` if nobody moved it since it was read (compare-and-set on `version`). Returns whether this caller
   * won. Writes no audit row: call it on the transaction's repository and append the audit row there.
   */
  async transition(record: Pick<InvitationRecord, 'id' | 'version'>, to: InvitationState, changes: InvitationChanges = {}): Promise<boolean> {
    return compareAndSet<Database, 'invitation'>(this.db, 'invitation', record.id, record.version, {
      state: to,
      updated_at: this.now().toISOString(),
      ...(changes.options ? { options: JSON.stringify(changes.options) } : {}),
      ...(changes.decidedBy !== undefined ? { decided_by: changes.decidedBy } : {}),
      ...(changes.decidedByName !== undefined ? { decided_by_name: changes.decidedByName } : {}),
      ...(changes.result ? { result: JSON.stringify(changes.result) } : {}),
    });
  }

  /**
   * Every invitation the bot sent (state invited), newest first: who asked and when, for `stale`'s rows. One query; a row
   * whose result cannot be read still gives its email.
   */
  async sentInvitations(): Promise<{ email: string; userId?: string; requesterName: string; at: Date }[]> {
    const rows = await this.db.selectFrom('invitation').select(['id', 'email', 'requester_name', 'result', 'updated_at']).where('state', '=', 'invited').orderBy('updated_at', 'desc').execute();
    return rows.map((row) => {
      const result = this.parse(row.id, 'result', row.result, InvitationResultSchema);
      return {
        email: row.email,
        ...(result?.kind === 'invited' ? { userId: result.userId } : {}),
        requesterName: row.requester_name,
        at: new Date(row.updated_at),
      };
    });
  }

  /** Where the approval cards went. Not a state change, so `version` is untouched and a racing decision still wins. */
  async setApprovalMessages(id: string, messages: readonly StoredMessage[]): Promise<void> {
    await this.db.updateTable('invitation').set({ approval_messages: JSON.stringify(messages) }).where('id', '=', id).execute();
  }

  private toRecord(row: Selectable<InvitationTable>): InvitationRecord {
    const state = INVITATION_STATES.find((s) => s === row.state);
    if (!state) this.warn(row.id, 'state', `unknown state ${JSON.stringify(row.state)}`);
    const options = this.parse(row.id, 'options', row.options, InviteOptionsSchema);
    return {
      id: row.id,
      // A row whose state or options cannot be read is not acted on: it reads as cancelled, from which nothing moves.
      state: state && options ? state : 'cancelled',
      email: row.email,
      requesterId: row.requester_id,
      requesterName: row.requester_name,
      options: options ?? { delivery: 'link', groupIds: [] },
      decidedBy: row.decided_by ?? undefined,
      decidedByName: row.decided_by_name ?? undefined,
      result: this.parse(row.id, 'result', row.result, InvitationResultSchema),
      approvalMessages: (this.parse(row.id, 'approval_messages', row.approval_messages, MessagesSchema) ?? []) as StoredMessage[],
      version: row.version,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    };
  }

  private warn(id: string, column: string, problem: string): void {
    this.onWarning({ kind: 'corrupt-row', table: 'invitation', key: `${id}.${column}`, problem });
  }

  private parse<T>(id: string, column: string, text: string | null, schema: z.ZodType<T>): T | undefined {
    if (text === null) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.warn(id, column, z.prettifyError(parsed.error));
    } catch (error) {
      this.warn(id, column, `not JSON: ${String(error)}`);
    }
    return undefined;
  }
}
