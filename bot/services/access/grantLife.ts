import { randomUUID } from 'node:crypto';
import type { Caller } from '../../identity/caller';
import { canExtendGrant, canListExpiringGrants, canRevoke } from '../../identity/capabilities';
import { sameObjectId } from '../../identity/objectId';
import type { AccessRequestRecord, StoreTransaction } from '../../store';
import { checkPartnerAddress } from '../emailAddress';
import { matchApp } from '../appMatch';
import { unwrapTeamsLinks } from '../userRef';
import { approversFor, type AccessApprovalCards } from './approvers';
import { readEnd, type UserZoneLike } from './endDates';
import {
  accessReminderKey,
  accessTimeoutKey,
  DEFAULT_EXPIRY_NOTICE_DAYS,
  DEFAULT_FANOUT_CHECK_SECONDS,
  expiryNoticeJob,
  followEndDate,
  noticesAhead,
  accessNoticeKey,
  requestReminderJob,
  requestTimeoutJob,
  type ExpiryNoticePayload,
} from './schedule';
import { AccessRequestPart, MAX_JUSTIFICATION_LENGTH, MAX_NOTICED_SPONSORS, SYSTEM_ACTOR, type AccessRequestContext, type SponsorList } from './types';

const DAY_MS = 86_400_000;

/** The grant an Extend, Let it end or End earlier click is about, or why it cannot be acted on. */
type GrantProblem = { kind: 'notFound' } | { kind: 'notLive'; grant: AccessRequestRecord } | { kind: 'notAllowed'; grant: AccessRequestRecord };

/** The extension form: the grant as it stands, and what was typed when a Send was refused. */
export interface ExtensionForm {
  formId: string;
  grant: AccessRequestRecord;
  maxDays: number;
  until?: string;
  justification?: string;
  /** Why the last Send was refused, by input. */
  problems: { field: 'until' | 'justification'; message: string }[];
  /** An open extension of this grant already waiting for approval: Send would be refused as a duplicate. */
  open?: AccessRequestRecord;
}

export type ExtensionFormOutcome = GrantProblem | { kind: 'form'; form: ExtensionForm };

export interface ExtensionInput {
  formId: string;
  grantId: string;
  until?: string;
  justification?: string;
  zone?: UserZoneLike;
}

export type ExtensionSubmitOutcome =
  | GrantProblem
  | { kind: 'invalid'; form: ExtensionForm }
  /** Another extension of this grant is open: no second one. */
  | { kind: 'duplicate'; existing: AccessRequestRecord }
  | { kind: 'noApprovers'; grant: AccessRequestRecord }
  | { kind: 'notYours' }
  /** This form was sent already (a double click): the extension as it stands. */
  | { kind: 'current'; record: AccessRequestRecord }
  | { kind: 'requested'; record: AccessRequestRecord; grant: AccessRequestRecord; reached: number; unreachable: string[]; until?: ReadEnd };

export type LetEndOutcome = GrantProblem | { kind: 'recorded'; grant: AccessRequestRecord } | { kind: 'already'; grant: AccessRequestRecord };

export type ShortenCheck =
  | GrantProblem
  | { kind: 'invalidEmail'; input: string; problem: string }
  | { kind: 'appNotFound'; query: string }
  | { kind: 'noGrant'; app: string; email: string }
  | { kind: 'severalGrants'; grants: AccessRequestRecord[] }
  /** The date could not be read as one end: asked again, never guessed. */
  | { kind: 'badDate'; grant: AccessRequestRecord; problem: string; choices: string[] }
  | ({ kind: 'notEarlier'; grant: AccessRequestRecord } & ReadEnd)
  | ({ kind: 'confirm'; grant: AccessRequestRecord; openExtensions: AccessRequestRecord[] } & ReadEnd);

/** A typed end as understood, with the zone it was read in (and why UTC, when Teams said none), to show it back. */
export interface ReadEnd {
  endsAt: Date;
  label: string;
  /** The last day with access, YYYY-MM-DD, in the person's zone. */
  lastDay: string;
  timeZone: string;
  fallback?: string;
}

export type ShortenOutcome =
  | Exclude<ShortenCheck, { kind: 'confirm' }>
  /** The end date moved since the confirmation was shown (extended, shortened, ended): nothing was changed. */
  | { kind: 'changed'; grant: AccessRequestRecord }
  | { kind: 'shortened'; grant: AccessRequestRecord; from: Date; withdrawnExtensions: AccessRequestRecord[] };

export type ExpiringOutcome = { kind: 'notAllowed' } | { kind: 'list'; days: number; grants: AccessRequestRecord[]; openExtensions: Map<string, AccessRequestRecord> };

export type NoticeStepOutcome = { status: 'done'; note?: string } | { status: 'continue'; payload: ExpiryNoticePayload; runAt?: Date; note?: string } | { status: 'retry'; error: string; payload: ExpiryNoticePayload };

/** The most grants `expiring` lists. */
export const EXPIRING_LIMIT = 50;

/**
 * A grant's life between granted and its end (issue 11): the expiry notices (a durable job per grant), Extend (a new
 * request for the same app and role, approved like any other, that moves the grant's end date when approved), Let it end,
 * End earlier (an admin or the app's owner), and `expiring`. Every move of an end date is one compare-and-set on the date
 * it was read with, committed with its audit row and the moved expiry and notice jobs, so an extension, a shortening and
 * the expiry racing on one grant end in one consistent state.
 */
export class AccessGrantLife extends AccessRequestPart {
  constructor(
    ctx: AccessRequestContext,
    private readonly cards: AccessApprovalCards,
  ) {
    super(ctx);
  }

  private get noticeDays(): readonly number[] {
    return this.deps.settings.expiryNoticeDays ?? DEFAULT_EXPIRY_NOTICE_DAYS;
  }

  /** For the grant step's transaction: the notice job of a grant that ends at `endsAt`, set at `armedAt`. */
  async scheduleNotices(tx: StoreTransaction, requestId: string, endsAt: Date, armedAt: Date): Promise<void> {
    const job = expiryNoticeJob(requestId, endsAt, armedAt, this.noticeDays);
    if (job) await this.deps.jobs.schedule(job, tx.db);
  }

  /**
   * The partner's sponsors as people: the user sponsors, then the users in each group sponsor (transitive members), de-
   * duplicated, in that order. A group that cannot be read is logged and skipped; the user sponsors still count.
   */
  private async sponsorsOf(guestObjectId: string): Promise<string[]> {
    const directory = this.deps.sponsors;
    if (!directory) return [];
    let list: SponsorList;
    try {
      list = directory.sponsorListOf ? await directory.sponsorListOf(guestObjectId) : { users: await directory.sponsorsOf(guestObjectId), groups: [] };
    } catch (error) {
      this.deps.log?.warn({ err: error, partner: guestObjectId }, "could not read the partner's sponsors");
      return [];
    }
    const people = new Set(list.users.map((id) => id.toLowerCase()));
    for (const group of new Set(list.groups.map((id) => id.toLowerCase()))) {
      try {
        for (const id of await this.deps.directory.transitiveUserMemberIds(group)) people.add(id.toLowerCase());
      } catch (error) {
        this.deps.log?.warn({ err: error, partner: guestObjectId, group }, "could not read the members of the partner's group sponsor; its members are not told");
      }
    }
    return [...people];
  }

  /** The live grant `grantId` and whether the caller may extend it or let it end. Sponsors are asked of Graph only when needed. */
  private async liveGrantFor(caller: Caller, grantId: string): Promise<GrantProblem | { kind: 'ok'; grant: AccessRequestRecord }> {
    const grant = await this.repo.get(grantId);
    if (!grant || grant.extendsRequestId) return { kind: 'notFound' };
    if (grant.state !== 'granted' || !grant.expiresAt) return { kind: 'notLive', grant };
    if (canExtendGrant(caller, grant)) return { kind: 'ok', grant };
    const sponsors = sameObjectId(caller.aadObjectId, grant.guestObjectId) ? [] : await this.sponsorsOf(grant.guestObjectId);
    return canExtendGrant(caller, grant, sponsors) ? { kind: 'ok', grant } : { kind: 'notAllowed', grant };
  }

  /**
   * One step of a grant's notice job: sends the notice now due (the most urgent one, when the bot was down past several)
   * to the requester and the partner's sponsors, then waits for the next. Stops when the grant is no longer live or someone
   * chose Let it end; starts over when the end date moved. Each person is told once per notice, even if the step repeats.
   */
  async noticeStep(payload: ExpiryNoticePayload): Promise<NoticeStepOutcome> {
    const record = await this.repo.get(payload.requestId);
    if (!record || record.state !== 'granted' || !record.expiresAt) return { status: 'done', note: `no notice: the grant is ${record?.state ?? 'gone'}` };
    if (record.letEndAt) return { status: 'done', note: 'no notice: someone chose Let it end' };
    const now = this.now();
    let current = payload;
    if (payload.endsAt !== record.expiresAt.toISOString()) {
      // The end date moved and this job was not moved with it (it was running then): the notices start over for the new date.
      current = { requestId: record.id, endsAt: record.expiresAt.toISOString(), armedAt: now.toISOString(), sent: [], told: [] };
    }
    const ahead = noticesAhead(current, this.noticeDays);
    const due = ahead.filter((n) => n.at.getTime() <= now.getTime());
    if (due.length === 0) {
      const next = ahead[0];
      return next ? { status: 'continue', payload: current, runAt: next.at, note: 'not due yet' } : { status: 'done', note: 'no notice ahead' };
    }
    // The most urgent of the notices due: after an outage, the day-before notice rather than a stale week-before one.
    const notice = due.reduce((a, b) => (b.days < a.days ? b : a));
    const messages = this.deps.lifeMessages;
    if (!messages) {
      this.deps.log?.warn({ request: record.id }, 'no expiry notice messages are wired; the notice is not sent');
      return { status: 'done', note: 'no notice messages' };
    }
    const everySponsor = (await this.sponsorsOf(record.guestObjectId)).filter((id) => !sameObjectId(id, record.guestObjectId) && !sameObjectId(id, record.requesterObjectId));
    const sponsors = everySponsor.slice(0, MAX_NOTICED_SPONSORS);
    const sponsorsNotTold = everySponsor.length - sponsors.length;
    if (sponsorsNotTold > 0) {
      this.deps.log?.warn({ request: record.id, sponsors: everySponsor.length, limit: MAX_NOTICED_SPONSORS }, `the partner has more than ${MAX_NOTICED_SPONSORS} sponsors (group sponsors expanded): only the first ${MAX_NOTICED_SPONSORS} get the expiry notice`);
    }
    const capped = sponsorsNotTold > 0 ? { sponsorsNotTold } : {};
    const readers = [{ id: record.requesterObjectId.toLowerCase(), reader: 'requester' as const }, ...sponsors.map((id) => ({ id, reader: 'sponsor' as const }))];
    const told = [...current.told];
    const unreachable: string[] = [];
    for (const person of readers) {
      if (told.includes(person.id)) continue;
      try {
        const sent = await this.deps.notifier.sendToUser(person.id, messages.expiryNotice(record, { days: notice.days, reader: person.reader, ...capped }));
        if (!sent) unreachable.push(person.id);
        told.push(person.id);
      } catch (error) {
        // Teams did not take it: the step runs again and tells only those not yet told.
        return { status: 'retry', error: `could not send the expiry notice: ${error instanceof Error ? error.message : String(error)}`, payload: { ...current, told } };
      }
    }
    await this.deps.store.audit.append({
      actor: SYSTEM_ACTOR,
      action: 'access.expiryNotice',
      target: record.guestUpn,
      outcome: 'success',
      detail: { request: record.id, app: record.servicePrincipalId, appName: record.appDisplayName, endsAt: record.expiresAt.toISOString(), daysBefore: notice.days, told: told.filter((id) => !unreachable.includes(id)), unreachable, ...(sponsorsNotTold > 0 ? { sponsorsNotTold, sponsorLimit: MAX_NOTICED_SPONSORS } : {}) },
    });
    const sent = [...current.sent, ...due.map((n) => n.days)];
    const after: ExpiryNoticePayload = { ...current, sent, told: [] };
    const next = noticesAhead(after, this.noticeDays)[0];
    return next ? { status: 'continue', payload: after, runAt: next.at } : { status: 'done' };
  }

  /** Extend on a notice or in `expiring`: the form asking how long and why, for a live grant the caller may extend. */
  async extensionForm(caller: Caller, grantId: string): Promise<ExtensionFormOutcome> {
    const found = await this.liveGrantFor(caller, grantId);
    if (found.kind !== 'ok') return found;
    const open = (await this.repo.findExtensionsOf(grantId, ['pending', 'approved']))[0];
    return { kind: 'form', form: { formId: randomUUID(), grant: found.grant, maxDays: this.deps.settings.maxDays, problems: [], ...(open ? { open } : {}) } };
  }

  /**
   * The extension form's Send: the new end read strictly (ambiguous, past or too far is asked again), a justification
   * required, the approvers as for any request of this app. Stored pending with its audit row and time-out job in one
   * transaction; then the approval cards go out. The form id is the extension's id, so a double click submits once, and
   * a grant has at most one open extension (a unique index), so two people extending at once make one.
   */
  async submitExtension(caller: Caller, input: ExtensionInput): Promise<ExtensionSubmitOutcome> {
    const earlier = await this.repo.get(input.formId);
    if (earlier) return this.twinOf(caller, earlier);
    const found = await this.liveGrantFor(caller, input.grantId);
    if (found.kind !== 'ok') return found;
    const { grant } = found;
    const from = grant.expiresAt as Date;
    const now = this.now();
    const problems: ExtensionForm['problems'] = [];
    const { maxDays } = this.deps.settings;
    let extraDays = 0;
    let until: Date | undefined;
    let understood: ReadEnd | undefined;
    const typed = input.until?.trim() ?? '';
    if (typed === '') problems.push({ field: 'until', message: 'New end: say until when, like "until 2027-01-31" or "for 2 weeks".' });
    else {
      const read = readEnd(typed, { now, maxDays, zone: input.zone });
      if (!read.ok) problems.push({ field: 'until', message: read.problem });
      else if (read.endsAt.getTime() <= from.getTime()) problems.push({ field: 'until', message: `New end: ${read.label} is not later than the current end (${from.toISOString().slice(0, 10)}). To end it earlier, use End earlier.` });
      else {
        until = read.endsAt;
        const { ok: _ok, ...end } = read;
        understood = end;
        extraDays = Math.ceil((read.endsAt.getTime() - from.getTime()) / DAY_MS);
      }
    }
    const justification = (input.justification ?? '').trim();
    if (justification === '') problems.push({ field: 'justification', message: 'Justification: say why the partner needs the access longer; approvers decide on it.' });
    else if (justification.length > MAX_JUSTIFICATION_LENGTH) problems.push({ field: 'justification', message: `Justification: at most ${MAX_JUSTIFICATION_LENGTH} characters.` });
    if (problems.length > 0 || !until) {
      return { kind: 'invalid', form: { formId: input.formId, grant, maxDays, problems, until: typed.slice(0, 200), justification: justification.slice(0, MAX_JUSTIFICATION_LENGTH) } };
    }
    const open = (await this.repo.findExtensionsOf(grant.id, ['pending', 'approved']))[0];
    // This very form, sent by a twin click that committed a moment ago, is not a duplicate of itself.
    if (open) return open.id === input.formId ? this.twinOf(caller, open) : { kind: 'duplicate', existing: open };
    const approvers = await approversFor(this.ctx, grant.servicePrincipalId, caller.aadObjectId, grant.guestObjectId);
    if (approvers.ids.length === 0) return { kind: 'noApprovers', grant };
    const deadline = new Date(now.getTime() + this.deps.settings.requestTimeoutDays * DAY_MS);
    const fanoutCheckAt = new Date(now.getTime() + (this.deps.settings.fanoutCheckSeconds ?? DEFAULT_FANOUT_CHECK_SECONDS) * 1000);
    let record: AccessRequestRecord;
    try {
      record = await this.deps.store.transaction(async (tx) => {
        const created = await tx.accessRequests.create({
          id: input.formId,
          requesterObjectId: caller.aadObjectId,
          requesterName: caller.name,
          guestObjectId: grant.guestObjectId,
          guestUpn: grant.guestUpn,
          guestDisplayName: grant.guestDisplayName,
          guestMail: grant.guestMail,
          guestUserType: grant.guestUserType,
          guestExternalState: grant.guestExternalState,
          guestRealm: grant.guestRealm,
          guestOnPremSynced: grant.guestOnPremSynced,
          servicePrincipalId: grant.servicePrincipalId,
          appId: grant.appId,
          appDisplayName: grant.appDisplayName,
          appRoleId: grant.appRoleId,
          appRoleName: grant.appRoleName,
          ssoKind: grant.ssoKind,
          // The grant's shadow account and assignment stay as they are: an extension changes nothing in AD or Entra.
          shadowPlan: grant.shadowPlan,
          durationDays: extraDays,
          justification,
          approverSource: approvers.source,
          approverObjectIds: approvers.ids,
          approvalDeadline: deadline,
          extendsRequestId: grant.id,
          extendsFrom: from,
          expiresAt: until,
        });
        await tx.audit.append({
          actor: caller.aadObjectId,
          actorName: caller.name,
          action: 'access.extend',
          target: grant.guestUpn,
          outcome: 'requested',
          detail: { request: created.id, extends: grant.id, app: grant.servicePrincipalId, appName: grant.appDisplayName, role: grant.appRoleId, from: from.toISOString(), until: until.toISOString(), days: extraDays, approverSource: approvers.source, approvers: approvers.ids },
        });
        await this.deps.jobs.schedule(requestTimeoutJob(created.id, deadline, fanoutCheckAt), tx.db);
        // Approved like any other request: its approvers are reminded (and escalated past) the same way.
        const reminder = requestReminderJob(created.id, created.createdAt, deadline, this.deps.settings.reminderHours);
        if (reminder) await this.deps.jobs.schedule(reminder, tx.db);
        return created;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const twin = await this.repo.get(input.formId);
      if (twin) return this.twinOf(caller, twin);
      const other = (await this.repo.findExtensionsOf(grant.id, ['pending', 'approved']))[0];
      if (other) return { kind: 'duplicate', existing: other };
      throw error;
    }
    const fanOut = await this.cards.send(record, approvers);
    return { kind: 'requested', record: (await this.repo.get(record.id)) ?? record, grant, reached: fanOut.reached, unreachable: fanOut.unreachable, ...(understood ? { until: understood } : {}) };
  }

  /** The extension this form already made: the caller's own as it stands, or someone else's form. */
  private twinOf(caller: Caller, record: AccessRequestRecord): ExtensionSubmitOutcome {
    return sameObjectId(record.requesterObjectId, caller.aadObjectId) ? { kind: 'current', record } : { kind: 'notYours' };
  }

  /**
   * The grant step of an approved extension: moves the grant's end from the date the extension was asked against to the
   * end it asked for, with the moved expiry and notice jobs and the audit row, in one transaction; no Graph or AD call. When
   * the grant ended or its end date changed first (expired, revoked, shortened), the extension fails with the reason and
   * nothing moves. Safe to repeat: a second run finds the extension no longer approved.
   */
  async applyExtension(extension: AccessRequestRecord): Promise<void> {
    const grantId = extension.extendsRequestId;
    const from = extension.extendsFrom;
    if (!grantId || !from) return;
    const until = extension.expiresAt ?? new Date(from.getTime() + extension.durationDays * DAY_MS);
    const now = this.now();
    await this.deps.store.transaction(async (tx) => {
      const moved = await tx.accessRequests.moveGrantEnd(grantId, from, until);
      if (moved) {
        const ok = await tx.accessRequests.transition(extension, 'extended', { granted_at: now.toISOString(), expires_at: until.toISOString(), grant_error: null });
        if (!ok) throw new ExtensionRaced();
        await tx.audit.append({
          actor: extension.decidedBy ?? SYSTEM_ACTOR,
          actorName: extension.decidedByName,
          action: 'access.extend',
          target: extension.guestUpn,
          outcome: 'success',
          detail: { request: extension.id, extends: grantId, app: extension.servicePrincipalId, appName: extension.appDisplayName, from: from.toISOString(), until: until.toISOString(), requester: extension.requesterObjectId },
        });
        await followEndDate(this.deps.jobs, grantId, until, now, this.noticeDays, tx.db);
        return;
      }
      const grant = await tx.accessRequests.get(grantId);
      const reason =
        !grant || grant.state !== 'granted'
          ? `The grant ended (${grant?.state ?? 'removed'}) before the extension could be applied; nothing was extended. Request the access again if it is still needed.`
          : `The grant's end date changed to ${grant.expiresAt?.toISOString().slice(0, 16).replace('T', ' ') ?? 'another date'} UTC after this extension was asked; nothing was extended. Ask again from the grant's notice or expiring.`;
      const ok = await tx.accessRequests.transition(extension, 'failed', { grant_error: reason });
      if (!ok) throw new ExtensionRaced();
      await tx.audit.append({
        actor: extension.decidedBy ?? SYSTEM_ACTOR,
        actorName: extension.decidedByName,
        action: 'access.extend',
        target: extension.guestUpn,
        outcome: 'failed',
        detail: { request: extension.id, extends: grantId, app: extension.servicePrincipalId, reason },
      });
    }).catch((error: unknown) => {
      // Another run of this step moved the extension first: it did the work (or recorded why not), inside its transaction.
      if (!(error instanceof ExtensionRaced)) throw error;
    });
    this.deps.jobs.wake();
  }

  /** Let it end on a notice: recorded once, audited, and the grant's notice job cancelled. */
  async letItEnd(caller: Caller, grantId: string): Promise<LetEndOutcome> {
    const found = await this.liveGrantFor(caller, grantId);
    if (found.kind !== 'ok') return found;
    const { grant } = found;
    if (grant.letEndAt) return { kind: 'already', grant };
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.letGrantEnd(grant.id, caller.aadObjectId, this.now());
      if (ok) {
        await tx.audit.append({
          actor: caller.aadObjectId,
          actorName: caller.name,
          action: 'access.letEnd',
          target: grant.guestUpn,
          outcome: 'success',
          detail: { request: grant.id, app: grant.servicePrincipalId, appName: grant.appDisplayName, endsAt: grant.expiresAt?.toISOString() },
        });
      }
      return ok;
    });
    const now = (await this.repo.get(grant.id)) ?? grant;
    if (!won) return now.state === 'granted' ? { kind: 'already', grant: now } : { kind: 'notLive', grant: now };
    await this.deps.jobs.cancel(accessNoticeKey(grant.id));
    return { kind: 'recorded', grant: now };
  }

  /** `shorten <app> for <email> until <date>`: finds the partner's live grant of the app, then checks as `checkShorten`. */
  async prepareShorten(caller: Caller, appQuery: string, emailInput: string, when: string, zone?: UserZoneLike): Promise<ShortenCheck> {
    const address = checkPartnerAddress(unwrapTeamsLinks(emailInput));
    if (!address.ok) return { kind: 'invalidEmail', input: emailInput, problem: address.problem };
    const match = matchApp(await this.deps.apps.listApps(), appQuery);
    if (match.kind !== 'one') return { kind: 'appNotFound', query: appQuery };
    const guests = (await this.deps.directory.findByEmail(address.value.address)).filter((u) => u.userType === 'Guest');
    const grants = (await Promise.all(guests.map((g) => this.repo.findActiveGrants(g.id, match.app.servicePrincipalId)))).flat();
    if (grants.length === 0) return { kind: 'noGrant', app: match.app.displayName, email: address.value.display };
    if (grants.length > 1) return { kind: 'severalGrants', grants };
    return this.checkShorten(caller, (grants[0] as AccessRequestRecord).id, when, zone);
  }

  /**
   * What ending a grant earlier would do: an admin or the app's owner (Graph's list now), a live grant, and a new end read
   * strictly that is after now and before the current end. Reads only; the confirmation shows the answer.
   */
  async checkShorten(caller: Caller, grantId: string, when: string, zone?: UserZoneLike): Promise<ShortenCheck> {
    const grant = await this.repo.get(grantId);
    if (!grant || grant.extendsRequestId) return { kind: 'notFound' };
    if (grant.state !== 'granted' || !grant.expiresAt) return { kind: 'notLive', grant };
    const owners = canRevoke(caller) ? [] : (await this.deps.apps.listOwners(grant.servicePrincipalId)).map((o) => o.id);
    if (!canRevoke(caller, owners)) return { kind: 'notAllowed', grant };
    const now = this.now();
    // Read within the longest grant (or the current end, if later), so a date past the end is named as such, not as too far.
    const maxDays = Math.max(this.deps.settings.maxDays, Math.ceil((grant.expiresAt.getTime() - now.getTime()) / DAY_MS) + 1);
    const read = readEnd(when, { now, maxDays, zone });
    if (!read.ok) return { kind: 'badDate', grant, problem: read.problem, choices: read.choices };
    const { ok: _ok, ...end } = read;
    if (read.endsAt.getTime() >= grant.expiresAt.getTime()) return { kind: 'notEarlier', grant, ...end };
    const openExtensions = await this.repo.findExtensionsOf(grant.id, ['pending']);
    return { kind: 'confirm', grant, ...end, openExtensions };
  }

  /**
   * After the confirmation: moves the end from the date shown to the date confirmed (compare-and-set on both, so a grant
   * extended or shortened since changes nothing), withdraws the grant's pending extensions (they were asked against the
   * old end), moves its expiry and notice jobs and writes the audit row, in one transaction.
   */
  async shorten(caller: Caller, grantId: string, from: Date, endsAt: Date): Promise<ShortenOutcome> {
    const grant = await this.repo.get(grantId);
    if (!grant || grant.extendsRequestId) return { kind: 'notFound' };
    if (grant.state !== 'granted' || !grant.expiresAt) return { kind: 'notLive', grant };
    const owners = canRevoke(caller) ? [] : (await this.deps.apps.listOwners(grant.servicePrincipalId)).map((o) => o.id);
    if (!canRevoke(caller, owners)) return { kind: 'notAllowed', grant };
    const now = this.now();
    if (endsAt.getTime() <= now.getTime()) return { kind: 'badDate', grant, problem: 'That end has passed meanwhile; choose a later one, or revoke the access to end it now.', choices: [] };
    const open = await this.repo.findExtensionsOf(grant.id, ['pending']);
    const result = await this.deps.store.transaction(async (tx) => {
      if (!(await tx.accessRequests.moveGrantEnd(grant.id, from, endsAt))) return undefined;
      const withdrawn: AccessRequestRecord[] = [];
      for (const extension of open) {
        const ok = await tx.accessRequests.transition(extension, 'withdrawn', {
          ended_by: caller.aadObjectId.toLowerCase(),
          ended_at: now.toISOString(),
          decision_comment: `The grant was shortened to end ${endsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by ${caller.name}; this extension was asked against the old end.`,
        });
        if (ok) withdrawn.push(extension);
      }
      await tx.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: 'access.shorten',
        target: grant.guestUpn,
        outcome: 'success',
        detail: { request: grant.id, app: grant.servicePrincipalId, appName: grant.appDisplayName, from: from.toISOString(), until: endsAt.toISOString(), withdrawnExtensions: withdrawn.map((w) => w.id) },
      });
      await followEndDate(this.deps.jobs, grant.id, endsAt, now, this.noticeDays, tx.db);
      return withdrawn;
    });
    const current = (await this.repo.get(grant.id)) ?? grant;
    if (!result) return { kind: 'changed', grant: current };
    this.deps.jobs.wake();
    for (const extension of result) {
      const settled = await this.repo.get(extension.id);
      if (settled) await this.cards.update(settled).catch((error: unknown) => this.deps.log?.warn({ err: error, request: settled.id }, 'could not update a withdrawn extension card'));
      await this.deps.jobs.cancel(accessTimeoutKey(extension.id));
      await this.deps.jobs.cancel(accessReminderKey(extension.id));
    }
    const withdrawnRecords = (await Promise.all(result.map((r) => this.repo.get(r.id)))).filter((r): r is AccessRequestRecord => r !== undefined);
    return { kind: 'shortened', grant: current, from, withdrawnExtensions: withdrawnRecords };
  }

  /** `expiring [days]`: the live grants ending within `days`, soonest first, with their open extensions. */
  async expiring(caller: Caller, days: number): Promise<ExpiringOutcome> {
    if (!canListExpiringGrants(caller)) return { kind: 'notAllowed' };
    const grants = await this.repo.listGrantsEndingBy(new Date(this.now().getTime() + days * DAY_MS), EXPIRING_LIMIT);
    const openExtensions = new Map<string, AccessRequestRecord>();
    for (const grant of grants) {
      const open = (await this.repo.findExtensionsOf(grant.id, ['pending', 'approved']))[0];
      if (open) openExtensions.set(grant.id, open);
    }
    return { kind: 'list', days, grants, openExtensions };
  }
}

/** Thrown inside an extension's transaction when another run of its step moved it first: rolls back this run's writes. */
class ExtensionRaced extends Error {}

function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return code === '23505' || code.startsWith('SQLITE_CONSTRAINT');
}
