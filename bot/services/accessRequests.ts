import type { Caller } from '../identity/caller';
import type { AccessRequestRecord } from '../store';
import { groupCn } from './access/adGroups';
import { AccessApprovalCards, approversFor } from './access/approvers';
import { AccessRequestDecisions } from './access/decisions';
import { AccessGrant } from './access/grant';
import {
  AccessGrantLife,
  type ExpiringOutcome,
  type ExtensionFormOutcome,
  type ExtensionInput,
  type ExtensionSubmitOutcome,
  type LetEndOutcome,
  type NoticeStepOutcome,
  type ShortenCheck,
  type ShortenOutcome,
} from './access/grantLife';
import type { UserZoneLike } from './access/endDates';
import { AccessRequestQueries } from './access/queries';
import { AccessRequestForm } from './access/requestForm';
import { AccessRequestEscalation, type EscalationStepOutcome } from './access/escalation';
import { AccessRequestReminders, type ReminderStepOutcome } from './access/reminders';
import { AccessRequestWithdrawal } from './access/withdraw';
import { AccessRequestForwarding, type ForwardInput, type ForwardStepOutcome } from './access/forward';
import type { EscalationPayload, ExpiryNoticePayload, ForwardPayload, GrantJobPayload, ReminderPayload } from './access/schedule';
import type {
  AccessRequestContext,
  AccessRequestDeps,
  AccessRequestSettings,
  Approvers,
  DecisionOutcome,
  ForwardFormOutcome,
  ForwardOutcome,
  GrantStepOutcome,
  PartnerProblem,
  PartnerView,
  RequestPrefill,
  StartOutcome,
  SubmitInput,
  SubmitOutcome,
  ViewOutcome,
  WithdrawOutcome,
} from './access/types';
import { ApprovalFanout } from './approvalFanout';
import type { WhoisResult } from './lookup';

export type { ForwardInput } from './access/forward';
export { ACCESS_FORWARD_JOB_KIND, ForwardPayloadSchema, type ForwardPayload } from './access/schedule';
export { ACCESS_GRANT_JOB_KIND, ACCESS_ESCALATE_JOB_KIND, ACCESS_GRANT_MAX_ATTEMPTS, ACCESS_REMINDER_JOB_KIND, ACCESS_TIMEOUT_JOB_KIND, type GrantJobPayload } from './access/schedule';
export * from './access/types';
export type { ExpiringOutcome, ExtensionForm, ExtensionFormOutcome, ExtensionInput, ExtensionSubmitOutcome, LetEndOutcome, NoticeStepOutcome, ShortenCheck, ShortenOutcome } from './access/grantLife';
export { ACCESS_NOTICE_JOB_KIND, ExpiryNoticePayloadSchema, type ExpiryNoticePayload } from './access/schedule';

/**
 * Requests for a partner's access to an application proxy app: the form (access/requestForm), the approvers and their cards
 * (access/approvers, through the shared ApprovalFanout), one decision by compare-and-set (access/decisions), the grant as
 * a durable job whose every step is safe to repeat (access/grant), and reading requests (access/queries). Every transition
 * is audited in the same transaction as the change it records. This facade is what commands, actions and jobs hold.
 */
export class AccessRequestService {
  private readonly cards: AccessApprovalCards;
  private readonly form: AccessRequestForm;
  private readonly decisions: AccessRequestDecisions;
  private readonly grant: AccessGrant;
  private readonly queries: AccessRequestQueries;
  private readonly withdrawal: AccessRequestWithdrawal;
  private readonly life: AccessGrantLife;
  private readonly reminders: AccessRequestReminders;
  private readonly escalation: AccessRequestEscalation;
  private readonly forwarding: AccessRequestForwarding;
  private readonly ctx: AccessRequestContext;

  constructor(deps: AccessRequestDeps) {
    const fanout =
      deps.fanout ??
      new ApprovalFanout({ notifier: deps.notifier, conversations: deps.store.conversations, approvalsConversationId: deps.settings.approvalsConversationId, log: deps.log });
    this.ctx = { deps, fanout, now: () => deps.now?.() ?? new Date(), repo: deps.store.accessRequests };
    this.cards = new AccessApprovalCards(this.ctx);
    this.form = new AccessRequestForm(this.ctx, this.cards);
    this.decisions = new AccessRequestDecisions(this.ctx);
    this.life = new AccessGrantLife(this.ctx, this.cards);
    this.grant = new AccessGrant(this.ctx, this.cards, this.life);
    this.queries = new AccessRequestQueries(this.ctx);
    this.withdrawal = new AccessRequestWithdrawal(this.ctx, this.cards);
    this.reminders = new AccessRequestReminders(this.ctx);
    this.escalation = new AccessRequestEscalation(this.ctx, this.cards);
    this.forwarding = new AccessRequestForwarding(this.ctx, this.cards);
  }

  get settings(): AccessRequestSettings {
    return this.ctx.deps.settings;
  }

  start(caller: Caller, input: { appQuery?: string; email?: string; days?: number; justification?: string }): Promise<StartOutcome> {
    return this.form.start(caller, input);
  }

  formFor(caller: Caller, servicePrincipalId: string, prefill: RequestPrefill): Promise<StartOutcome> {
    return this.form.formFor(caller, servicePrincipalId, prefill);
  }

  resolvePartner(caller: Caller, input: string): Promise<PartnerProblem | { kind: 'partner'; partner: PartnerView }> {
    return this.form.resolvePartner(caller, input);
  }

  validate(input: Pick<SubmitInput, 'days' | 'justification'>): ReturnType<AccessRequestForm['validate']> {
    return this.form.validate(input);
  }

  submit(caller: Caller, input: SubmitInput): Promise<SubmitOutcome> {
    return this.form.submit(caller, input);
  }

  approversFor(servicePrincipalId: string, requesterId: string, guestId: string): Promise<Approvers> {
    return approversFor(this.ctx, servicePrincipalId, requesterId, guestId);
  }

  /** Teams user ids (29:…) of the approvers who have a chat with the bot, for the card's `refresh`; at most 60. */
  teamsIdsOf(objectIds: readonly string[]): Promise<string[]> {
    return this.ctx.fanout.teamsIdsOf(objectIds);
  }

  updateApprovalCards(record: AccessRequestRecord): Promise<void> {
    return this.cards.update(record);
  }

  approve(caller: Caller, id: string, comment?: string): Promise<DecisionOutcome> {
    return this.decisions.approve(caller, id, comment);
  }

  deny(caller: Caller, id: string, comment?: string): Promise<DecisionOutcome> {
    return this.decisions.deny(caller, id, comment);
  }

  /** Forward to…: the form listing who else may decide the request, for one who may decide it now. */
  forwardForm(caller: Caller, id: string): Promise<ForwardFormOutcome> {
    return this.forwarding.form(caller, id);
  }

  /** Forward to…'s Send: the request handed to another approver, with a comment; audited, and the card goes to them. */
  forward(caller: Caller, id: string, input: ForwardInput): Promise<ForwardOutcome> {
    return this.forwarding.forward(caller, id, input);
  }

  /** The forward job's step: the new approver's card, every card up to date, then the requester told. */
  forwardStep(payload: ForwardPayload): Promise<ForwardStepOutcome> {
    return this.forwarding.forwardStep(payload);
  }

  /** The requester takes back a request nobody has decided yet; the approvers' cards then say so. */
  withdraw(caller: Caller, id: string): Promise<WithdrawOutcome> {
    return this.withdrawal.withdraw(caller, id);
  }

  /** The time-out job's step; its first run, soon after the Send, also sends the approval cards if none went out. */
  async timeoutStep(id: string): Promise<{ status: 'done' } | { status: 'continue'; runAt: Date }> {
    await this.form.sendCardsNobodyGot(id);
    return this.decisions.timeoutStep(id);
  }

  /** The reminder job's step: reminds the approvers who have not answered, then waits for the next reminder or ends. */
  reminderStep(payload: ReminderPayload): Promise<ReminderStepOutcome> {
    return this.reminders.reminderStep(payload);
  }

  /** The escalation job's step: the admins become approvers too, get the card, and the requester is told. */
  escalateStep(payload: EscalationPayload): Promise<EscalationStepOutcome> {
    return this.escalation.escalateStep(payload);
  }

  grantStep(payload: GrantJobPayload, attempt?: number): Promise<GrantStepOutcome> {
    return this.grant.grantStep(payload, attempt);
  }

  fail(record: AccessRequestRecord, reason: string): Promise<void> {
    return this.grant.fail(record, reason);
  }

  giveUp(requestId: string, reason: string): Promise<void> {
    return this.grant.giveUp(requestId, reason);
  }

  /** The notice job's step: the expiry notice now due, to the requester and the partner's sponsors. */
  noticeStep(payload: ExpiryNoticePayload): Promise<NoticeStepOutcome> {
    return this.life.noticeStep(payload);
  }

  /** Extend on a notice or in `expiring`: the form for a new end and a justification. */
  extensionForm(caller: Caller, grantId: string): Promise<ExtensionFormOutcome> {
    return this.life.extensionForm(caller, grantId);
  }

  /** The extension form's Send: a request approved like any other, that moves the grant's end date when approved. */
  submitExtension(caller: Caller, input: ExtensionInput): Promise<ExtensionSubmitOutcome> {
    return this.life.submitExtension(caller, input);
  }

  /** Let it end on a notice: no more notices for this grant. */
  letItEnd(caller: Caller, grantId: string): Promise<LetEndOutcome> {
    return this.life.letItEnd(caller, grantId);
  }

  prepareShorten(caller: Caller, appQuery: string, email: string, when: string, zone?: UserZoneLike): Promise<ShortenCheck> {
    return this.life.prepareShorten(caller, appQuery, email, when, zone);
  }

  checkShorten(caller: Caller, grantId: string, when: string, zone?: UserZoneLike): Promise<ShortenCheck> {
    return this.life.checkShorten(caller, grantId, when, zone);
  }

  /** End a grant earlier, after its confirmation: `from` is the end date the confirmation showed. */
  shorten(caller: Caller, grantId: string, from: Date, endsAt: Date): Promise<ShortenOutcome> {
    return this.life.shorten(caller, grantId, from, endsAt);
  }

  expiring(caller: Caller, days: number): Promise<ExpiringOutcome> {
    return this.life.expiring(caller, days);
  }

  /**
   * whois: the end date of each of the bot's live grants among the apps the summary lists (so an app owner, who sees only
   * their apps, learns nothing of others).
   */
  async withGrantEnds(result: WhoisResult): Promise<WhoisResult> {
    if (result.kind !== 'found' || !result.user.appAccess.available || result.user.appAccess.apps.length === 0) return result;
    const shown = result.user.appAccess.apps;
    const grants = await this.ctx.repo.findGrantsOf(result.user.id);
    const held = this.ctx.deps.appAccess.adGroups ? await this.ctx.deps.appAccess.adGroups.heldFor(result.user.id) : [];
    const grantEnds = grants.flatMap((g) => {
      const roleName = g.appRoleName ?? 'Default access';
      const listed = shown.some((a) => a.appName === g.appDisplayName && a.roleName === roleName && !a.throughGroup);
      // Only the memberships this grant added: one that was there before is not the bot's to show as granted.
      const adGroups = held.filter((r) => r.requestId === g.id && r.state !== 'preExisting').map((r) => groupCn(r.groupDn));
      return listed && g.expiresAt ? [{ appName: g.appDisplayName, roleName, endsAt: g.expiresAt.toISOString(), ...(adGroups.length > 0 ? { adGroups } : {}) }] : [];
    });
    return grantEnds.length > 0 ? { kind: 'found', user: { ...result.user, grantEnds } } : result;
  }

  get(id: string): Promise<AccessRequestRecord | undefined> {
    return this.queries.get(id);
  }

  view(caller: Caller, id: string): Promise<ViewOutcome> {
    return this.queries.view(caller, id);
  }

  mine(caller: Caller): Promise<AccessRequestRecord[]> {
    return this.queries.mine(caller);
  }

  pendingFor(caller: Caller): Promise<AccessRequestRecord[]> {
    return this.queries.pendingFor(caller);
  }
}
