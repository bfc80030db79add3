import { randomUUID } from 'node:crypto';
import type { ExistingUser, InvitationRefusal, InvitationRequest, InvitationResponse } from '../graph/graphInvitations';
import { InvitationRefusedError, InvitationThrottledError } from '../graph/graphInvitations';
import { judgeDomain, type TenantInvitationPolicy } from '../graph/b2bPolicy';
import type { Caller } from '../identity/caller';
import type { Logger } from '../logger';
import {
  InviteOptionsSchema,
  type GroupOutcome,
  type InvitationChanges,
  type InvitationRecord,
  type InvitationResult,
  type InvitationState,
  type InviteOptions,
  type Store,
  type StoreTransaction,
} from '../store';
import { ApprovalFanout } from './approvalFanout';
import { DEFAULT_INVITE_FANOUT_CHECK_SECONDS, inviteFanoutCheckJob, inviteJob, type InviteFanoutCheckPayload, type InviteJobPayload } from './inviteSchedule';
import type { JobScheduler, Notifier, OutgoingMessage } from './ports';
import { canInviteWithoutApproval, canResetRedemption, canRetryInvitation } from '../identity/capabilities';
import { checkPartnerAddress, domainMatches, type PartnerAddress } from './emailAddress';
import type { RealmLookup, RealmVerdict } from './realmVerdict';
import { sameObjectId } from '../identity/objectId';

/** The Graph side of inviting, as a port so the service can be exercised without Graph. GraphInvitations implements it. */
export interface InvitationDirectory {
  findByEmail(email: string): Promise<ExistingUser[]>;
  invite(request: InvitationRequest): Promise<InvitationResponse>;
  addToGroup(groupId: string, objectId: string): Promise<'added' | 'already'>;
  transitiveUserMemberIds(groupId: string): Promise<string[]>;
  /** The tenant's own allow or block list; a directory without it reads as "could not be checked". */
  tenantInvitationPolicy?(): Promise<TenantInvitationPolicy>;
}

export interface InvitationSettings {
  redirectUrl: string;
  allowDomains: readonly string[];
  blockDomains: readonly string[];
  adminGroupId: string;
  /**
   * Seconds after a manager's confirm when a job looks whether the admins' approval cards went out, and sends them if not:
   * the confirm's own fan-out runs after the turn's "working…" answer and dies with the process. Default 60.
   */
  fanoutCheckSeconds?: number;
}

export { InviteOptionsSchema, type GroupOutcome, type InvitationRecord, type InvitationResult, type InvitationState, type InviteOptions } from '../store';

/** Whose list refused a domain: the bot's PARTNER_DOMAINS_* settings, or the tenant's collaboration restrictions in Entra. */
export type BlockSource = 'bot' | 'tenant';

/** Why an address is not invited, before anything is written. */
export type Precheck =
  | { kind: 'invalid'; input: string; problem: string }
  | { kind: 'blocked'; address: PartnerAddress; reason: string; source: BlockSource }
  | { kind: 'existingGuest'; address: PartnerAddress; user: ExistingUser }
  | { kind: 'existingMember'; address: PartnerAddress; user: ExistingUser };

export type PrepareOutcome =
  | Precheck
  | {
      kind: 'draft';
      address: PartnerAddress;
      record: InvitationRecord;
      realm?: RealmVerdict;
      /** Set when the tenant's own restrictions could not be checked, or may cover this domain: Entra may still refuse. */
      tenantCaution?: string;
    };

/** The invite form's fields, as the person typed them: what comes back on the form when something is wrong. */
export interface TypedInvite {
  displayName?: string;
  delivery?: string;
  message?: string;
  language?: string;
  cc?: string;
  redirectUrl?: string;
  groups?: string;
  justification?: string;
}

/** A problem with one field of the invite form, named by the form's input id. */
export interface FieldProblem {
  field: keyof TypedInvite | 'form';
  message: string;
}

export type SubmitOutcome =
  | { kind: 'notFound' }
  | { kind: 'notYours'; record: InvitationRecord }
  | { kind: 'invalidOptions'; record: InvitationRecord; problems: FieldProblem[]; typed: TypedInvite; realm?: RealmVerdict; tenantCaution?: string }
  /** Already moved on (a double click, a redelivered invoke): the record as it stands now. */
  | { kind: 'current'; record: InvitationRecord }
  | { kind: 'requested'; record: InvitationRecord; adminsReached: number }
  /** An admin's own invitation, now `inviting`: the invite job sends it and tells them the outcome. */
  | { kind: 'started'; record: InvitationRecord };

export type DecisionOutcome =
  | { kind: 'notFound' }
  | { kind: 'selfApproval'; record: InvitationRecord }
  | { kind: 'alreadyDecided'; record: InvitationRecord }
  | { kind: 'decided'; record: InvitationRecord };

export type ResendOutcome =
  | Exclude<Precheck, { kind: 'existingGuest' }>
  | { kind: 'notFound'; address: PartnerAddress }
  | { kind: 'needsAdmin'; address: PartnerAddress; user: ExistingUser }
  /** The guest has accepted, and the caller did not confirm resetting their redemption: nothing was sent. */
  | { kind: 'needsConfirmation'; address: PartnerAddress; user: ExistingUser }
  | { kind: 'resent'; address: PartnerAddress; user: ExistingUser; reset: boolean; redeemUrl?: string }
  | { kind: 'refused'; address: PartnerAddress; refusal: InvitationRefusal };

/** The cards the service sends proactively; built by the caller so the service never imports cards or botbuilder. */
export interface InvitationMessages {
  approval(record: InvitationRecord, approverTeamsIds: string[]): OutgoingMessage;
  /** `repeat` when an earlier send of it may have been delivered before the process died: the message says it may repeat. */
  requesterOutcome(record: InvitationRecord, options?: { repeat?: boolean }): OutgoingMessage;
}

/**
 * What one step of the invite job reports; the job turns it into the runner's outcome. `continue` saves the checkpoint and
 * runs the next step at once; `retry` runs the same step again after the runner's back-off.
 */
export type InviteStepOutcome =
  | { status: 'done'; payload: InviteJobPayload }
  | { status: 'continue'; payload: InviteJobPayload }
  | { status: 'retry'; error: string; payload: InviteJobPayload; runAt?: Date };

/**
 * How long a repeated invite step looks for the guest an interrupted attempt may have created before inviting: Graph can
 * take seconds to show a new guest to a filtered read (replication), and inviting again would send a second email.
 */
const DEFAULT_RESUME_LOOKUP_DELAYS_MS: readonly number[] = [250, 500, 1000, 2000];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Inviting partners: the pre-check before any write, the policy, the request and approval, and the write itself, keyed so
 * that it happens once. Every invite, refusal, request, decision and resend is audited with the change it records.
 */
export class InvitationService {
  constructor(
    private readonly deps: {
      store: Store;
      directory: InvitationDirectory;
      notifier: Notifier;
      /** Where the write goes once approved: the invite job (bot/jobs/inviteApproval.job.ts) performs it. */
      jobs: JobScheduler;
      settings: InvitationSettings;
      messages: InvitationMessages;
      /** Home realm discovery; without it the card says the sign-in path is not known. */
      realm?: RealmLookup;
      /** The shared approval fan-out; by default one over `notifier` and the stored conversations. */
      fanout?: ApprovalFanout;
      log?: Logger;
      /** Waits between the look-ups of a repeated invite step; the default rides out a few seconds of replication lag. */
      resumeLookupDelaysMs?: readonly number[];
      /** The job clock (bot/clock.ts); the system time by default. */
      now?: () => Date;
    },
  ) {
    this.fanout = deps.fanout ?? new ApprovalFanout({ notifier: deps.notifier, conversations: deps.store.conversations, log: deps.log });
  }

  private readonly fanout: ApprovalFanout;

  /** What it was built with, so a second instance over the same store (a restarted bot, in tests) can be built alike. */
  get settings(): InvitationSettings {
    return this.deps.settings;
  }

  /** The bot's own allow and block lists, checked before Graph is asked anything. */
  policyRefusal(address: PartnerAddress): string | undefined {
    const { allowDomains, blockDomains } = this.deps.settings;
    const blocked = blockDomains.find((d) => domainMatches(address.asciiDomain, d));
    if (blocked) return `${address.domain} is on this bot's block list (PARTNER_DOMAINS_BLOCK: ${blocked}).`;
    if (allowDomains.length > 0 && !allowDomains.some((d) => domainMatches(address.asciiDomain, d))) {
      return `${address.domain} is not on this bot's allow list (PARTNER_DOMAINS_ALLOW).`;
    }
    return undefined;
  }

  /** Validation, policy and one directory look-up; nothing is written to Graph. */
  async precheck(caller: Caller, input: string, action: string): Promise<Precheck | { kind: 'clear'; address: PartnerAddress }> {
    const checked = checkPartnerAddress(input);
    if (!checked.ok) return { kind: 'invalid', input, problem: checked.problem };
    const address = checked.value;
    const reason = this.policyRefusal(address);
    if (reason) {
      await this.deps.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action,
        target: address.address,
        outcome: 'refused',
        detail: { reason: 'bot-domain-policy', message: reason },
      });
      return { kind: 'blocked', address, reason, source: 'bot' };
    }
    const existing = await this.deps.directory.findByEmail(address.address);
    const guest = existing.find((u) => u.userType === 'Guest' && u.creationType === 'Invitation');
    if (guest) return { kind: 'existingGuest', address, user: guest };
    const other = existing[0];
    if (other) return { kind: 'existingMember', address, user: other };
    return { kind: 'clear', address };
  }

  /** The `invite` command: pre-check, then a draft keyed by a new id that the confirm card carries. */
  async prepare(caller: Caller, input: string, displayName?: string): Promise<PrepareOutcome> {
    const checked = await this.precheck(caller, input, 'invite.create');
    if (checked.kind !== 'clear') return checked;
    const { address } = checked;
    const tenant = await this.tenantVerdict(address);
    if (tenant.kind === 'refused') {
      const reason = `${address.domain} is not allowed by this tenant's collaboration restrictions (Entra External collaboration settings), so Microsoft Entra would refuse the invitation.`;
      await this.deps.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: 'invite.create',
        target: address.address,
        outcome: 'refused',
        detail: { reason: 'tenant-domain-policy', listed: tenant.listed },
      });
      return { kind: 'blocked', address, reason, source: 'tenant' };
    }
    const options: InviteOptions = {
      delivery: 'link',
      redirectUrl: this.deps.settings.redirectUrl,
      groupIds: [],
      ...(displayName ? { displayName: displayName.trim().slice(0, 256) } : {}),
    };
    const realmLookup = this.deps.realm;
    const [realm, record] = await Promise.all([
      realmLookup ? realmLookup.resolve(address.address).catch(() => undefined) : Promise.resolve(undefined),
      this.deps.store.invitations.createDraft({ id: randomUUID(), email: address.address, requesterId: caller.aadObjectId, requesterName: caller.name, options }),
    ]);
    return { kind: 'draft', address, record, realm, ...(tenant.kind === 'uncertain' ? { tenantCaution: tenant.why } : {}) };
  }

  /** The tenant's list applied to one domain; a directory that cannot read it, or a failed read, is `uncertain`. */
  private async tenantVerdict(address: PartnerAddress) {
    const read = this.deps.directory.tenantInvitationPolicy?.bind(this.deps.directory);
    const policy: TenantInvitationPolicy = read
      ? await read().catch((error: unknown): TenantInvitationPolicy => {
          this.deps.log?.warn({ err: error }, 'could not read the tenant invitation policy');
          return { kind: 'unknown', reason: 'Graph did not answer just now.' };
        })
      : { kind: 'unknown', reason: 'This directory does not offer them.' };
    return judgeDomain(policy, address.asciiDomain);
  }

  async get(id: string): Promise<InvitationRecord | undefined> {
    return this.deps.store.invitations.get(id);
  }

  /** Parses and checks what the card sent; card data is user input. Each problem names the field it belongs to. */
  parseOptions(raw: unknown): { ok: true; options: InviteOptions } | { ok: false; problems: FieldProblem[] } {
    const parsed = InviteOptionsSchema.safeParse(raw);
    if (!parsed.success) {
      return {
        ok: false,
        problems: parsed.error.issues.map((i) => ({ field: fieldOf(i.path[0]), message: `${i.path.join('.') || 'options'}: ${i.message.replace(/\.$/, '')}.` })),
      };
    }
    const problems = this.validateOptions(parsed.data);
    return problems.length > 0 ? { ok: false, problems } : { ok: true, options: parsed.data };
  }

  validateOptions(options: InviteOptions): FieldProblem[] {
    const problems: FieldProblem[] = [];
    if (options.cc) {
      const cc = checkPartnerAddress(options.cc);
      if (!cc.ok) problems.push({ field: 'cc', message: `Cc: ${cc.problem}` });
    }
    if (options.redirectUrl) {
      let url: URL | undefined;
      try {
        url = new URL(options.redirectUrl);
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== 'https:') problems.push({ field: 'redirectUrl', message: 'Redirect URL: must be an absolute https:// address.' });
    }
    for (const id of options.groupIds) if (!GUID.test(id)) problems.push({ field: 'groups', message: `Groups: "${id}" is not a group object id (a GUID).` });
    return problems;
  }

  /**
   * The invite form as typed: parsed, checked, then submitted. When something is wrong nothing is stored, and the outcome
   * carries what was typed so the form comes back filled in, with each problem by its field.
   */
  async submitTyped(caller: Caller, id: string, typed: TypedInvite): Promise<SubmitOutcome> {
    const groupIds = (typed.groups ?? '').split(/[\s,;]+/).filter((g) => g.length > 0);
    const { groups: _groups, ...rest } = typed;
    const parsed = this.parseOptions({ ...rest, delivery: typed.delivery ?? 'link', groupIds });
    const outcome = parsed.ok ? await this.submit(caller, id, parsed.options) : await this.invalid(id, parsed.problems);
    return outcome.kind === 'invalidOptions' ? { ...outcome, typed, ...(await this.formContext(outcome.record)) } : outcome;
  }

  private async invalid(id: string, problems: FieldProblem[]): Promise<SubmitOutcome> {
    const record = await this.get(id);
    if (!record) return { kind: 'notFound' };
    return { kind: 'invalidOptions', record, problems, typed: {} };
  }

  /** What the form shows besides the typed fields, looked up again so a form that comes back is as the first one was. */
  private async formContext(record: InvitationRecord): Promise<{ realm?: RealmVerdict; tenantCaution?: string }> {
    const checked = checkPartnerAddress(record.email);
    if (!checked.ok) return {};
    const [realm, tenant] = await Promise.all([
      this.deps.realm ? this.deps.realm.resolve(checked.value.address).catch(() => undefined) : Promise.resolve(undefined),
      this.tenantVerdict(checked.value),
    ]);
    return { ...(realm ? { realm } : {}), ...(tenant.kind === 'uncertain' ? { tenantCaution: tenant.why } : {}) };
  }

  /**
   * The confirm button. Admins invite now; a manager's invitation becomes a request to the admins. Only the draft's owner may
   * submit it, and only once: the draft → inviting / pending step is one compare-and-set.
   */
  async submit(caller: Caller, id: string, options: InviteOptions): Promise<SubmitOutcome> {
    const record = await this.get(id);
    if (!record) return { kind: 'notFound' };
    if (!sameObjectId(record.requesterId, caller.aadObjectId)) return { kind: 'notYours', record };
    const retry = canRetryInvitation(caller, record);
    // The first confirm moved it to pending and stopped (the process died) before any admin got the card, so the click
    // failed for the requester, who clicks again: this click asks the admins, or the request would wait for nobody.
    if (record.state === 'pending' && record.approvalMessages.length === 0 && !retry) {
      return { kind: 'requested', record, adminsReached: await this.requestApproval(record) };
    }
    if (record.state !== 'draft' && !retry) return { kind: 'current', record };
    // What the service itself records (the realm at request time, a decision comment) is never taken from the card.
    const { realmAtRequest: _realm, decisionComment: _comment, ...typedOptions } = options;
    const chosen: InviteOptions = retry ? record.options : { ...typedOptions, redirectUrl: options.redirectUrl || this.deps.settings.redirectUrl };
    const asAdmin = canInviteWithoutApproval(caller);
    const problems = this.validateOptions(chosen);
    if (!asAdmin && !retry && !chosen.justification) {
      problems.push({ field: 'justification', message: 'Say why this partner needs a guest account: the admins decide on it.' });
    }
    if (problems.length > 0) return { kind: 'invalidOptions', record, problems, typed: {} };
    if (!asAdmin && !retry) {
      // The admins see where the partner's sign-in will go, as it was known when the request was made.
      const { realm } = await this.formContext(record);
      if (realm) chosen.realmAtRequest = realm.missing.length > 0 ? `${realm.sentence} (incomplete: ${realm.missing.join(', ')})` : realm.sentence;
    }
    const next: InvitationState = asAdmin ? 'inviting' : 'pending';
    const won = await this.transition(record, next, { options: chosen }, async (tx) => {
      await tx.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: asAdmin ? 'invite.create' : 'invite.request',
        target: record.email,
        outcome: asAdmin ? 'started' : 'requested',
        detail: {
          invitation: record.id,
          groups: chosen.groupIds,
          delivery: chosen.delivery,
          ...(chosen.justification && !asAdmin ? { justification: chosen.justification } : {}),
        },
      });
      if (asAdmin) await this.deps.jobs.schedule(inviteJob(record.id, record.version), tx.db);
      else await this.deps.jobs.schedule(inviteFanoutCheckJob(record.id, record.version, this.fanoutCheckAt()), tx.db);
    });
    if (!won) return { kind: 'current', record: (await this.get(id)) ?? record };
    if (asAdmin) {
      this.deps.jobs.wake();
      return { kind: 'started', record: won };
    }
    const reached = await this.requestApproval(won);
    return { kind: 'requested', record: (await this.get(id)) ?? won, adminsReached: reached };
  }

  async cancel(caller: Caller, id: string): Promise<InvitationRecord | undefined> {
    const record = await this.get(id);
    if (!record || !sameObjectId(record.requesterId, caller.aadObjectId) || (record.state !== 'draft' && record.state !== 'pending')) return record;
    const won = await this.transition(record, 'cancelled', {}, (tx) =>
      tx.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action: 'invite.cancel', target: record.email, outcome: 'success', detail: { invitation: id } }),
    );
    if (won && record.state === 'pending') await this.updateApprovalCards(won);
    return (await this.get(id)) ?? record;
  }

  /** An admin's Approve, with an optional comment for the requester. Self-approval is refused; one decision settles it. */
  async approve(caller: Caller, id: string, comment?: string): Promise<DecisionOutcome> {
    return this.decide(caller, id, 'approve', comment);
  }

  async deny(caller: Caller, id: string, comment?: string): Promise<DecisionOutcome> {
    return this.decide(caller, id, 'deny', comment);
  }

  private async decide(caller: Caller, id: string, decision: 'approve' | 'deny', rawComment?: string): Promise<DecisionOutcome> {
    const comment = rawComment?.trim().slice(0, 1000) || undefined;
    const record = await this.get(id);
    if (!record) return { kind: 'notFound' };
    if (record.state !== 'pending') return { kind: 'alreadyDecided', record };
    if (sameObjectId(record.requesterId, caller.aadObjectId)) {
      await this.deps.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: `invite.${decision}`,
        target: record.email,
        outcome: 'refused',
        detail: { invitation: id, reason: 'self-approval' },
      });
      return { kind: 'selfApproval', record };
    }
    const won = await this.transition(
      record,
      decision === 'approve' ? 'inviting' : 'denied',
      { decidedBy: caller.aadObjectId, decidedByName: caller.name, ...(comment ? { options: { ...record.options, decisionComment: comment } } : {}) },
      async (tx) => {
        await tx.audit.append({
          actor: caller.aadObjectId,
          actorName: caller.name,
          action: `invite.${decision}`,
          target: record.email,
          outcome: 'success',
          detail: { invitation: id, requester: record.requesterId, ...(comment ? { comment } : {}) },
        });
        // The work is durable, committed with the decision: a crash after the click still invites, once, and for either
        // decision still updates the cards and tells the requester.
        await this.deps.jobs.schedule(inviteJob(record.id, record.version), tx.db);
      },
    );
    if (!won) return { kind: 'alreadyDecided', record: (await this.get(id)) ?? record };
    // The invite job updates the other cards and tells the requester from here on, so the cards only move forward.
    this.deps.jobs.wake();
    return { kind: 'decided', record: won };
  }

  /**
   * One step of the invite job, for a record moved to `inviting` or `denied`. In order: announce on the approval cards; find
   * the guest or invite them, the answer saved as the checkpoint; add the groups and settle the record with its audit row;
   * then the cards and the requester. A denied invitation gets only the last two. Each step is safe to repeat. `resumed`
   * says an earlier run of this step was interrupted or failed, so its POST /invitations may have gone through: the guest
   * is then looked for long enough to outlast replication.
   */
  async inviteStep(payload: InviteJobPayload, resumed: boolean): Promise<InviteStepOutcome> {
    const record = await this.get(payload.invitationId);
    if (!record) return { status: 'done', payload };
    if (record.state === 'invited' || record.state === 'refused' || record.state === 'failed' || record.state === 'denied') {
      if (payload.notified) return { status: 'done', payload };
      if (!payload.cardsUpdated) {
        await this.updateApprovalCards(record);
        return { status: 'continue', payload: { ...payload, cardsUpdated: true } };
      }
      // Telling the requester is a step of its own: resumed, the first attempt may have been delivered before the process
      // died, and Teams offers no way to ask, so the message is sent again and says it may repeat.
      try {
        // Not told when Teams did not take it (throttled past the notifier's retries, a 5xx): the step runs again.
        await this.deps.notifier.sendToUser(record.requesterId, this.deps.messages.requesterOutcome(record, { repeat: resumed }));
      } catch (error) {
        this.deps.log?.warn({ err: error, invitation: record.id, requester: record.requesterId }, 'could not tell the requester');
        return { status: 'retry', error: `could not tell the requester: ${messageOf(error)}`, payload };
      }
      return { status: 'done', payload: { ...payload, notified: true } };
    }
    if (record.state !== 'inviting') return { status: 'done', payload };
    if (!payload.announced) {
      await this.updateApprovalCards(record);
      return { status: 'continue', payload: { ...payload, announced: true } };
    }
    if (!payload.invited) {
      try {
        return { status: 'continue', payload: { ...payload, invited: await this.findOrInvite(record, resumed) } };
      } catch (error) {
        if (error instanceof InvitationRefusedError) {
          await this.settle(record, { kind: 'refused', refusal: error.refusal });
          return { status: 'continue', payload };
        }
        // Throttled: wait as long as Graph asked, not only the runner's back-off.
        const wait = error instanceof InvitationThrottledError ? error.retryAfterMs : undefined;
        return { status: 'retry', error: messageOf(error), payload, ...(wait !== undefined ? { runAt: new Date(this.now().getTime() + wait) } : {}) };
      }
    }
    const { invited } = payload;
    const groups: GroupOutcome[] = [];
    for (const groupId of record.options.groupIds) {
      try {
        groups.push({ groupId, outcome: await this.deps.directory.addToGroup(groupId, invited.userId) });
      } catch (error) {
        groups.push({ groupId, outcome: 'failed', detail: messageOf(error) });
      }
    }
    await this.settle(record, { kind: 'invited', ...invited, groups });
    return { status: 'continue', payload: { ...payload, groups } };
  }

  /**
   * For the job's onFailed: an invitation the job gave up on ends failed rather than `inviting` for ever, and the cards
   * and the requester say so. The guest may exist: the card says that sending `invite` again finds it instead of a second.
   */
  async giveUp(invitationId: string, reason: string): Promise<void> {
    const record = await this.get(invitationId);
    if (!record) return;
    if (record.state === 'inviting') await this.settle(record, { kind: 'failed', message: reason });
    const settled = await this.get(invitationId);
    if (settled?.state === 'failed') await this.announceOutcome(settled);
  }

  /** The settled invitation on every approval card, and to the requester (the admin themself for their own invitation). */
  private async announceOutcome(record: InvitationRecord): Promise<void> {
    await this.updateApprovalCards(record);
    // The outcome stands even if the requester cannot be told right now; the audit log has it.
    await this.fanout.tellRequester(subjectOf(record, []), this.deps.messages.requesterOutcome(record));
  }

  /**
   * The guest for this invitation: one that exists now (invited meanwhile, or by our own interrupted attempt whose answer
   * was lost) is reused, never invited twice; otherwise POST /invitations. Throws what Graph threw.
   */
  private async findOrInvite(record: InvitationRecord, resumed: boolean): Promise<NonNullable<InviteJobPayload['invited']>> {
    const existing = await this.findGuest(record.email, resumed);
    if (existing) return { userId: existing.id, reusedExisting: true, ...(existing.externalUserState ? { status: existing.externalUserState } : {}) };
    const { options } = record;
    const response = await this.deps.directory.invite({
      email: record.email,
      displayName: options.displayName,
      redirectUrl: options.redirectUrl || this.deps.settings.redirectUrl,
      sendInvitationMessage: options.delivery === 'email',
      // Microsoft drops a custom message when an app sends the invitation, so it is only kept for the person to send.
      language: options.delivery === 'email' ? options.language : undefined,
      cc: options.delivery === 'email' ? options.cc : undefined,
      sponsorIds: [record.requesterId],
    });
    return {
      userId: response.invitedUser.id,
      reusedExisting: false,
      ...(response.inviteRedeemUrl ? { redeemUrl: response.inviteRedeemUrl } : {}),
      ...(response.status ? { status: response.status } : {}),
    };
  }

  /** The guest with this address; after an interrupted attempt, looked for again while a new guest may still be replicating. */
  private async findGuest(email: string, resumed: boolean): Promise<ExistingUser | undefined> {
    const delays = resumed ? (this.deps.resumeLookupDelaysMs ?? DEFAULT_RESUME_LOOKUP_DELAYS_MS) : [];
    for (let attempt = 0; ; attempt += 1) {
      const guest = (await this.deps.directory.findByEmail(email)).find((u) => u.userType === 'Guest');
      const delay = delays[attempt];
      if (guest || delay === undefined) return guest;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** inviting → invited | refused | failed with its audit row, in one transaction; a repeat after a crash changes nothing. */
  private async settle(record: InvitationRecord, result: InvitationResult): Promise<void> {
    const outcome = result.kind === 'invited' ? 'success' : result.kind === 'refused' ? 'refused' : 'failed';
    await this.transition(record, result.kind, { result }, (tx) =>
      tx.audit.append({
        actor: record.decidedBy ?? record.requesterId,
        actorName: record.decidedByName ?? record.requesterName,
        action: 'invite.create',
        target: record.email,
        outcome,
        detail: {
          invitation: record.id,
          requester: record.requesterId,
          ...(result.kind === 'invited' ? { userId: result.userId, reusedExisting: result.reusedExisting, groups: result.groups } : {}),
          ...(result.kind === 'refused' ? { refusal: result.refusal.kind, message: result.refusal.message } : {}),
          ...(result.kind === 'failed' ? { message: result.message } : {}),
        },
      }),
    );
  }

  /** Sends the approval card to each admin's personal chat; returns how many admins it reached. */
  private async requestApproval(record: InvitationRecord): Promise<number> {
    // The request is already stored; if the admin list cannot be read now, the requester is told nobody was reached.
    const adminIds = (
      await this.deps.directory.transitiveUserMemberIds(this.deps.settings.adminGroupId).catch((error: unknown) => {
        this.deps.log?.warn({ err: error, invitation: record.id }, 'could not read the admins to ask for approval');
        return [] as string[];
      })
    ).filter((id) => !sameObjectId(id, record.requesterId));
    const report = await this.fanout.send(subjectOf(record, adminIds), (teamsIds) => this.deps.messages.approval(record, teamsIds));
    await this.deps.store.invitations.setApprovalMessages(record.id, report.sent);
    return report.reached;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private fanoutCheckAt(): Date {
    return new Date(this.now().getTime() + (this.deps.settings.fanoutCheckSeconds ?? DEFAULT_INVITE_FANOUT_CHECK_SECONDS) * 1000);
  }

  /**
   * The fan-out check job's step: a pending invitation whose confirm died before any admin got the card (its fan-out runs
   * after the "working…" answer, in memory) gets its cards now, so nobody must click again.
   */
  async fanoutCheckStep(payload: InviteFanoutCheckPayload): Promise<void> {
    const record = await this.get(payload.invitationId);
    if (!record || record.state !== 'pending' || record.approvalMessages.length > 0) return;
    this.deps.log?.warn({ invitation: record.id }, 'a pending invitation had no approval cards; sending them now');
    await this.requestApproval(record);
  }

  /** Everyone who may see the approval card live: the admins' Teams ids from their stored conversations, at most 60. */
  async teamsIdsOf(userIds: readonly string[]): Promise<string[]> {
    return this.fanout.teamsIdsOf(userIds);
  }

  async approverTeamsIds(): Promise<string[]> {
    return this.teamsIdsOf(await this.deps.directory.transitiveUserMemberIds(this.deps.settings.adminGroupId));
  }

  /** Brings every approval card up to date; where the notifier sent new messages instead, their locations are stored. */
  private async updateApprovalCards(record: InvitationRecord): Promise<void> {
    const messages = (await this.deps.store.invitations.get(record.id))?.approvalMessages ?? record.approvalMessages;
    if (messages.length === 0) return;
    const adminIds = await this.deps.directory.transitiveUserMemberIds(this.deps.settings.adminGroupId).catch((error: unknown) => {
      this.deps.log?.warn({ err: error, invitation: record.id }, 'could not read the admins for the approval cards');
      return [] as string[];
    });
    const message = this.deps.messages.approval(record, await this.teamsIdsOf(adminIds));
    const result = await this.fanout.update(subjectOf(record, adminIds), messages, message);
    if (result.moved) await this.deps.store.invitations.setApprovalMessages(record.id, result.sent);
  }

  /**
   * `resend`: a pending guest gets a fresh invitation (the same user object); an accepted one is reset with resetRedemption,
   * which keeps the object id, groups and app assignments but needs an admin (and User.ReadWrite.All), and a confirmation:
   * without `resetConfirmed` an accepted guest is left as they are, even if they accepted a moment after the caller looked.
   */
  async resend(caller: Caller, input: string, options: { resetConfirmed?: boolean } = {}): Promise<ResendOutcome> {
    const checked = await this.precheck(caller, input, 'invite.resend');
    if (checked.kind === 'clear') return { kind: 'notFound', address: checked.address };
    if (checked.kind !== 'existingGuest') return checked;
    const { address, user } = checked;
    const reset = user.externalUserState === 'Accepted';
    if (reset && !canResetRedemption(caller)) {
      await this.deps.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: 'invite.resend',
        target: address.address,
        outcome: 'refused',
        detail: { reason: 'reset-redemption-needs-admin', userId: user.id },
      });
      return { kind: 'needsAdmin', address, user };
    }
    if (reset && options.resetConfirmed !== true) return { kind: 'needsConfirmation', address, user };
    try {
      const response = await this.deps.directory.invite({
        email: address.address,
        redirectUrl: this.deps.settings.redirectUrl,
        sendInvitationMessage: false,
        sponsorIds: [],
        ...(reset ? { resetRedemptionOf: user.id } : {}),
      });
      await this.deps.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: 'invite.resend',
        target: address.address,
        outcome: 'success',
        detail: { userId: user.id, resetRedemption: reset },
      });
      return { kind: 'resent', address, user, reset, redeemUrl: response.inviteRedeemUrl ?? undefined };
    } catch (error) {
      if (!(error instanceof InvitationRefusedError)) throw error;
      await this.deps.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: 'invite.resend',
        target: address.address,
        outcome: 'refused',
        detail: { userId: user.id, refusal: error.refusal.kind, message: error.refusal.message },
      });
      return { kind: 'refused', address, refusal: error.refusal };
    }
  }

  /** One compare-and-set with its audit row in the same transaction; the record as it now stands, or undefined if lost. */
  private async transition(
    record: InvitationRecord,
    state: InvitationState,
    changes: InvitationChanges,
    audit: (tx: StoreTransaction) => Promise<unknown>,
  ): Promise<InvitationRecord | undefined> {
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.invitations.transition(record, state, changes);
      if (ok) await audit(tx);
      return ok;
    });
    return won ? this.get(record.id) : undefined;
  }
}

const FORM_FIELDS: readonly (keyof TypedInvite)[] = ['displayName', 'delivery', 'message', 'language', 'cc', 'redirectUrl', 'justification'];

/** The form input a schema path belongs to; `groupIds` is typed in the `groups` box. */
function fieldOf(key: PropertyKey | undefined): FieldProblem['field'] {
  if (key === 'groupIds') return 'groups';
  return FORM_FIELDS.find((f) => f === key) ?? 'form';
}

/** Names the invitation in every log line the fan-out writes. */
function subjectOf(record: InvitationRecord, approverObjectIds: readonly string[]) {
  return { logContext: { invitation: record.id }, requesterObjectId: record.requesterId, approverObjectIds };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
