import type { Generated } from 'kysely';

/**
 * Row types for every table the store owns. Timestamps are ISO-8601 UTC text (`Date.toISOString()`), so they sort the same
 * way on SQLite and PostgreSQL; JSON is text for the same reason. A later feature that adds a table adds it here and in a new
 * migration under ./migrations.
 */
export interface Database {
  conversation_reference: ConversationReferenceTable;
  audit_log: AuditLogTable;
  audit_chain_head: AuditChainHeadTable;
  inbound_dedupe: InboundDedupeTable;
  bot_state: BotStateTable;
  job: JobTable;
  invitation: InvitationTable;
  bulk_invite_run: BulkInviteRunTable;
  bulk_invite_row: BulkInviteRowTable;
  access_request: AccessRequestTable;
  invite_pacing: InvitePacingTable;
  confirmation: ConfirmationTable;
  ad_group_membership: AdGroupMembershipTable;
}

/** Proactive messaging needs the reference of a conversation the bot has seen; one row per user or conversation key. */
export interface ConversationReferenceTable {
  key: string;
  reference: string;
  updated_at: string;
}

/** Rows are never changed after insert: the API has no update or delete, and database triggers refuse both. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  actor_name: string | null;
  action: string;
  target: string;
  outcome: string;
  detail: string | null;
  /** The row's place in the hash chain (bot/store/auditChain.ts), from 1 with no gaps. */
  seq: number;
  prev_hash: string;
  hash: string;
}

/** One row (id 1): the newest chain position and hash. Every append updates it first, so appenders take turns. */
export interface AuditChainHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** A claimed inbound key; Bot Framework redelivers activities, and a redelivery must not act twice. */
export interface InboundDedupeTable {
  key: string;
  claimed_at: string;
  expires_at: string;
}

/**
 * Backs botbuilder's `Storage`. `etag` is random per write (so a deleted and recreated key never reuses an old eTag);
 * `version` counts writes to the key.
 */
export interface BotStateTable {
  key: string;
  document: string;
  etag: string;
  version: number;
  updated_at: string;
}

/** One durable job. `state` is pending, running, succeeded, failed or cancelled; `payload` is the handler's JSON checkpoint. */
export interface JobTable {
  id: string;
  kind: string;
  payload: string;
  state: string;
  run_at: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  /** Makes enqueueing idempotent: a second job with the same key is not created. */
  unique_key: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/**
 * One invitation, keyed before it is sent. `state`: draft, pending (awaiting an admin), denied, cancelled, inviting,
 * invited, refused (by policy or Graph) or failed. `options` and `result` are JSON; `approval_messages` lists the approval
 * cards sent to admins so they can be updated once decided.
 */
export interface InvitationTable {
  id: string;
  state: string;
  email: string;
  requester_id: string;
  requester_name: string;
  options: string;
  decided_by: string | null;
  decided_by_name: string | null;
  result: string | null;
  approval_messages: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** A bulk invitation run. `state`: draft, awaitingApproval, running, finished, stopped (abuse block) or cancelled. */
export interface BulkInviteRunTable {
  id: string;
  state: string;
  requester_id: string;
  requester_name: string;
  total: number;
  decided_by: string | null;
  decided_by_name: string | null;
  stop_reason: string | null;
  /** JSON SentMessage of the progress card, updated in place. */
  progress_message: string | null;
  progress_updated_at: string | null;
  approval_messages: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

/** A shared pacing budget: `next_at` is the earliest time the next paced action may happen. */
export interface InvitePacingTable {
  key: string;
  next_at: string;
  version: number;
}

/**
 * One row of a bulk run. `state`: invalid, pending, inviting, invited, alreadyGuest, refused, failed, notAttempted.
 * `send_email` is 0 or 1.
 */
export interface BulkInviteRowTable {
  run_id: string;
  idx: number;
  input: string;
  email: string | null;
  redirect_url: string | null;
  send_email: number;
  message: string | null;
  state: string;
  detail: string | null;
  user_id: string | null;
  redeem_url: string | null;
  updated_at: string;
}

/**
 * A request for a partner's access to an enterprise app; see AccessRequestRepository for the states. JSON columns:
 * `approver_object_ids` (string[]), `approval_messages` (SentMessage[]) and `grant_progress` (the grant job's checkpoint).
 */
export interface AccessRequestTable {
  id: string;
  state: string;
  requester_object_id: string;
  requester_name: string;
  guest_object_id: string;
  guest_upn: string;
  guest_display_name: string;
  guest_mail: string | null;
  /** What the approver is shown about the partner, as it was when requested: UserType, externalUserState, realm verdict. */
  guest_user_type: string | null;
  guest_external_state: string | null;
  guest_realm: string | null;
  /** 1 when the partner's account is synced from on-prem AD (it is its own on-prem account: no shadow account). */
  guest_on_prem_synced: Generated<number>;
  service_principal_id: string;
  app_id: string | null;
  app_display_name: string;
  app_role_id: string;
  app_role_name: string | null;
  /** saml, kerberos, headerBased or none, as the app was when requested. */
  sso_kind: string;
  /** notNeeded, synced, create, reuse or reenable: what the grant does in on-prem AD, as shown to the approver. */
  shadow_plan: Generated<string>;
  duration_days: number;
  justification: string;
  /** `owners` (the service principal's user owners) or `admins` (ADMIN_GROUP_ID, when the app has no user owners). */
  approver_source: string;
  approver_object_ids: string;
  approval_messages: string | null;
  approval_deadline: string;
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
  decision_comment: string | null;
  /** When the request was handed to the admins as well, ACCESS_ESCALATE_HOURS after it was made; null before. */
  escalated_at: string | null;
  grant_progress: string | null;
  /** The last grant attempt's failure, shown while the job retries and kept when it gives up. */
  grant_error: string | null;
  granted_at: string | null;
  /** When the grant ends; set when it is granted. */
  expires_at: string | null;
  ended_by: string | null;
  ended_at: string | null;
  /** An extension: the live grant (request id) whose end it moves; null for a request of its own. */
  extends_request_id: string | null;
  /** An extension: the grant's end date it was asked against; applying it compares this with the grant's. */
  extends_from: string | null;
  /** Who chose Let it end on an expiry notice, and when: no more notices for this grant. */
  let_end_by: string | null;
  let_end_at: string | null;
  /** Forward to…: the hand-overs of the pending request, JSON (ForwardEntry[]); null before the first. */
  forwards: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

/**
 * A confirmation asked for before a destructive command or action. `state`: pending, used or cancelled. `kind`: command or
 * action; `verb` is the command's name or the action's verb. `payload` is the JSON of the parsed arguments that will run,
 * `choices` the JSON of what the card offered to pick from (null when nothing), `result` the JSON of the answer once used.
 */
export interface ConfirmationTable {
  id: string;
  state: string;
  caller_id: string;
  kind: string;
  verb: string;
  payload: string;
  choices: string | null;
  summary: string;
  /** JSON of what the card showed (ConfirmationShown); null on rows from before migration 0012. */
  shown: string | null;
  result: string | null;
  version: number;
  created_at: string;
  expires_at: string;
}

/**
 * An AD group membership a Kerberos grant needs (issue 10). `state`: preExisting, adding, added, removed or handedOver
 * (bot/store/adGroupMemberships.ts). The keys are the DNs lower-cased.
 */
export interface AdGroupMembershipTable {
  request_id: string;
  group_key: string;
  group_dn: string;
  member_dn: string;
  member_key: string;
  guest_object_id: string;
  state: string;
  version: number;
  created_at: string;
  updated_at: string;
}
