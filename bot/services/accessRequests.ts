import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCESS_ROLE_ID, type Owner, type ProxyApp } from '../graph/appProxy';
import { DirectoryUnavailableError } from '../graph/errors';
import type { ExistingUser } from '../graph/graphInvitations';
import type { Caller } from '../identity/caller';
import { accessRequestViewer, canDecideAccess } from '../identity/capabilities';
import type { Jobs } from '../jobs';
import { scheduleAccessExpiry } from '../jobs/accessExpiry.job';
import type { Logger } from '../logger';
import type { Notifier, OutgoingMessage } from './ports';
import type { AccessRequestRecord, AccessRequestState, GrantProgress, ShadowPlan, Store, StoredMessage, StoreTransaction } from '../store';
import { AppAccessRefused, type AppAccessService, type AppDirectory } from './appAccess';
import { matchApp } from './appMatch';
import { checkPartnerAddress, type PartnerAddress } from './emailAddress';
import type { RealmLookup } from './realmVerdict';

/** The Graph questions a request asks besides the app's own: who the partner is, and who the admins are. */
export interface AccessRequestDirectory {
  findByEmail(email: string): Promise<ExistingUser[]>;
  transitiveUserMemberIds(groupId: string): Promise<string[]>;
}

export interface AccessRequestSettings {
  defaultDays: number;
  maxDays: number;
  requestTimeoutDays: number;
  adminGroupId: string;
  approvalsConversationId?: string;
}

/** The cards the service sends proactively; built by the caller so the service never imports cards or botbuilder. */
export interface AccessRequestMessages {
  /** The approval card as approvers and the approvals channel get it; `refresh` then gives each approver their own view. */
  approval(record: AccessRequestRecord, approverTeamsIds: string[]): OutgoingMessage;
  /** The requester's view of the request, sent when it is settled. */
  requesterOutcome(record: AccessRequestRecord): OutgoingMessage;
}

export const ACCESS_GRANT_JOB_KIND = 'access.grant';
export const ACCESS_TIMEOUT_JOB_KIND = 'access.requestTimeout';
/**
 * The runner's back-off doubles up to 5 minutes, so 12 attempts keep trying a grant for about half an hour: long enough to
 * ride out a DC restart or Graph throttling, short enough that the requester hears of a real problem the same day.
 */
export const ACCESS_GRANT_MAX_ATTEMPTS = 12;
export const MAX_JUSTIFICATION_LENGTH = 1000;
const MAX_REFRESH_USERS = 60;
const MAX_LISTED = 15;
const SYSTEM_ACTOR = 'system:job';

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

export interface RequestForm {
  /** Becomes the request's id on submit, so a double click or a redelivered invoke submits once. */
  formId: string;
  app: ProxyApp;
  partner?: PartnerView;
  days: number;
  maxDays: number;
  justification?: string;
  /** Things about what was typed that the requester should fix on the form (a duration over the maximum). */
  notes: string[];
  /** A Kerberos app and no on-prem directory: only partners synced from on-prem AD can be given access. */
  kerberosNeedsOnPrem: boolean;
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
  email?: string;
  appRoleId?: string;
  days?: string | number;
  justification?: string;
}

export type SubmitOutcome =
  | PartnerProblem
  | { kind: 'invalid'; problems: string[] }
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

export type ViewOutcome = { kind: 'notFound' } | { kind: 'notYours' } | { kind: 'view'; record: AccessRequestRecord; role: 'requester' | 'approver' | 'admin' };

/** The grant job's checkpoint in its payload: which card updates it has done. */
export interface GrantJobPayload {
  requestId: string;
  announced?: boolean;
  notified?: boolean;
}

export type GrantStepOutcome =
  | { status: 'done'; payload: GrantJobPayload }
  | { status: 'continue'; payload: GrantJobPayload }
  | { status: 'retry'; error: string; payload: GrantJobPayload };

interface Approvers {
  source: 'owners' | 'admins';
  ids: string[];
  names: Map<string, string>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code === '23505' || code.startsWith('SQLITE_CONSTRAINT');
}

/** Graph refusals that a retry cannot fix: the guest or the app is gone, or the role no longer exists. */
function isPermanent(error: unknown): boolean {
  if (error instanceof AppAccessRefused) return true;
  if (error instanceof DirectoryUnavailableError) return error.statusCode === 400 || error.statusCode === 404;
  return false;
}

/**
 * Requests for a partner's access to an application proxy app: the form, the approvers (the app's owners, else the admins),
 * one decision by compare-and-set, and the grant as a durable job whose every step is safe to repeat. Every transition is
 * audited in the same transaction as the change it records.
 */
export class AccessRequestService {
  constructor(
    private readonly deps: {
      store: Store;
      apps: AppDirectory;
      appAccess: AppAccessService;
      directory: AccessRequestDirectory;
      notifier: Notifier;
      jobs: Jobs;
      realm: RealmLookup;
      settings: AccessRequestSettings;
      messages: AccessRequestMessages;
      log?: Logger;
      now?: () => Date;
    },
  ) {}

  get settings(): AccessRequestSettings {
    return this.deps.settings;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private get repo() {
    return this.deps.store.accessRequests;
  }

  /** The `request` command: resolves the app by name and the partner by address, then offers the form with what is known. */
  async start(caller: Caller, input: { appQuery?: string; email?: string; days?: number; justification?: string }): Promise<StartOutcome> {
    const [apps, partner] = await Promise.all([
      this.deps.apps.listApps(),
      input.email === undefined ? Promise.resolve(undefined) : this.resolvePartner(caller, input.email),
    ]);
    if (partner && partner.kind !== 'partner') return partner;
    if (apps.length === 0) return { kind: 'noApps' };
    const prefill: RequestPrefill = { email: input.email, days: input.days, justification: input.justification };
    const query = input.appQuery?.trim();
    if (!query) return { kind: 'pickApp', candidates: apps, matched: 'notGiven', prefill };
    const match = matchApp(apps, query);
    if (match.kind === 'several') return { kind: 'pickApp', candidates: match.candidates, query, matched: 'several', prefill };
    if (match.kind === 'none') return { kind: 'pickApp', candidates: match.suggestions, query, matched: 'none', prefill };
    return this.formOutcome(match.app, partner?.partner, prefill);
  }

  /** The `Request access` button on the apps card, or a pick from the list: the form for one app. */
  async formFor(caller: Caller, servicePrincipalId: string, prefill: RequestPrefill): Promise<StartOutcome> {
    const [app, partner] = await Promise.all([
      this.deps.apps.getApp(servicePrincipalId),
      prefill.email === undefined ? Promise.resolve(undefined) : this.resolvePartner(caller, prefill.email),
    ]);
    if (!app) return { kind: 'appNotFound' };
    if (partner && partner.kind !== 'partner') return partner;
    return this.formOutcome(app, partner?.partner, prefill);
  }

  private formOutcome(app: ProxyApp, partner: PartnerView | undefined, prefill: RequestPrefill): StartOutcome {
    const blocker = this.blockerFor(app, partner);
    if (blocker) return { kind: 'blocked', app, reason: blocker };
    const { maxDays, defaultDays } = this.deps.settings;
    const notes: string[] = [];
    let days = defaultDays;
    if (prefill.days !== undefined) {
      if (prefill.days >= 1 && prefill.days <= maxDays) days = prefill.days;
      else notes.push(`You asked for ${prefill.days} days; a grant lasts 1 to ${maxDays} days here, so the form suggests ${defaultDays}.`);
    }
    return {
      kind: 'form',
      form: {
        formId: randomUUID(),
        app,
        partner,
        days,
        maxDays,
        justification: prefill.justification?.slice(0, MAX_JUSTIFICATION_LENGTH),
        notes,
        kerberosNeedsOnPrem: partner === undefined && app.ssoKind === 'kerberos' && this.deps.appAccess.grantBlocker(app) !== undefined,
      },
    };
  }

  /** Why this partner cannot get this app here; a synced partner's own AD account serves a Kerberos app without on-prem access. */
  private blockerFor(app: ProxyApp, partner: PartnerView | undefined): string | undefined {
    if (partner?.onPremSynced) return undefined;
    if (!partner) return undefined;
    return this.deps.appAccess.grantBlocker(app);
  }

  /** The partner must already be a guest in our directory; members and unknown addresses are refused with what to do. */
  async resolvePartner(caller: Caller, input: string): Promise<PartnerProblem | { kind: 'partner'; partner: PartnerView }> {
    const checked = checkPartnerAddress(input);
    if (!checked.ok) return { kind: 'invalidEmail', input, problem: checked.problem };
    const address = checked.value;
    const users = await this.deps.directory.findByEmail(address.address);
    const guest = users.find((u) => u.userType === 'Guest');
    if (!guest) {
      const other = users[0];
      return other ? { kind: 'member', address, user: other } : { kind: 'notGuest', address };
    }
    if (guest.id.toLowerCase() === caller.aadObjectId.toLowerCase()) return { kind: 'self' };
    const partner: PartnerView = {
      objectId: guest.id.toLowerCase(),
      displayName: guest.displayName ?? address.display,
      userPrincipalName: guest.userPrincipalName,
      ...(guest.mail ? { mail: guest.mail } : {}),
      address: address.address,
      userType: guest.userType ?? 'Guest',
      ...(guest.externalUserState ? { externalUserState: guest.externalUserState } : {}),
      onPremSynced: guest.onPremisesSyncEnabled === true,
    };
    if (guest.accountEnabled === false) return { kind: 'disabled', partner };
    return { kind: 'partner', partner };
  }

  /** Card data is user input: the duration and justification are checked here as well as on the card. */
  validate(input: Pick<SubmitInput, 'days' | 'justification'>): { ok: true; days: number; justification: string } | { ok: false; problems: string[] } {
    const problems: string[] = [];
    const { maxDays } = this.deps.settings;
    const rawDays = typeof input.days === 'string' ? input.days.trim() : input.days;
    const days = rawDays === undefined || rawDays === '' ? Number.NaN : Number(rawDays);
    if (!Number.isInteger(days) || days < 1 || days > maxDays) problems.push(`Duration: give a whole number of days from 1 to ${maxDays}.`);
    const justification = (input.justification ?? '').trim();
    if (justification.length === 0) problems.push('Justification: say why the partner needs this access; approvers decide on it.');
    else if (justification.length > MAX_JUSTIFICATION_LENGTH) problems.push(`Justification: at most ${MAX_JUSTIFICATION_LENGTH} characters.`);
    return problems.length > 0 ? { ok: false, problems } : { ok: true, days, justification };
  }

  /** The role the request is for: the chosen one (which must be the app's), the only one, or the default role. */
  private roleOf(app: ProxyApp, appRoleId: string | undefined): { ok: true; id: string; name?: string } | { ok: false; problem: string } {
    const chosen = appRoleId?.trim() || undefined;
    if (app.roles.length === 0) return { ok: true, id: DEFAULT_ACCESS_ROLE_ID };
    if (chosen) {
      const role = app.roles.find((r) => r.id.toLowerCase() === chosen.toLowerCase());
      return role ? { ok: true, id: role.id, name: role.displayName } : { ok: false, problem: `Role: ${app.displayName} has no such role any more; choose one of its roles.` };
    }
    const [only, ...others] = app.roles;
    if (only && others.length === 0) return { ok: true, id: only.id, name: only.displayName };
    return { ok: false, problem: `Role: ${app.displayName} has ${app.roles.length} roles; choose one.` };
  }

  /**
   * The form's Send button. The form id becomes the request id, so the same form submits once. Stores the request (pending),
   * its audit row and its time-out job in one transaction, then sends the approval card to every approver.
   */
  async submit(caller: Caller, input: SubmitInput): Promise<SubmitOutcome> {
    const earlier = await this.repo.get(input.formId);
    if (earlier) return earlier.requesterObjectId === caller.aadObjectId.toLowerCase() ? { kind: 'current', record: earlier } : { kind: 'notYours' };
    const valid = this.validate(input);
    const problems = valid.ok ? [] : [...valid.problems];
    if (!input.email?.trim()) problems.unshift("Partner: give the partner's email address.");
    if (problems.length > 0 || !valid.ok || !input.email) return { kind: 'invalid', problems };
    const [app, resolved] = await Promise.all([this.deps.apps.getApp(input.servicePrincipalId), this.resolvePartner(caller, input.email)]);
    if (!app) return { kind: 'appNotFound' };
    if (resolved.kind !== 'partner') return resolved;
    const partner = resolved.partner;
    const role = this.roleOf(app, input.appRoleId);
    if (!role.ok) return { kind: 'invalid', problems: [role.problem] };
    const blocker = this.blockerFor(app, partner);
    if (blocker) return { kind: 'blocked', app, reason: blocker };
    const live = await this.repo.findFor(partner.objectId, app.servicePrincipalId, ['pending', 'approved', 'granted']);
    const same = live.find((r) => r.appRoleId === role.id.toLowerCase());
    if (same) return { kind: 'duplicate', existing: same };

    const [approvers, realm, shadowPlan] = await Promise.all([
      this.approversFor(app.servicePrincipalId, caller.aadObjectId, partner.objectId),
      this.deps.realm.resolve(partner.mail ?? partner.address).catch(() => undefined),
      this.shadowPlanFor(app, partner),
    ]);
    if (approvers.ids.length === 0) return { kind: 'noApprovers', app };

    const now = this.now();
    const deadline = new Date(now.getTime() + this.deps.settings.requestTimeoutDays * 86_400_000);
    let record: AccessRequestRecord;
    try {
      record = await this.deps.store.transaction(async (tx) => {
        const created = await tx.accessRequests.create({
          id: input.formId,
          requesterObjectId: caller.aadObjectId,
          requesterName: caller.name,
          guestObjectId: partner.objectId,
          guestUpn: partner.userPrincipalName,
          guestDisplayName: partner.displayName,
          guestMail: partner.mail ?? partner.address,
          guestUserType: partner.userType,
          guestExternalState: partner.externalUserState,
          guestRealm: realm ? `${realm.sentence}${realm.missing.length > 0 ? ` (incomplete: ${realm.missing.join(', ')})` : ''}` : undefined,
          guestOnPremSynced: partner.onPremSynced,
          servicePrincipalId: app.servicePrincipalId,
          appId: app.appId,
          appDisplayName: app.displayName,
          appRoleId: role.id,
          appRoleName: role.name,
          ssoKind: app.ssoKind,
          shadowPlan,
          durationDays: valid.days,
          justification: valid.justification,
          approverSource: approvers.source,
          approverObjectIds: approvers.ids,
          approvalDeadline: deadline,
        });
        await tx.audit.append({
          actor: caller.aadObjectId,
          actorName: caller.name,
          action: 'access.request',
          target: partner.userPrincipalName,
          outcome: 'requested',
          detail: {
            request: created.id,
            app: app.servicePrincipalId,
            appName: app.displayName,
            role: role.id,
            days: valid.days,
            approverSource: approvers.source,
            approvers: approvers.ids,
          },
        });
        await this.deps.jobs.enqueue(
          { kind: ACCESS_TIMEOUT_JOB_KIND, payload: { requestId: created.id }, runAt: deadline, uniqueKey: `${ACCESS_TIMEOUT_JOB_KIND}:${created.id}` },
          tx.db,
        );
        return created;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Lost a race: the same form submitted twice at once, or another request for this partner, app and role.
      const twin = await this.repo.get(input.formId);
      if (twin) return twin.requesterObjectId === caller.aadObjectId.toLowerCase() ? { kind: 'current', record: twin } : { kind: 'notYours' };
      const other = (await this.repo.findFor(partner.objectId, app.servicePrincipalId, ['pending', 'approved', 'granted'])).find((r) => r.appRoleId === role.id.toLowerCase());
      if (other) return { kind: 'duplicate', existing: other };
      throw error;
    }
    const fanOut = await this.sendApprovalCards(record, approvers);
    return { kind: 'requested', record: (await this.repo.get(record.id)) ?? record, ...fanOut };
  }

  /**
   * Who may decide: the app's owning users other than the requester and the partner; when there are none, the admins (again
   * without those two). Asked of Graph at request time and again at decision time, so a removed owner cannot decide.
   */
  async approversFor(servicePrincipalId: string, requesterId: string, guestId: string): Promise<Approvers> {
    const excluded = new Set([requesterId.toLowerCase(), guestId.toLowerCase()]);
    const owners: Owner[] = (await this.deps.apps.listOwners(servicePrincipalId)).filter((o) => !excluded.has(o.id.toLowerCase()));
    if (owners.length > 0) {
      return {
        source: 'owners',
        ids: owners.map((o) => o.id.toLowerCase()),
        names: new Map(owners.map((o) => [o.id.toLowerCase(), o.displayName ?? o.userPrincipalName ?? o.id])),
      };
    }
    const admins = (await this.deps.directory.transitiveUserMemberIds(this.deps.settings.adminGroupId)).map((id) => id.toLowerCase()).filter((id) => !excluded.has(id));
    return { source: 'admins', ids: [...new Set(admins)], names: new Map() };
  }

  private async shadowPlanFor(app: ProxyApp, partner: PartnerView): Promise<ShadowPlan> {
    if (app.ssoKind !== 'kerberos') return 'notNeeded';
    if (partner.onPremSynced) return 'synced';
    const accounts = this.deps.appAccess.shadowAccounts;
    if (!accounts) return 'ensure';
    try {
      const found = await accounts.find(partner.objectId);
      return !found ? 'create' : found.enabled ? 'reuse' : 'reenable';
    } catch (error) {
      this.deps.log?.warn({ err: error, request: partner.objectId }, 'could not look up the shadow account while preparing a request');
      return 'ensure';
    }
  }

  /** Sends the approval card to each approver's personal chat and the approvals channel; records where they landed. */
  private async sendApprovalCards(record: AccessRequestRecord, approvers: Approvers): Promise<{ reached: number; unreachable: string[]; channel: 'sent' | 'failed' | 'none' }> {
    const teamsIds = await this.teamsIdsOf(record.approverObjectIds);
    const outgoing = this.deps.messages.approval(record, teamsIds);
    const unreachable: string[] = [];
    const sent: StoredMessage[] = [];
    await Promise.all(
      record.approverObjectIds.map(async (approverId) => {
        const delivered = await this.deps.notifier.sendToUser(approverId, outgoing).catch((error: unknown) => {
          this.deps.log?.warn({ err: error, approver: approverId, request: record.id }, 'could not send the approval card');
          return undefined;
        });
        if (delivered) {
          // A message the connector gave no id cannot be updated later; its `refresh` still shows the current state.
          if (delivered.activityId) sent.push(delivered);
        } else {
          unreachable.push(approvers.names.get(approverId) ?? `an admin (object id ${approverId})`);
          this.deps.log?.warn({ approver: approverId, request: record.id }, 'approver not reachable: the app is not installed for them, so they must use the pending command');
        }
      }),
    );
    let channel: 'sent' | 'failed' | 'none' = 'none';
    const channelReference = await this.approvalsChannelReference(record);
    if (channelReference) {
      try {
        const posted = await this.deps.notifier.sendToConversation(channelReference, outgoing);
        if (posted.activityId) sent.push(posted);
        channel = 'sent';
      } catch (error) {
        channel = 'failed';
        this.deps.log?.warn({ err: error, request: record.id }, 'could not post the approval card to APPROVALS_CONVERSATION_ID');
      }
    } else if (this.deps.settings.approvalsConversationId) {
      channel = 'failed';
      this.deps.log?.warn({ request: record.id }, 'APPROVALS_CONVERSATION_ID is set but no conversation with the bot is known yet to reach it through');
    }
    await this.repo.setApprovalMessages(record.id, sent);
    const now = await this.repo.get(record.id);
    // Decided while the cards were going out (someone used `pending`): bring the cards just sent up to date.
    if (now && now.state !== 'pending') await this.updateApprovalCards(now);
    return { reached: record.approverObjectIds.length - unreachable.length, unreachable: unreachable.sort(), channel };
  }

  /**
   * The approvals channel, reached through its stored reference, or else through the service URL of a chat the bot already
   * has (the requester's or an approver's): Teams uses one service URL per tenant region.
   */
  private async approvalsChannelReference(record: AccessRequestRecord) {
    const id = this.deps.settings.approvalsConversationId;
    if (!id) return undefined;
    const { conversations } = this.deps.store;
    const saved = await conversations.get(`conversation:${id}`);
    if (saved) return saved;
    for (const key of [record.requesterObjectId, ...record.approverObjectIds]) {
      const known = await conversations.get(key.toLowerCase());
      if (known?.serviceUrl && known.bot) {
        return {
          channelId: known.channelId ?? 'msteams',
          serviceUrl: known.serviceUrl,
          bot: known.bot,
          conversation: { id, isGroup: true, conversationType: 'channel', name: '', ...(known.conversation?.tenantId ? { tenantId: known.conversation.tenantId } : {}) },
        };
      }
    }
    return undefined;
  }

  /** Teams user ids (29:…) of the approvers who have a chat with the bot, for the card's `refresh`; at most 60. */
  async teamsIdsOf(objectIds: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const objectId of objectIds) {
      if (ids.length >= MAX_REFRESH_USERS) break;
      const reference = await this.deps.store.conversations.get(objectId.toLowerCase());
      const teamsId = reference?.user?.id;
      if (teamsId && !ids.includes(teamsId)) ids.push(teamsId);
    }
    return ids;
  }

  async get(id: string): Promise<AccessRequestRecord | undefined> {
    return this.repo.get(id);
  }

  /** Who may see a request: its requester, its approvers and admins. */
  async view(caller: Caller, id: string): Promise<ViewOutcome> {
    const record = await this.repo.get(id);
    if (!record) return { kind: 'notFound' };
    const role = accessRequestViewer(caller, record);
    return role ? { kind: 'view', record, role } : { kind: 'notYours' };
  }

  approve(caller: Caller, id: string, comment?: string): Promise<DecisionOutcome> {
    return this.decide(caller, id, 'approve', comment);
  }

  deny(caller: Caller, id: string, comment?: string): Promise<DecisionOutcome> {
    return this.decide(caller, id, 'deny', comment);
  }

  /**
   * One decision settles a request. Refused: the requester, the partner, and anyone Graph does not list as an approver now.
   * The pending → approved | denied step is one compare-and-set with its audit row (and, for approve, the grant job), so a
   * double click or a second approver loses and gets the request as it now stands.
   */
  private async decide(caller: Caller, id: string, decision: 'approve' | 'deny', comment?: string): Promise<DecisionOutcome> {
    const record = await this.repo.get(id);
    if (!record) return { kind: 'notFound' };
    if (record.state !== 'pending') return { kind: 'current', record };
    const me = caller.aadObjectId.toLowerCase();
    const refuse = async (reason: string): Promise<void> => {
      await this.deps.store.audit.append({
        actor: me,
        actorName: caller.name,
        action: `access.${decision}`,
        target: record.guestUpn,
        outcome: 'refused',
        detail: { request: id, reason, app: record.servicePrincipalId },
      });
    };
    if (record.requesterObjectId === me) {
      await refuse('self-approval');
      return { kind: 'selfApproval', record };
    }
    if (record.guestObjectId === me) {
      await refuse('partner-approval');
      return { kind: 'partner', record };
    }
    if (this.now() >= record.approvalDeadline) {
      await this.timeOut(record);
      return { kind: 'current', record: (await this.repo.get(id)) ?? record };
    }
    const approvers = await this.approversFor(record.servicePrincipalId, record.requesterObjectId, record.guestObjectId);
    if (!canDecideAccess(caller, record, approvers).allowed) {
      await refuse(approvers.source === 'owners' ? 'not-an-owner' : 'not-an-admin');
      return { kind: 'notApprover', record, approverSource: approvers.source };
    }
    const cleanComment = comment?.trim().slice(0, MAX_JUSTIFICATION_LENGTH) || null;
    const next: AccessRequestState = decision === 'approve' ? 'approved' : 'denied';
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, next, {
        decided_by: me,
        decided_by_name: caller.name,
        decided_at: this.now().toISOString(),
        decision_comment: cleanComment,
      });
      if (!ok) return false;
      await tx.audit.append({
        actor: me,
        actorName: caller.name,
        action: `access.${decision}`,
        target: record.guestUpn,
        outcome: 'success',
        detail: { request: id, app: record.servicePrincipalId, requester: record.requesterObjectId, approverSource: approvers.source, ...(cleanComment ? { comment: cleanComment } : {}) },
      });
      if (decision === 'approve') {
        await this.deps.jobs.enqueue(
          { kind: ACCESS_GRANT_JOB_KIND, payload: { requestId: id }, uniqueKey: `${ACCESS_GRANT_JOB_KIND}:${id}`, maxAttempts: ACCESS_GRANT_MAX_ATTEMPTS },
          tx.db,
        );
      }
      return true;
    });
    const settled = (await this.repo.get(id)) ?? record;
    if (!won) return { kind: 'current', record: settled };
    await this.cancelTimeout(id);
    if (decision === 'approve') {
      // The grant job updates every card from here on, so the cards only ever move forward.
      this.deps.jobs.wake();
    } else {
      await this.updateApprovalCards(settled);
      await this.tellRequester(settled);
    }
    return { kind: 'decided', record: settled };
  }

  private async cancelTimeout(id: string): Promise<void> {
    const job = await this.deps.jobs.queue.findByUniqueKey(`${ACCESS_TIMEOUT_JOB_KIND}:${id}`);
    if (job) await this.deps.jobs.queue.cancel(job.id);
  }

  /** pending → timedOut, by the time-out job or by a click that came too late. Returns whether this caller moved it. */
  private async timeOut(record: AccessRequestRecord): Promise<boolean> {
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, 'timedOut', { decided_at: this.now().toISOString() });
      if (ok) {
        await tx.audit.append({
          actor: SYSTEM_ACTOR,
          action: 'access.timeout',
          target: record.guestUpn,
          outcome: 'success',
          detail: { request: record.id, app: record.servicePrincipalId, requester: record.requesterObjectId, deadline: record.approvalDeadline.toISOString() },
        });
      }
      return ok;
    });
    if (!won) return false;
    const settled = (await this.repo.get(record.id)) ?? record;
    await this.updateApprovalCards(settled);
    await this.tellRequester(settled);
    return true;
  }

  /** The time-out job's step: a request nobody decided by its deadline ends as timed out, and everyone's card says so. */
  async timeoutStep(id: string): Promise<{ status: 'done' } | { status: 'continue'; runAt: Date }> {
    const record = await this.repo.get(id);
    if (!record || record.state !== 'pending') return { status: 'done' };
    if (this.now() < record.approvalDeadline) return { status: 'continue', runAt: record.approvalDeadline };
    await this.timeOut(record);
    return { status: 'done' };
  }

  /**
   * One step of the grant job. In order: announce "approved, granting" on every card; make sure of the shadow account
   * (Kerberos) and the assignment, each found rather than made twice when repeated; then approved → granted with its
   * expiry job and audit row in one transaction; then the cards and the requester. After a crash the step runs again and
   * finds what was already done.
   */
  async grantStep(payload: GrantJobPayload): Promise<GrantStepOutcome> {
    const record = await this.repo.get(payload.requestId);
    if (!record) return { status: 'done', payload };
    if (record.state === 'granted' || record.state === 'failed') {
      if (!payload.notified) {
        await this.updateApprovalCards(record);
        await this.tellRequester(record);
      }
      return { status: 'done', payload: { ...payload, notified: true } };
    }
    if (record.state !== 'approved') return { status: 'done', payload };
    if (!payload.announced) {
      await this.updateApprovalCards(record);
      return { status: 'continue', payload: { ...payload, announced: true } };
    }
    const app: ProxyApp = {
      servicePrincipalId: record.servicePrincipalId,
      appId: record.appId ?? '',
      displayName: record.appDisplayName,
      ssoKind: record.ssoKind === 'kerberos' || record.ssoKind === 'saml' || record.ssoKind === 'headerBased' ? record.ssoKind : 'none',
      roles: record.appRoleId === DEFAULT_ACCESS_ROLE_ID ? [] : [{ id: record.appRoleId, displayName: record.appRoleName ?? record.appRoleId }],
    };
    let progress: GrantProgress;
    try {
      const result = await this.deps.appAccess.grant(
        app,
        { objectId: record.guestObjectId, userPrincipalName: record.guestUpn, displayName: record.guestDisplayName, ...(record.guestMail ? { mail: record.guestMail } : {}) },
        record.appRoleId,
        { ownOnPremAccount: record.guestOnPremSynced },
      );
      progress = {
        ...(result.shadow ? { shadowAccount: { samAccountName: result.shadow.sAMAccountName, dn: result.shadow.dn, created: result.shadow.action === 'created' } } : {}),
        assignmentId: result.assignment.id,
        alreadyAssigned: result.alreadyAssigned,
      };
    } catch (error) {
      const reason = message(error);
      if (isPermanent(error)) {
        await this.fail(record, reason);
        return { status: 'continue', payload };
      }
      await this.repo.saveGrantProgress(record.id, record.grantProgress, reason);
      const current = await this.repo.get(record.id);
      if (current) await this.updateApprovalCards(current);
      return { status: 'retry', error: reason, payload };
    }
    const grantedAt = this.now();
    const expiresAt = new Date(grantedAt.getTime() + record.durationDays * 86_400_000);
    await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, 'granted', {
        grant_progress: JSON.stringify(progress),
        grant_error: null,
        granted_at: grantedAt.toISOString(),
        expires_at: expiresAt.toISOString(),
      });
      if (!ok) return;
      await tx.audit.append({
        actor: record.decidedBy ?? SYSTEM_ACTOR,
        actorName: record.decidedByName,
        action: 'access.grant',
        target: record.guestUpn,
        outcome: 'success',
        detail: {
          request: record.id,
          app: record.servicePrincipalId,
          role: record.appRoleId,
          assignment: progress.assignmentId,
          alreadyAssigned: progress.alreadyAssigned,
          ...(progress.shadowAccount ? { shadowAccount: progress.shadowAccount.dn, shadowCreated: progress.shadowAccount.created } : {}),
          expiresAt: expiresAt.toISOString(),
        },
      });
      await scheduleAccessExpiry(this.deps.jobs.queue, record.id, expiresAt, tx.db);
    });
    return { status: 'continue', payload };
  }

  /** The grant job gave up (attempts exhausted) or met a refusal no retry fixes: approved → failed, audited. */
  async fail(record: AccessRequestRecord, reason: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, 'failed', { grant_error: reason });
      if (ok) await this.auditFailure(tx, record, reason);
    });
  }

  /** For the job's onFailed: marks the request failed if the job left it approved, then brings the cards and requester up to date. */
  async giveUp(requestId: string, reason: string): Promise<void> {
    const record = await this.repo.get(requestId);
    if (!record) return;
    if (record.state === 'approved') await this.fail(record, reason);
    const settled = await this.repo.get(requestId);
    if (settled?.state === 'failed') {
      await this.updateApprovalCards(settled);
      await this.tellRequester(settled);
    }
  }

  private async auditFailure(tx: StoreTransaction, record: AccessRequestRecord, reason: string): Promise<void> {
    await tx.audit.append({
      actor: record.decidedBy ?? SYSTEM_ACTOR,
      actorName: record.decidedByName,
      action: 'access.grant',
      target: record.guestUpn,
      outcome: 'failed',
      detail: { request: record.id, app: record.servicePrincipalId, role: record.appRoleId, reason },
    });
  }

  /** Replaces every approval card sent for this request with its current state; one that cannot be reached is logged. */
  async updateApprovalCards(record: AccessRequestRecord): Promise<void> {
    if (record.approvalMessages.length === 0) return;
    const outgoing = this.deps.messages.approval(record, await this.teamsIdsOf(record.approverObjectIds));
    await Promise.all(
      record.approvalMessages.map((sent) =>
        this.deps.notifier.update(sent, outgoing).catch((error: unknown) => {
          this.deps.log?.warn({ err: error, request: record.id, activityId: sent.activityId }, 'could not update an approval card');
        }),
      ),
    );
  }

  private async tellRequester(record: AccessRequestRecord): Promise<void> {
    // The outcome stands even if the requester cannot be told right now; the audit log and `requests` have it.
    const delivered = await this.deps.notifier.sendToUser(record.requesterObjectId, this.deps.messages.requesterOutcome(record)).catch((error: unknown) => {
      this.deps.log?.warn({ err: error, request: record.id }, 'could not tell the requester');
      return undefined;
    });
    if (!delivered) this.deps.log?.warn({ request: record.id, requester: record.requesterObjectId }, 'requester not reachable for the outcome');
  }

  /** `requests`: the caller's own requests, open ones first, then the most recent. */
  async mine(caller: Caller): Promise<AccessRequestRecord[]> {
    const records = await this.repo.listByRequester(caller.aadObjectId, MAX_LISTED * 3);
    const open = records.filter((r) => r.state === 'pending' || r.state === 'approved');
    const rest = records.filter((r) => r.state !== 'pending' && r.state !== 'approved');
    return [...open, ...rest].slice(0, MAX_LISTED);
  }

  /**
   * `pending`: requests waiting for the caller's decision, oldest first. Whoever the request named as approver, or any admin
   * for requests the admins decide; the decision itself re-checks with Graph.
   */
  async pendingFor(caller: Caller): Promise<AccessRequestRecord[]> {
    const open = await this.repo.listByState(['pending'], 500);
    return open.filter((r) => canDecideAccess(caller, r).allowed).slice(0, MAX_LISTED);
  }
}
