import type { ConversationReference } from 'botbuilder';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { compareAndSet, type VersionedChanges } from './compareAndSet';
import type { AccessRequestTable, Database } from './schema';
import type { StoreWarningHandler } from './warnings';

/**
 * pending → approved (granting) → granted | failed; pending → denied | timedOut | withdrawn; granted → revoked | expired.
 * `approved` lasts while the grant job runs; the grant is only `failed` once the job has given up. `withdrawn`: the
 * requester took the request back before anyone decided. An extension (`extendsRequestId`) goes pending → approved →
 * `extended` once it moved its grant's end date, or `failed` when the grant ended or its end date changed first.
 */
export type AccessRequestState = 'pending' | 'approved' | 'granted' | 'failed' | 'denied' | 'timedOut' | 'withdrawn' | 'revoked' | 'expired' | 'extended';

export const ACCESS_REQUEST_STATES: readonly AccessRequestState[] = ['pending', 'approved', 'granted', 'failed', 'denied', 'timedOut', 'withdrawn', 'revoked', 'expired', 'extended'];

/** Undecided, or decided and still being granted: a second request for the same guest and app would duplicate it. */
export const OPEN_ACCESS_REQUEST_STATES: readonly AccessRequestState[] = ['pending', 'approved'];

/**
 * What granting does in on-prem AD, decided when the request is made so the approver sees it: nothing (not a Kerberos app),
 * nothing (the partner's own account is synced from on-prem AD), or create / reuse / re-enable the shadow account
 * (`ensure`: one of those, when the directory could not be asked at request time).
 */
export type ShadowPlan = 'notNeeded' | 'synced' | 'create' | 'reuse' | 'reenable' | 'ensure';
const SHADOW_PLANS: readonly ShadowPlan[] = ['notNeeded', 'synced', 'create', 'reuse', 'reenable', 'ensure'];

/** How the app signs the partner in, as Graph said when the request was made; Kerberos needs a shadow account. */
export type AccessSsoKind = 'saml' | 'kerberos' | 'headerBased' | 'none';
const SSO_KINDS: readonly AccessSsoKind[] = ['saml', 'kerberos', 'headerBased', 'none'];

/** A card sent proactively, kept so it can be updated in place. Structurally the notifier's SentMessage. */
export interface StoredMessage {
  reference: Partial<ConversationReference>;
  activityId: string;
}

/** An assignment the partner held on the app before the bot did anything: theirs to keep when the bot's grant ends. */
export const HeldAssignmentSchema = z.object({
  id: z.string(),
  appRoleId: z.string(),
  via: z.enum(['direct', 'group']),
  /** The group's name, for an assignment held through a group. */
  groupName: z.string().optional(),
  createdDateTime: z.string().optional(),
});
export type HeldAssignment = z.infer<typeof HeldAssignmentSchema>;

/**
 * What the bot found and what it made, so that ending the grant removes exactly what it made and nothing else. Also the
 * grant job's checkpoint: `before` is written before anything changes, so a step repeated after a crash still tells what
 * the bot made from what was there.
 */
export const GrantProgressSchema = z.object({
  /** The partner's assignments of the requested role on the app when the request was sent (shown to the approvers). */
  heldAtRequest: z.array(HeldAssignmentSchema).optional(),
  /** Read by the grant step before it changed anything: the role's assignments, and the shadow account's state. */
  before: z
    .object({
      held: z.array(HeldAssignmentSchema),
      shadow: z.enum(['missing', 'disabled', 'enabled', 'notChecked']),
    })
    .optional(),
  /**
   * `created`/`reenabled`: the bot made or woke the account, so ending the grant may disable it; `unchanged`: it was
   * already enabled and is not the bot's to disable. Records from before `action` only know `created`.
   */
  shadowAccount: z
    .object({ samAccountName: z.string(), dn: z.string(), created: z.boolean(), action: z.enum(['created', 'reenabled', 'unchanged']).optional() })
    .optional(),
  /** The assignment the partner holds the role by (made by the bot or not); see `createdAssignmentId`. */
  assignmentId: z.string().optional(),
  alreadyAssigned: z.boolean().optional(),
  /** The one assignment this grant made, if it made one: all that ending the grant deletes. Null: it made none. */
  createdAssignmentId: z.string().nullable().optional(),
  /** The partner already held the role when approved: nothing was changed, and ending the grant removes nothing. */
  alreadyHadAccess: z.boolean().optional(),
  /**
   * AD groups of a Kerberos app role (ONPREM_APP_ROLE_GROUPS): `planned` when the request was made (for the approvers),
   * then what the grant did. The ad_group_membership rows are what ending the grant acts on; these are for the cards.
   */
  adGroups: z
    .object({ planned: z.array(z.string()).optional(), added: z.array(z.string()).optional(), alreadyMember: z.array(z.string()).optional() })
    .optional(),
});
export type GrantProgress = z.infer<typeof GrantProgressSchema>;

/**
 * The assignment a grant made: the recorded one, or for records written before `createdAssignmentId`, the assignment
 * unless Graph said it already existed.
 */
export function createdAssignmentOf(progress: GrantProgress): string | undefined {
  if (progress.createdAssignmentId !== undefined) return progress.createdAssignmentId ?? undefined;
  if (progress.alreadyHadAccess) return undefined;
  return progress.alreadyAssigned === false ? progress.assignmentId : undefined;
}

/** Whether ending this grant may disable its shadow account: only one the bot created or re-enabled. */
export function ownsShadowAccount(progress: GrantProgress): boolean {
  const account = progress.shadowAccount;
  if (!account) return false;
  if (account.action) return account.action !== 'unchanged';
  return account.created;
}

export interface AccessRequestRecord {
  id: string;
  state: AccessRequestState;
  requesterObjectId: string;
  requesterName: string;
  guestObjectId: string;
  guestUpn: string;
  guestDisplayName: string;
  guestMail?: string;
  guestUserType?: string;
  guestExternalState?: string;
  /** The realm verdict's sentence for the partner's domain, when it was known. */
  guestRealm?: string;
  guestOnPremSynced: boolean;
  servicePrincipalId: string;
  appId?: string;
  appDisplayName: string;
  appRoleId: string;
  appRoleName?: string;
  ssoKind: AccessSsoKind;
  shadowPlan: ShadowPlan;
  durationDays: number;
  justification: string;
  approverSource: 'owners' | 'admins';
  /** Who could approve when the request was made; decisions are re-checked against Graph regardless. */
  approverObjectIds: string[];
  approvalMessages: StoredMessage[];
  approvalDeadline: Date;
  decidedBy?: string;
  decidedByName?: string;
  decidedAt?: Date;
  decisionComment?: string;
  /** Handed to the admins as well (ACCESS_ESCALATE_HOURS); they are then among `approverObjectIds`. */
  escalatedAt?: Date;
  grantProgress: GrantProgress;
  grantError?: string;
  grantedAt?: Date;
  expiresAt?: Date;
  endedBy?: string;
  endedAt?: Date;
  /** An extension: the live grant whose end date it moves (approved), instead of a grant of its own. */
  extendsRequestId?: string;
  /** An extension: the grant's end date when it was asked; it applies only if the grant still ends then. */
  extendsFrom?: Date;
  /** Someone chose Let it end on an expiry notice: no more notices, and the notices say so. */
  letEndBy?: string;
  letEndAt?: Date;
  /** Forward to…: who handed the pending request to whom, oldest first; none when nobody did. */
  forwards?: ForwardEntry[];
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** What a new request is made of: the record without what its life adds (decision, grant, end) and with defaults for the rest. */
export type NewAccessRequest = Pick<
  AccessRequestRecord,
  | 'id'
  | 'requesterObjectId'
  | 'requesterName'
  | 'guestObjectId'
  | 'guestUpn'
  | 'guestDisplayName'
  | 'guestMail'
  | 'guestUserType'
  | 'guestExternalState'
  | 'guestRealm'
  | 'servicePrincipalId'
  | 'appId'
  | 'appDisplayName'
  | 'appRoleId'
  | 'appRoleName'
  | 'ssoKind'
  | 'durationDays'
  | 'justification'
  | 'approverSource'
  | 'approverObjectIds'
  | 'approvalDeadline'
> &
  Partial<Pick<AccessRequestRecord, 'guestOnPremSynced' | 'shadowPlan' | 'grantProgress' | 'extendsRequestId' | 'extendsFrom' | 'expiresAt'>>;

/** Columns a transition may change besides `state`, `updated_at` and `version`. */
export type AccessRequestChanges = Omit<VersionedChanges<Database, 'access_request'>, 'state' | 'updated_at'>;

/**
 * One hand-over of a pending request (Forward to…): from an approver to another one who may decide it, with the comment
 * the forwarding approver wrote. Object ids lower-case; names as Graph gave them then.
 */
export const ForwardEntrySchema = z.object({
  by: z.string(),
  byName: z.string(),
  to: z.string(),
  toName: z.string(),
  comment: z.string(),
  at: z.string(),
});
export type ForwardEntry = z.infer<typeof ForwardEntrySchema>;
const ForwardsSchema = z.array(ForwardEntrySchema);

const MessageSchema = z.object({ reference: z.record(z.string(), z.unknown()), activityId: z.string() });
const MessagesSchema = z.array(MessageSchema);
const IdsSchema = z.array(z.string());

/**
 * Access requests and grants. Every state change is one compare-and-set, and none writes an audit row itself: callers pass
 * a transaction's repository (`tx.accessRequests`) and append the audit row in the same transaction. Object ids are stored
 * lower-case, as Graph returns them.
 */
export class AccessRequestRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: NewAccessRequest): Promise<AccessRequestRecord> {
    const now = this.now().toISOString();
    const row: Selectable<AccessRequestTable> = {
      id: input.id,
      state: 'pending',
      requester_object_id: input.requesterObjectId.toLowerCase(),
      requester_name: input.requesterName,
      guest_object_id: input.guestObjectId.toLowerCase(),
      guest_upn: input.guestUpn,
      guest_display_name: input.guestDisplayName,
      guest_mail: input.guestMail ?? null,
      guest_user_type: input.guestUserType ?? null,
      guest_external_state: input.guestExternalState ?? null,
      guest_realm: input.guestRealm ?? null,
      guest_on_prem_synced: input.guestOnPremSynced ? 1 : 0,
      service_principal_id: input.servicePrincipalId.toLowerCase(),
      app_id: input.appId ?? null,
      app_display_name: input.appDisplayName,
      app_role_id: input.appRoleId.toLowerCase(),
      app_role_name: input.appRoleName ?? null,
      sso_kind: input.ssoKind,
      shadow_plan: input.shadowPlan ?? 'notNeeded',
      duration_days: input.durationDays,
      justification: input.justification,
      approver_source: input.approverSource,
      approver_object_ids: JSON.stringify(input.approverObjectIds.map((id) => id.toLowerCase())),
      approval_messages: null,
      approval_deadline: input.approvalDeadline.toISOString(),
      decided_by: null,
      decided_by_name: null,
      decided_at: null,
      decision_comment: null,
      escalated_at: null,
      grant_progress: input.grantProgress ? JSON.stringify(input.grantProgress) : null,
      grant_error: null,
      granted_at: null,
      // An extension knows its new end when asked; a grant gets its end when granted.
      expires_at: input.expiresAt?.toISOString() ?? null,
      ended_by: null,
      ended_at: null,
      extends_request_id: input.extendsRequestId ?? null,
      extends_from: input.extendsFrom?.toISOString() ?? null,
      let_end_by: null,
      let_end_at: null,
      forwards: null,
      created_at: now,
      updated_at: now,
      version: 0,
    };
    await this.db.insertInto('access_request').values(row).execute();
    return this.toRecord(row);
  }

  async get(id: string): Promise<AccessRequestRecord | undefined> {
    const row = await this.db.selectFrom('access_request').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  /** The guest's current grants of this app (state `granted`); normally at most one. */
  async findActiveGrants(guestObjectId: string, servicePrincipalId: string): Promise<AccessRequestRecord[]> {
    return this.findFor(guestObjectId, servicePrincipalId, ['granted']);
  }

  /** The partner's live grants on every app: whether another one still uses the shadow account. */
  async findGrantsOf(guestObjectId: string): Promise<AccessRequestRecord[]> {
    const rows = await this.db
      .selectFrom('access_request')
      .selectAll()
      .where('guest_object_id', '=', guestObjectId.toLowerCase())
      .where('state', '=', 'granted')
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => this.toRecord(row));
  }

  /**
   * Hands what an ending grant made (its assignment, its shadow account) to a live grant that still relies on it, so the
   * last grant to end removes it. Not a state change: `version` is untouched. False when the grant is no longer live.
   */
  async adoptFromEndingGrant(id: string, progress: GrantProgress): Promise<boolean> {
    const result = await this.db
      .updateTable('access_request')
      .set({ grant_progress: JSON.stringify(progress), updated_at: this.now().toISOString() })
      .where('id', '=', id)
      .where('state', '=', 'granted')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async findFor(guestObjectId: string, servicePrincipalId: string, states: readonly AccessRequestState[]): Promise<AccessRequestRecord[]> {
    if (states.length === 0) return [];
    const rows = await this.db
      .selectFrom('access_request')
      .selectAll()
      .where('guest_object_id', '=', guestObjectId.toLowerCase())
      .where('service_principal_id', '=', servicePrincipalId.toLowerCase())
      .where('state', 'in', [...states])
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => this.toRecord(row));
  }

  /** Newest first. */
  async listByRequester(requesterObjectId: string, limit: number): Promise<AccessRequestRecord[]> {
    const rows = await this.db
      .selectFrom('access_request')
      .selectAll()
      .where('requester_object_id', '=', requesterObjectId.toLowerCase())
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => this.toRecord(row));
  }

  /** Oldest first, so the longest-waiting come first. */
  async listByState(states: readonly AccessRequestState[], limit: number): Promise<AccessRequestRecord[]> {
    if (states.length === 0) return [];
    const rows = await this.db
      .selectFrom('access_request')
      .selectAll()
      .where('state', 'in', [...states])
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => this.toRecord(row));
  }

  /**
   * Moves `record` to `to` if nobody moved it since it was read (compare-and-set on `version`). Returns whether this caller
   * won; the loser re-reads and shows the state as it now is.
   */
  async transition(record: Pick<AccessRequestRecord, 'id' | 'version'>, to: AccessRequestState, changes: AccessRequestChanges = {}): Promise<boolean> {
    return compareAndSet<Database, 'access_request'>(this.db, 'access_request', record.id, record.version, {
      ...changes,
      state: to,
      updated_at: this.now().toISOString(),
    });
  }

  /**
   * Ends a grant: one compare-and-set from `granted`, so a revoke racing the expiry job ends it once. Returns whether this
   * caller won. `actorObjectId` is undefined when nobody clicked (expiry). `dueBy` (the expiry): only if the grant's end
   * date is not later than that, so an extension that moved the end date a moment ago wins over the expiry that read the
   * old one. Writes no audit row; the caller does, in the same transaction.
   */
  async endGrant(id: string, to: 'revoked' | 'expired', actorObjectId: string | undefined, dueBy?: Date): Promise<boolean> {
    const now = this.now().toISOString();
    let query = this.db
      .updateTable('access_request')
      .set((eb) => ({ state: to, ended_by: actorObjectId?.toLowerCase() ?? null, ended_at: now, updated_at: now, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('state', '=', 'granted');
    if (dueBy) query = query.where('expires_at', '<=', dueBy.toISOString());
    const result = await query.executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Moves a live grant's end date from `from` to `to` (an approved extension, or a shortening): one compare-and-set on the
   * state and the end date, so of an extension, a shortening and the expiry racing on one grant exactly one move wins, and
   * the others see the date they read is gone. Bumps `version`. No audit row; the caller writes it in the same transaction.
   */
  async moveGrantEnd(id: string, from: Date, to: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('access_request')
      .set((eb) => ({ expires_at: to.toISOString(), updated_at: this.now().toISOString(), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('state', '=', 'granted')
      .where('expires_at', '=', from.toISOString())
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Let it end: recorded once on a live grant; false when it was recorded already or the grant is no longer live. */
  async letGrantEnd(id: string, byObjectId: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('access_request')
      .set((eb) => ({ let_end_by: byObjectId.toLowerCase(), let_end_at: at.toISOString(), updated_at: this.now().toISOString(), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('state', '=', 'granted')
      .where('let_end_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Live grants (not extensions) ending no later than `until`, soonest first: `expiring`. */
  async listGrantsEndingBy(until: Date, limit: number): Promise<AccessRequestRecord[]> {
    const rows = await this.db
      .selectFrom('access_request')
      .selectAll()
      .where('state', '=', 'granted')
      .where('extends_request_id', 'is', null)
      .where('expires_at', '<=', until.toISOString())
      .orderBy('expires_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => this.toRecord(row));
  }

  /** The extensions of a grant in these states, newest first. */
  async findExtensionsOf(grantId: string, states: readonly AccessRequestState[]): Promise<AccessRequestRecord[]> {
    if (states.length === 0) return [];
    const rows = await this.db
      .selectFrom('access_request')
      .selectAll()
      .where('extends_request_id', '=', grantId)
      .where('state', 'in', [...states])
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => this.toRecord(row));
  }

  /**
   * Where the approval cards went. Not a state change, so `version` is untouched and a decision racing the fan-out still
   * wins its compare-and-set; the caller re-reads afterwards and updates the cards if the request was decided meanwhile.
   */
  async setApprovalMessages(id: string, messages: readonly StoredMessage[]): Promise<void> {
    await this.db.updateTable('access_request').set({ approval_messages: JSON.stringify(messages) }).where('id', '=', id).execute();
  }

  /** The grant job's checkpoint and last error, while the request stays `approved`. Not a state change. */
  async saveGrantProgress(id: string, progress: GrantProgress, error: string | null): Promise<void> {
    await this.db
      .updateTable('access_request')
      .set({ grant_progress: JSON.stringify(progress), grant_error: error, updated_at: this.now().toISOString() })
      .where('id', '=', id)
      .where('state', '=', 'approved')
      .execute();
  }

  private toRecord(row: Selectable<AccessRequestTable>): AccessRequestRecord {
    const optionalDate = (value: string | null): Date | undefined => (value ? new Date(value) : undefined);
    const optional = (value: string | null): string | undefined => value ?? undefined;
    return {
      id: row.id,
      state: (ACCESS_REQUEST_STATES as readonly string[]).includes(row.state) ? (row.state as AccessRequestState) : 'failed',
      requesterObjectId: row.requester_object_id,
      requesterName: row.requester_name,
      guestObjectId: row.guest_object_id,
      guestUpn: row.guest_upn,
      guestDisplayName: row.guest_display_name,
      guestMail: optional(row.guest_mail),
      guestUserType: optional(row.guest_user_type),
      guestExternalState: optional(row.guest_external_state),
      guestRealm: optional(row.guest_realm),
      guestOnPremSynced: row.guest_on_prem_synced === 1,
      servicePrincipalId: row.service_principal_id,
      appId: optional(row.app_id),
      appDisplayName: row.app_display_name,
      appRoleId: row.app_role_id,
      appRoleName: optional(row.app_role_name),
      ssoKind: this.ssoKindOf(row.id, row.sso_kind),
      shadowPlan: (SHADOW_PLANS as readonly string[]).includes(row.shadow_plan) ? (row.shadow_plan as ShadowPlan) : 'notNeeded',
      durationDays: row.duration_days,
      justification: row.justification,
      approverSource: row.approver_source === 'owners' ? 'owners' : 'admins',
      approverObjectIds: this.parse(row.id, 'approver_object_ids', row.approver_object_ids, IdsSchema) ?? [],
      approvalMessages: (this.parse(row.id, 'approval_messages', row.approval_messages, MessagesSchema) ?? []) as StoredMessage[],
      approvalDeadline: new Date(row.approval_deadline),
      decidedBy: optional(row.decided_by),
      decidedByName: optional(row.decided_by_name),
      decidedAt: optionalDate(row.decided_at),
      decisionComment: optional(row.decision_comment),
      escalatedAt: optionalDate(row.escalated_at),
      grantProgress: this.parse(row.id, 'grant_progress', row.grant_progress, GrantProgressSchema) ?? {},
      grantError: optional(row.grant_error),
      grantedAt: optionalDate(row.granted_at),
      expiresAt: optionalDate(row.expires_at),
      endedBy: optional(row.ended_by),
      endedAt: optionalDate(row.ended_at),
      extendsRequestId: optional(row.extends_request_id),
      extendsFrom: optionalDate(row.extends_from),
      letEndBy: optional(row.let_end_by),
      letEndAt: optionalDate(row.let_end_at),
      forwards: this.parse(row.id, 'forwards', row.forwards, ForwardsSchema) ?? [],
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
      version: row.version,
    };
  }

  /** An unknown kind is read as `none` (no shadow account) and warned about, rather than failing the turn. */
  private ssoKindOf(id: string, value: string): AccessSsoKind {
    const known = SSO_KINDS.find((kind) => kind === value);
    if (known) return known;
    this.onWarning({ kind: 'corrupt-row', table: 'access_request', key: `${id}.sso_kind`, problem: `unknown SSO kind ${JSON.stringify(value)}` });
    return 'none';
  }

  private parse<T>(id: string, column: string, text: string | null, schema: z.ZodType<T>): T | undefined {
    if (text === null) return undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.onWarning({ kind: 'corrupt-row', table: 'access_request', key: `${id}.${column}`, problem: z.prettifyError(parsed.error) });
    } catch (error) {
      this.onWarning({ kind: 'corrupt-row', table: 'access_request', key: `${id}.${column}`, problem: `not JSON: ${String(error)}` });
    }
    return undefined;
  }
}
