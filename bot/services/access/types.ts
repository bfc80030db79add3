import type { ProxyApp } from '../../graph/appProxy';
import type { ExistingUser } from '../../graph/graphInvitations';
import type { Logger } from '../../logger';
import type { UserQuery } from '../../graph/users';
import type { AccessRequestRecord, ForwardEntry, HeldAssignment, Store } from '../../store';
import type { ApprovalFanout } from '../approvalFanout';
import type { AppAccessService, AppDirectory } from '../appAccess';
import type { PartnerAddress } from '../emailAddress';
import type { JobScheduler, Notifier, OutgoingMessage } from '../ports';
import type { RealmLookup } from '../realmVerdict';
import type { GrantJobPayload } from './schedule';

export type { GrantJobPayload } from './schedule';

/** The Graph questions a request asks besides the app's own: who the partner is, and who the admins are. */
export interface AccessRequestDirectory {
  findByEmail(email: string): Promise<ExistingUser[]>;
  transitiveUserMemberIds(groupId: string): Promise<string[]>;
}

export interface AccessRequestSettings {
  defaultDays: number;
  maxDays: number;
  requestTimeoutDays: number;
  /**
   * Seconds after a request is stored when its time-out job first looks whether the approval cards went out, and sends
   * them if not: the Send's own fan-out runs after the turn's "working…" answer and dies with the process. Default 60.
   */
  fanoutCheckSeconds?: number;
  adminGroupId: string;
  approvalsConversationId?: string;
  /** Days before a grant ends when its expiry notices go out (ACCESS_EXPIRY_NOTICE_DAYS); default 7 and 1. */
  expiryNoticeDays?: readonly number[];
  /**
   * Hours after a request is made, and again each as many hours until its deadline, when the approvers who have not
   * answered are reminded (ACCESS_REMINDER_HOURS). Undefined: no reminders.
   */
  reminderHours?: number;
  /** Hours after a request is made when the admins become its approvers as well (ACCESS_ESCALATE_HOURS). Undefined: never. */
  escalateHours?: number;
}

/** The cards the service sends proactively; built by the caller so the service never imports cards or botbuilder. */
export interface AccessRequestMessages {
  /** The approval card as approvers and the approvals channel get it; `refresh` then gives each approver their own view. */
  approval(record: AccessRequestRecord, approverTeamsIds: string[]): OutgoingMessage;
  /**
   * The requester's view of the request, sent when it is settled. `repeat` when an earlier send of it may have been
   * delivered before the process died: the channel cannot tell, so the message says it may be a repeat.
   */
  requesterOutcome(record: AccessRequestRecord, options?: { repeat?: boolean }): OutgoingMessage;
  /**
   * A reminder to an approver who has not answered: a new message that points at the request (its button shows the
   * approval card as it stands), never a second approval card. `waitingHours` since the request was made.
   */
  reminder(record: AccessRequestRecord, info: { waitingHours: number }): OutgoingMessage;
  /** Tells the requester that their request now goes to the admins as well. */
  escalated(record: AccessRequestRecord): OutgoingMessage;
  /** Tells the requester that an approver handed their request to another one (Forward to…), with the comment. */
  forwarded(record: AccessRequestRecord, forward: ForwardEntry): OutgoingMessage;
}

/** A person the people lookup found, as far as Forward to… needs: who they are, and how to tell them apart. */
export interface PersonMatch {
  id: string;
  displayName: string;
  mail?: string;
  userPrincipalName?: string;
}

/** The existing people lookup (the one whois uses), for a Forward to… target typed by name or email. */
export interface PeopleDirectory {
  find(query: UserQuery): Promise<PersonMatch[]>;
}

export const MAX_JUSTIFICATION_LENGTH = 1000;

/** Graph's sponsors of a user (bot/graph/users.ts expands them): the people told when the partner's access ends. */
export interface SponsorDirectory {
  /** The sponsors that are users (object ids, lower-case); a group sponsor is not expanded. */
  sponsorsOf(guestObjectId: string): Promise<string[]>;
  /**
   * Both kinds from the same one read: Graph's sponsors are "users and groups" (api/user-list-sponsors). When absent, only
   * `sponsorsOf`'s users count.
   */
  sponsorListOf?(guestObjectId: string): Promise<SponsorList>;
}

/** A guest's sponsors as Graph lists them: users, and groups whose members are sponsors through them (object ids, lower-case). */
export interface SponsorList {
  users: string[];
  groups: string[];
}

/**
 * At most this many sponsors get a grant's expiry notice: a group sponsor can be the whole company. The others are not told,
 * and the notice, the log and the audit row say so; who may extend is not capped.
 */
export const MAX_NOTICED_SPONSORS = 25;

/** What the expiry notice says, and to whom: the grant, the notice (days before its end), and whether the reader asked for it. */
export interface GrantLifeMessages {
  expiryNotice(record: AccessRequestRecord, notice: { days: number; reader: 'requester' | 'sponsor'; sponsorsNotTold?: number }): OutgoingMessage;
}

/** The partner as the approver needs to see them, read from Graph when the request is made. */
export interface PartnerView {
  objectId: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string;
  /** As typed (normalised), for the form and the messages. */
  address: string;
  userType: string;
  externalUserState?: string;
  /** A locally managed partner synced from on-prem AD: their own AD account serves Kerberos apps. */
  onPremSynced: boolean;
}

/** Why the partner cannot be the subject of a request. */
export type PartnerProblem =
  | { kind: 'invalidEmail'; input: string; problem: string }
  | { kind: 'notGuest'; address: PartnerAddress }
  | { kind: 'member'; address: PartnerAddress; user: ExistingUser }
  | { kind: 'disabled'; partner: PartnerView }
  | { kind: 'self' };

/** What the requester typed or the card carried; anything missing is asked for on the form. */
export interface RequestPrefill {
  email?: string;
  days?: number;
  justification?: string;
}

/** The inputs of the request form, so that a refused Send can say which one to fix. */
export type FormField = 'email' | 'appRoleId' | 'days' | 'justification';

/** What is wrong with one input: a sentence, or for a typed address why that address cannot be the partner. */
export type FieldProblem = { field: FormField; message: string } | { field: 'email'; partner: PartnerProblem };

export interface RequestForm {
  /** Becomes the request's id on submit, so a double click or a redelivered invoke submits once. */
  formId: string;
  app: ProxyApp;
  partner?: PartnerView;
  /** Undefined when the requester cleared the field: the form comes back blank there rather than with a guess. */
  days?: number;
  maxDays: number;
  justification?: string;
  /** Typed on an earlier try of this form, kept when it comes back refused. */
  email?: string;
  appRoleId?: string;
  /** Why the last Send was refused, by input; empty for a fresh form. */
  problems?: FieldProblem[];
  /** Things about what was typed that the requester should fix on the form (a duration over the maximum). */
  notes: string[];
  /** A Kerberos app and no on-prem directory: only partners synced from on-prem AD can be given access. */
  kerberosNeedsOnPrem: boolean;
  /** The partner's assignments of this app now (any role; directly or through a group): approving one of those changes nothing. */
  alreadyHeld?: HeldAssignment[];
}

export type StartOutcome =
  | PartnerProblem
  | { kind: 'noApps' }
  | { kind: 'appNotFound' }
  | { kind: 'pickApp'; candidates: ProxyApp[]; query?: string; matched: 'several' | 'none' | 'notGiven'; prefill: RequestPrefill }
  | { kind: 'blocked'; app: ProxyApp; reason: string }
  | { kind: 'form'; form: RequestForm };

export interface SubmitInput {
  formId: string;
  servicePrincipalId: string;
  /** The partner's address the form was made for, carried by its Send button; the form then has no address input. */
  partner?: string;
  /** The address typed on the form, when it asked for one. */
  email?: string;
  appRoleId?: string;
  days?: string | number;
  justification?: string;
}

export type SubmitOutcome =
  | PartnerProblem
  /** Nothing stored: the same form again, with what was typed and the problems by their inputs. */
  | { kind: 'invalid'; form: RequestForm }
  | { kind: 'appNotFound' }
  | { kind: 'blocked'; app: ProxyApp; reason: string }
  | { kind: 'duplicate'; existing: AccessRequestRecord }
  | { kind: 'noApprovers'; app: ProxyApp }
  | { kind: 'notYours' }
  /** Submitted already (a double click, a redelivered invoke): the request as it stands now. */
  | { kind: 'current'; record: AccessRequestRecord }
  | { kind: 'requested'; record: AccessRequestRecord; reached: number; unreachable: string[]; channel: 'sent' | 'failed' | 'none' };

export type DecisionOutcome =
  | { kind: 'notFound' }
  | { kind: 'selfApproval'; record: AccessRequestRecord }
  | { kind: 'partner'; record: AccessRequestRecord }
  | { kind: 'notApprover'; record: AccessRequestRecord; approverSource: 'owners' | 'admins' }
  /** Decided already, by this click's twin or someone else, or timed out: the request as it stands now. */
  | { kind: 'current'; record: AccessRequestRecord }
  | { kind: 'decided'; record: AccessRequestRecord };

/** Forward to…: the form, with the people who may decide the request besides the viewer, the requester and the partner. */
export interface ForwardForm {
  record: AccessRequestRecord;
  choices: { id: string; name: string }[];
  /** Why the last Forward was refused; undefined for a fresh form. */
  problem?: string;
  person?: string;
  comment?: string;
}

export type ForwardFormOutcome =
  | { kind: 'notFound' }
  /** Decided, withdrawn or timed out already: nothing to forward; the request as it stands now. */
  | { kind: 'current'; record: AccessRequestRecord }
  | { kind: 'notApprover'; record: AccessRequestRecord; approverSource: 'owners' | 'admins' }
  | { kind: 'form'; form: ForwardForm };

export type ForwardOutcome =
  | Exclude<ForwardFormOutcome, { kind: 'form' }>
  /** Nothing changed: the form again, saying what to fix (the person, the comment). */
  | { kind: 'invalid'; form: ForwardForm }
  | { kind: 'forwarded'; record: AccessRequestRecord; forward: ForwardEntry };

/** The requester's Withdraw: taken back, or the request as it now stands (decided meanwhile, or withdrawn already). */
export type WithdrawOutcome =
  | { kind: 'notFound' }
  | { kind: 'notYours' }
  | { kind: 'current'; record: AccessRequestRecord }
  | { kind: 'withdrawn'; record: AccessRequestRecord };

export type ViewOutcome = { kind: 'notFound' } | { kind: 'notYours' } | { kind: 'view'; record: AccessRequestRecord; role: 'requester' | 'approver' | 'admin' };

export type GrantStepOutcome =
  | { status: 'done'; payload: GrantJobPayload }
  | { status: 'continue'; payload: GrantJobPayload }
  | { status: 'retry'; error: string; payload: GrantJobPayload };

/** Who may decide a request, as Graph says now. */
export interface Approvers {
  source: 'owners' | 'admins';
  ids: string[];
  names: Map<string, string>;
}

export interface AccessRequestDeps {
  store: Store;
  apps: AppDirectory;
  appAccess: AppAccessService;
  directory: AccessRequestDirectory;
  notifier: Notifier;
  jobs: JobScheduler;
  realm: RealmLookup;
  settings: AccessRequestSettings;
  messages: AccessRequestMessages;
  /** The shared approval fan-out; by default one over `notifier` and the stored conversations. */
  fanout?: ApprovalFanout;
  /** The partner's sponsors as Graph lists them, for the expiry notices and who may extend; none when not given. */
  sponsors?: SponsorDirectory;
  /** The people lookup for Forward to… by name or email; without it only the listed approvers can be picked. */
  people?: PeopleDirectory;
  /** The expiry notice; built by the caller like `messages`. Without it no notice is sent (and that is logged). */
  lifeMessages?: GrantLifeMessages;
  log?: Logger;
  now?: () => Date;
}

/** What every part of the access request service shares: its ports, the clock and the repository. */
export interface AccessRequestContext {
  readonly deps: AccessRequestDeps;
  readonly fanout: ApprovalFanout;
  now(): Date;
  readonly repo: Store['accessRequests'];
}

/** Names the request in every log line the fan-out writes. */
export function subjectOf(record: AccessRequestRecord) {
  return { logContext: { request: record.id }, requesterObjectId: record.requesterObjectId, approverObjectIds: record.approverObjectIds };
}

/** A part of the access request service: the shared context under the names the methods read. */
export abstract class AccessRequestPart {
  constructor(protected readonly ctx: AccessRequestContext) {}

  protected get deps(): AccessRequestDeps {
    return this.ctx.deps;
  }

  protected get repo(): Store['accessRequests'] {
    return this.ctx.repo;
  }

  protected now(): Date {
    return this.ctx.now();
  }
}

/** The actor in the audit log for what a job does on nobody's click. */
export const SYSTEM_ACTOR = 'system:job';
