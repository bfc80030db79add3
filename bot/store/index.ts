import type { Storage } from 'botbuilder';
import { sql, type Kysely, type Transaction } from 'kysely';
import { systemClock, type JobClock } from '../clock';
import { AccessRequestRepository } from './accessRequests';
import { AdGroupMembershipRepository } from './adGroupMemberships';
import { SqlAuditLog, type AuditLog } from './auditLog';
import { BulkRunRepository } from './bulkRuns';
import { ConfirmationRepository } from './confirmations';
import { connectPostgres, connectSqlite, type Connected } from './connect';
import { SqlConversationReferenceRepository, type ConversationReferenceRepository } from './conversationReferences';
import type { StoreDialect } from './dialect';
import { DurableStorage } from './durableStorage';
import { purgeExpired, type PurgeCounts } from './housekeeping';
import { SqlInboundDedupe, type InboundDedupe } from './inboundDedupe';
import { InvitationRepository } from './invitations';
import { InvitePacing } from './invitePacing';
import type { Database } from './schema';
import { ignoreWarnings, type StoreWarningHandler } from './warnings';

export {
  ACCESS_REQUEST_STATES,
  AccessRequestRepository,
  GrantProgressSchema,
  OPEN_ACCESS_REQUEST_STATES,
  createdAssignmentOf,
  ownsShadowAccount,
  type HeldAssignment,
  type AccessRequestChanges,
  type AccessRequestRecord,
  type AccessSsoKind,
  type AccessRequestState,
  type GrantProgress,
  type NewAccessRequest,
  type ForwardEntry,
  type ShadowPlan,
  type StoredMessage,
} from './accessRequests';
export {
  INVITATION_STATES,
  InvitationRepository,
  InvitationResultSchema,
  InviteOptionsSchema,
  type GroupOutcome,
  type InvitationChanges,
  type InvitationRecord,
  type InvitationResult,
  type InvitationState,
  type InviteOptions,
  type NewInvitation,
} from './invitations';
export {
  CONFIRMATION_STATES,
  ConfirmationRepository,
  type ConfirmationKind,
  type ConfirmationRecord,
  type ConfirmationState,
  type NewConfirmation,
  type OfferedChoices,
} from './confirmations';
export {
  AD_GROUP_MEMBERSHIP_STATES,
  AdGroupMembershipRepository,
  OWNED_MEMBERSHIP_STATES,
  dnKey,
  type AdGroupMembershipRecord,
  type AdGroupMembershipState,
  type NewAdGroupMembership,
} from './adGroupMemberships';
export type { AuditEntry, AuditEntryInput, AuditFilter, AuditLog, AuditOutcome, AuditQuery, ChainReport, StoredAuditRow } from './auditLog';
export { describeBreak, type ChainBreak } from './auditChain';
export { DEFAULT_AUDIT_LIST_LIMIT, MAX_AUDIT_LIST_LIMIT } from './auditLog';
export {
  BULK_ROW_STATES,
  BULK_RUN_STATES,
  BulkRunRepository,
  type BulkCountsByState,
  type BulkRowChanges,
  type BulkRowRecord,
  type BulkRowState,
  type BulkRunRecord,
  type BulkRunState,
  type BulkStoredMessage,
  type NewBulkRow,
} from './bulkRuns';
export type { PurgeCounts } from './housekeeping';
export { InvitePacing, type PaceClaim } from './invitePacing';
export { compareAndSet, type VersionedChanges, type VersionedTable } from './compareAndSet';
export { redactDatabaseUrl, SQLITE_FILE_NAME, StoreOpenError } from './connect';
export type { ConversationReferenceRepository, StoredConversationReference } from './conversationReferences';
export type { StoreDialect } from './dialect';
export { DurableStorage } from './durableStorage';
export { DEFAULT_DEDUPE_TTL_SECONDS, type InboundDedupe } from './inboundDedupe';
export type * from './schema';
export type { StoreWarning, StoreWarningHandler } from './warnings';

export interface StoreOptions {
  /** A postgres:// URL selects PostgreSQL (needed for several instances); otherwise SQLite in `dataDir`. */
  databaseUrl?: string;
  /** Holds `partner-access.sqlite`; created if missing. Unused with PostgreSQL. */
  dataDir: string;
  /** Corrupt rows that were skipped and background pool errors; forward to the logger. */
  onWarning?: StoreWarningHandler;
  /** The bot's clock, for the timestamps that jobs later compare (a request's creation, its update); the system clock by default. */
  clock?: JobClock;
}

/** The repositories, bound to one database transaction. Use only these inside `transaction`, never the store's own. */
export interface StoreTransaction {
  readonly db: Transaction<Database>;
  readonly conversations: ConversationReferenceRepository;
  readonly audit: AuditLog;
  readonly dedupe: InboundDedupe;
  readonly storage: Storage;
  readonly accessRequests: AccessRequestRepository;
  readonly invitations: InvitationRepository;
  readonly bulkRuns: BulkRunRepository;
  readonly confirmations: ConfirmationRepository;
  readonly adGroupMemberships: AdGroupMembershipRepository;
}

export interface Store {
  readonly dialect: StoreDialect;
  /** The SQLite file, or the database URL with its password redacted; safe for the banner and logs. */
  readonly location: string;
  readonly db: Kysely<Database>;
  readonly conversations: ConversationReferenceRepository;
  readonly audit: AuditLog;
  readonly dedupe: InboundDedupe;
  readonly storage: Storage;
  readonly accessRequests: AccessRequestRepository;
  readonly invitations: InvitationRepository;
  readonly bulkRuns: BulkRunRepository;
  /** Confirmations asked for before destructive steps (the routers' confirmation gate). */
  readonly confirmations: ConfirmationRepository;
  /** The AD group memberships Kerberos grants added or found (issue 10). */
  readonly adGroupMemberships: AdGroupMembershipRepository;
  /** The tenant-wide invitation pace, shared by every run on every instance. */
  readonly pacing: InvitePacing;
  /** Deletes expired de-duplication claims and drafts older than `draftMaxAgeMs`; the housekeeping job calls it. */
  purgeExpired(now: Date, draftMaxAgeMs: number): Promise<PurgeCounts>;
  /**
   * Runs `work` in one transaction: it commits when `work` resolves and rolls back when it throws, so a state change and its
   * audit row land together or not at all. On SQLite the single connection is held for the duration, so calling the store's
   * own (non-`tx`) repositories inside `work` would wait forever.
   */
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /** A trivial query, for /readyz. */
  ping(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the store and brings its schema up to date. Throws StoreOpenError naming the backend, the location and what failed.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const onWarning = options.onWarning ?? ignoreWarnings;
  const connected = options.databaseUrl
    ? await connectPostgres(options.databaseUrl, onWarning)
    : await connectSqlite(options.dataDir);
  return new KyselyStore(connected, onWarning, (options.clock ?? systemClock).now);
}

class KyselyStore implements Store {
  readonly dialect: StoreDialect;
  readonly location: string;
  readonly db: Kysely<Database>;
  readonly conversations: ConversationReferenceRepository;
  readonly audit: AuditLog;
  readonly dedupe: InboundDedupe;
  readonly storage: Storage;
  readonly accessRequests: AccessRequestRepository;
  readonly invitations: InvitationRepository;
  readonly bulkRuns: BulkRunRepository;
  readonly confirmations: ConfirmationRepository;
  readonly adGroupMemberships: AdGroupMembershipRepository;
  readonly pacing: InvitePacing;
  private closing: Promise<void> | undefined;

  constructor(
    connected: Connected,
    private readonly onWarning: StoreWarningHandler,
    private readonly now: () => Date,
  ) {
    this.dialect = connected.dialect;
    this.location = connected.location;
    this.db = connected.db;
    this.conversations = new SqlConversationReferenceRepository(this.db, onWarning);
    this.audit = new SqlAuditLog(this.db, onWarning, now);
    this.dedupe = new SqlInboundDedupe(this.db, now);
    this.storage = new DurableStorage(this.db, onWarning);
    this.accessRequests = new AccessRequestRepository(this.db, onWarning, now);
    this.invitations = new InvitationRepository(this.db, onWarning, now);
    this.bulkRuns = new BulkRunRepository(this.db, onWarning);
    this.confirmations = new ConfirmationRepository(this.db, onWarning);
    this.adGroupMemberships = new AdGroupMembershipRepository(this.db, onWarning, now);
    this.pacing = new InvitePacing(this.db);
  }

  purgeExpired(now: Date, draftMaxAgeMs: number): Promise<PurgeCounts> {
    return purgeExpired(this.db, this.confirmations, now, draftMaxAgeMs);
  }

  transaction<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((db) =>
      work({
        db,
        conversations: new SqlConversationReferenceRepository(db, this.onWarning),
        audit: new SqlAuditLog(db, this.onWarning, this.now),
        dedupe: new SqlInboundDedupe(db, this.now),
        storage: new DurableStorage(db, this.onWarning),
        accessRequests: new AccessRequestRepository(db, this.onWarning, this.now),
        invitations: new InvitationRepository(db, this.onWarning, this.now),
        bulkRuns: new BulkRunRepository(db, this.onWarning),
        confirmations: new ConfirmationRepository(db, this.onWarning),
        adGroupMemberships: new AdGroupMembershipRepository(db, this.onWarning, this.now),
      }),
    );
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  close(): Promise<void> {
    this.closing ??= this.db.destroy();
    return this.closing;
  }
}
