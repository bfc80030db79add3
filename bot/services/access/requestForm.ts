import { randomUUID } from 'node:crypto';
import { DEFAULT_ACCESS_ROLE_ID, type ProxyApp } from '../../graph/appProxy';
import type { Caller } from '../../identity/caller';
import type { AccessRequestRecord, GrantProgress, HeldAssignment, ShadowPlan } from '../../store';
import { matchApp } from '../appMatch';
import { checkPartnerAddress } from '../emailAddress';
import { approversFor, type AccessApprovalCards } from './approvers';
import { DEFAULT_FANOUT_CHECK_SECONDS, requestEscalationJob, requestReminderJob, requestTimeoutJob } from './schedule';
import {
  AccessRequestPart,
  MAX_JUSTIFICATION_LENGTH,
  type AccessRequestContext,
  type FieldProblem,
  type PartnerProblem,
  type PartnerView,
  type RequestForm,
  type RequestPrefill,
  type StartOutcome,
  type SubmitInput,
  type SubmitOutcome,
} from './types';
import { sameObjectId } from '../../identity/objectId';

/** The duration as the card sent it (a number, or text from Input.Number); undefined when blank. */
function typedDays(value: string | number | undefined): number | undefined {
  const raw = typeof value === 'string' ? value.trim() : value;
  return raw === undefined || raw === '' ? undefined : Number(raw);
}

function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code === '23505' || code.startsWith('SQLITE_CONSTRAINT');
}

/**
 * The request form, from the `request` command or a button to the Send: the app by name, the partner by address (a guest
 * here, not the caller), the duration and justification checked, and the request stored pending with its audit row and its
 * time-out job in one transaction before the approval cards go out.
 */
export class AccessRequestForm extends AccessRequestPart {
  constructor(
    ctx: AccessRequestContext,
    private readonly cards: AccessApprovalCards,
  ) {
    super(ctx);
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
    return this.formOutcome(match.app, partner?.partner, prefill, await this.heldNow(match.app.servicePrincipalId, partner?.partner));
  }

  /** The `Request access` button on the apps card, or a pick from the list: the form for one app. */
  async formFor(caller: Caller, servicePrincipalId: string, prefill: RequestPrefill): Promise<StartOutcome> {
    const [app, partner] = await Promise.all([
      this.deps.apps.getApp(servicePrincipalId),
      prefill.email === undefined ? Promise.resolve(undefined) : this.resolvePartner(caller, prefill.email),
    ]);
    if (!app) return { kind: 'appNotFound' };
    if (partner && partner.kind !== 'partner') return partner;
    return this.formOutcome(app, partner?.partner, prefill, await this.heldNow(app.servicePrincipalId, partner?.partner));
  }

  /**
   * What the partner already holds on the app (any role, directly or through a group), for the form and the approvers:
   * approving a role they hold changes nothing. A read that fails only leaves it unsaid; the grant step checks again.
   */
  private async heldNow(servicePrincipalId: string, partner: PartnerView | undefined, appRoleId?: string): Promise<HeldAssignment[] | undefined> {
    if (!partner) return undefined;
    try {
      return await this.deps.appAccess.heldOn(servicePrincipalId, partner.objectId, appRoleId);
    } catch (error) {
      this.deps.log?.warn({ err: error, partner: partner.objectId }, "could not read the partner's app assignments while preparing a request");
      return undefined;
    }
  }

  private formOutcome(app: ProxyApp, partner: PartnerView | undefined, prefill: RequestPrefill, alreadyHeld?: HeldAssignment[]): StartOutcome {
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
        ...(alreadyHeld && alreadyHeld.length > 0 ? { alreadyHeld } : {}),
        kerberosNeedsOnPrem: partner === undefined && app.ssoKind === 'kerberos' && this.deps.appAccess.grantBlocker(app) !== undefined,
      },
    };
  }

  /** Why this partner cannot get this app here; a synced partner's own AD account serves a Kerberos app without on-prem access. */
  private blockerFor(app: ProxyApp, partner: PartnerView | undefined): string | undefined {
    // Unknown settings may hide a Kerberos step: no partner, synced or not, can be granted the app until they are read.
    if (app.publishingUnreadable) return app.publishingUnreadable;
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
    if (sameObjectId(guest.id, caller.aadObjectId)) return { kind: 'self' };
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
  validate(input: Pick<SubmitInput, 'days' | 'justification'>): { ok: true; days: number; justification: string } | { ok: false; problems: FieldProblem[] } {
    const problems: FieldProblem[] = [];
    const { maxDays } = this.deps.settings;
    const days = typedDays(input.days) ?? Number.NaN;
    if (!Number.isInteger(days) || days < 1 || days > maxDays) problems.push({ field: 'days', message: `Duration: give a whole number of days from 1 to ${maxDays}.` });
    const justification = (input.justification ?? '').trim();
    if (justification.length === 0) problems.push({ field: 'justification', message: 'Justification: say why the partner needs this access; approvers decide on it.' });
    else if (justification.length > MAX_JUSTIFICATION_LENGTH) problems.push({ field: 'justification', message: `Justification: at most ${MAX_JUSTIFICATION_LENGTH} characters.` });
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
    if (earlier) {
      if (!sameObjectId(earlier.requesterObjectId, caller.aadObjectId)) return { kind: 'notYours' };
      // The first Send stored the request and stopped (the process died) before any approval card went out, so the click
      // failed for the requester, who clicks again: this Send sends the cards, or the request would wait for its time-out.
      if (earlier.state === 'pending' && earlier.approvalMessages.length === 0) {
        const approvers = await approversFor(this.ctx, earlier.servicePrincipalId, earlier.requesterObjectId, earlier.guestObjectId);
        const fanOut = await this.cards.send(earlier, approvers);
        return { kind: 'requested', record: (await this.repo.get(earlier.id)) ?? earlier, ...fanOut };
      }
      return { kind: 'current', record: earlier };
    }
    const carried = input.partner?.trim() || undefined;
    const typed = input.email?.trim() || undefined;
    const address = carried ?? typed;
    const [app, resolved] = await Promise.all([
      this.deps.apps.getApp(input.servicePrincipalId),
      address === undefined ? Promise.resolve(undefined) : this.resolvePartner(caller, address),
    ]);
    if (!app) return { kind: 'appNotFound' };
    // The partner the form was made for is no longer one: nothing on this form can fix that.
    if (carried && resolved && resolved.kind !== 'partner') return resolved;
    const partner = resolved?.kind === 'partner' ? resolved.partner : undefined;
    const blocker = partner ? this.blockerFor(app, partner) : undefined;
    if (blocker && carried) return { kind: 'blocked', app, reason: blocker };

    const problems: FieldProblem[] = [];
    if (!address) problems.push({ field: 'email', message: "Partner: give the partner's email address." });
    else if (resolved && resolved.kind !== 'partner') problems.push({ field: 'email', partner: resolved });
    else if (blocker) problems.push({ field: 'email', message: blocker });
    const role = this.roleOf(app, input.appRoleId);
    if (!role.ok) problems.push({ field: 'appRoleId', message: role.problem });
    const valid = this.validate(input);
    if (!valid.ok) problems.push(...valid.problems);
    if (problems.length > 0 || !valid.ok || !role.ok || !partner) return { kind: 'invalid', form: this.refusedForm(app, carried ? partner : undefined, input, problems) };

    const live = await this.repo.findFor(partner.objectId, app.servicePrincipalId, ['pending', 'approved', 'granted']);
    const same = live.find((r) => r.appRoleId === role.id.toLowerCase());
    if (same) return { kind: 'duplicate', existing: same };

    const [approvers, realm, shadowPlan, heldAtRequest] = await Promise.all([
      approversFor(this.ctx, app.servicePrincipalId, caller.aadObjectId, partner.objectId),
      this.deps.realm.resolve(partner.mail ?? partner.address).catch(() => undefined),
      this.shadowPlanFor(app, partner),
      this.heldNow(app.servicePrincipalId, partner, role.id),
    ]);
    if (approvers.ids.length === 0) return { kind: 'noApprovers', app };

    const now = this.now();
    const deadline = new Date(now.getTime() + this.deps.settings.requestTimeoutDays * 86_400_000);
    const fanoutCheckAt = new Date(now.getTime() + (this.deps.settings.fanoutCheckSeconds ?? DEFAULT_FANOUT_CHECK_SECONDS) * 1000);
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
          ...this.progressAtRequest(heldAtRequest, app.ssoKind === 'kerberos' ? (this.deps.appAccess.adGroups?.groupsFor(app.servicePrincipalId, role.id) ?? []) : []),
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
        // Committed with the request: if this turn dies before the cards go out, the job sends them.
        await this.deps.jobs.schedule(requestTimeoutJob(created.id, deadline, fanoutCheckAt), tx.db);
        const reminder = requestReminderJob(created.id, created.createdAt, deadline, this.deps.settings.reminderHours);
        if (reminder) await this.deps.jobs.schedule(reminder, tx.db);
        const escalation = requestEscalationJob(created.id, created.createdAt, deadline, this.deps.settings.escalateHours);
        if (escalation) await this.deps.jobs.schedule(escalation, tx.db);
        return created;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Lost a race: the same form submitted twice at once, or another request for this partner, app and role.
      const twin = await this.repo.get(input.formId);
      if (twin) return sameObjectId(twin.requesterObjectId, caller.aadObjectId) ? { kind: 'current', record: twin } : { kind: 'notYours' };
      const other = (await this.repo.findFor(partner.objectId, app.servicePrincipalId, ['pending', 'approved', 'granted'])).find((r) => r.appRoleId === role.id.toLowerCase());
      if (other) return { kind: 'duplicate', existing: other };
      throw error;
    }
    const fanOut = await this.cards.send(record, approvers);
    return { kind: 'requested', record: (await this.repo.get(record.id)) ?? record, ...fanOut };
  }

  /**
   * The backstop for a Send whose turn died after storing the request and before any approval card went out (past the turn
   * budget its fan-out runs in memory): the time-out job's first run sends the cards, so nobody must click again.
   */
  async sendCardsNobodyGot(id: string): Promise<void> {
    const record = await this.repo.get(id);
    if (!record || record.state !== 'pending' || record.approvalMessages.length > 0 || this.now() >= record.approvalDeadline) return;
    const approvers = await approversFor(this.ctx, record.servicePrincipalId, record.requesterObjectId, record.guestObjectId);
    this.deps.log?.warn({ request: record.id }, 'a pending request had no approval cards; sending them now');
    await this.cards.send(record, approvers);
  }

  /** The form as it was sent, so the requester fixes what is marked instead of typing it all again. */
  private refusedForm(app: ProxyApp, partner: PartnerView | undefined, input: SubmitInput, problems: FieldProblem[]): RequestForm {
    const days = typedDays(input.days);
    const role = input.appRoleId?.trim().toLowerCase();
    return {
      formId: input.formId,
      app,
      partner,
      days: days !== undefined && Number.isInteger(days) && days >= 0 && days < 1_000_000 ? days : undefined,
      maxDays: this.deps.settings.maxDays,
      justification: input.justification?.slice(0, MAX_JUSTIFICATION_LENGTH),
      ...(partner ? {} : { email: input.email?.trim().slice(0, 254) }),
      appRoleId: app.roles.find((r) => r.id.toLowerCase() === role)?.id,
      notes: [],
      problems,
      kerberosNeedsOnPrem: partner === undefined && app.ssoKind === 'kerberos' && this.deps.appAccess.grantBlocker(app) !== undefined,
    };
  }

  /** What the approvers are shown before anything is done: the access the partner holds already, the AD groups the grant adds. */
  private progressAtRequest(heldAtRequest: HeldAssignment[] | undefined, groups: string[]): { grantProgress?: GrantProgress } {
    const progress: GrantProgress = {
      ...(heldAtRequest && heldAtRequest.length > 0 ? { heldAtRequest } : {}),
      ...(groups.length > 0 ? { adGroups: { planned: groups } } : {}),
    };
    return Object.keys(progress).length > 0 ? { grantProgress: progress } : {};
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

}
