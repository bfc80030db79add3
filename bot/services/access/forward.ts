import type { Caller } from '../../identity/caller';
import { canDecideAccess, canForwardAccess, type AccessForwardRight } from '../../identity/capabilities';
import { sameObjectId } from '../../identity/objectId';
import type { AccessRequestRecord, ForwardEntry } from '../../store';
import { parseUserRef } from '../userRef';
import type { AccessApprovalCards } from './approvers';
import { decidersFor } from './approvers';
import { accessForwardJob, type ForwardPayload } from './schedule';
import {
  AccessRequestPart,
  MAX_JUSTIFICATION_LENGTH,
  type AccessRequestContext,
  type Approvers,
  type ForwardForm,
  type ForwardFormOutcome,
  type ForwardOutcome,
  type PersonMatch,
} from './types';

/** The form lists at most this many people; more are found by typing a name. */
export const MAX_FORWARD_CHOICES = 15;

export interface ForwardInput {
  /** The person picked from the list: an object id the form offered (card data, so checked again like anything typed). */
  to?: string;
  /** A name or email typed instead, looked up like whois does. */
  person?: string;
  comment?: string;
}

export type ForwardStepOutcome = { status: 'done' } | { status: 'continue'; payload: ForwardPayload };

/**
 * Forward to…: an approver hands a pending request to another person who may decide it, with a comment. The request stays
 * the same one, decided once: the hand-over is a compare-and-set on the pending request (its version) that adds the new
 * approver to its approvers and the forward to its list, with its audit row and the job that sends the card, in one
 * transaction. A decision racing it either wins (the forward then finds it decided) or loses and decides again on the new
 * version, as it does when the escalation moves the request.
 */
export class AccessRequestForwarding extends AccessRequestPart {
  constructor(
    ctx: AccessRequestContext,
    private readonly cards: AccessApprovalCards,
  ) {
    super(ctx);
  }

  /** The Forward to… form: only for someone who may decide the request now, while it is pending. */
  async form(caller: Caller, id: string): Promise<ForwardFormOutcome> {
    const checked = await this.checkCaller(caller, id);
    if (checked.kind !== 'ok') return checked;
    return { kind: 'form', form: await this.formFor(caller, checked.record, checked.live) };
  }

  async forward(caller: Caller, id: string, input: ForwardInput, attempt = 0): Promise<ForwardOutcome> {
    const checked = await this.checkCaller(caller, id);
    if (checked.kind !== 'ok') return checked;
    const { record, live } = checked;
    const again = async (problem: string, choices?: { id: string; name: string }[]): Promise<ForwardOutcome> => {
      const form = await this.formFor(caller, record, live);
      return { kind: 'invalid', form: { ...form, ...(choices ? { choices } : {}), problem, person: input.person?.slice(0, 320), comment: input.comment?.slice(0, MAX_JUSTIFICATION_LENGTH) } };
    };

    const target = await this.targetOf(input, live);
    if (target.kind === 'problem') return again(target.problem, target.choices);
    const comment = input.comment?.trim() ?? '';
    if (comment === '') return again(`Say in the comment why you hand it to ${target.person.displayName}: they decide on it.`);
    if (comment.length > MAX_JUSTIFICATION_LENGTH) return again(`The comment has at most ${MAX_JUSTIFICATION_LENGTH} characters; shorten it.`);

    const right = canForwardAccess(caller, record, live, target.person.id);
    if (!right.allowed) {
      await this.refused(caller, record, right.reason, target.person.id);
      return again(this.refusalWords(right, record, target.person.displayName, live.source));
    }

    const me = caller.aadObjectId.toLowerCase();
    const to = target.person.id.toLowerCase();
    const entry: ForwardEntry = { by: me, byName: caller.name, to, toName: target.person.displayName, comment, at: this.now().toISOString() };
    const forwards = [...(record.forwards ?? []), entry];
    const approvers = record.approverObjectIds.some((a) => sameObjectId(a, to)) ? record.approverObjectIds : [...record.approverObjectIds, to];
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.accessRequests.transition(record, 'pending', { approver_object_ids: JSON.stringify(approvers), forwards: JSON.stringify(forwards) });
      if (!ok) return false;
      await tx.audit.append({
        actor: me,
        actorName: caller.name,
        action: 'access.forward',
        target: record.guestUpn,
        outcome: 'success',
        detail: { request: record.id, app: record.servicePrincipalId, requester: record.requesterObjectId, to, toName: entry.toName, comment },
      });
      await this.deps.jobs.schedule(accessForwardJob(record.id, forwards.length - 1), tx.db);
      return true;
    });
    if (!won) {
      const now = await this.repo.get(id);
      // Lost to a change that settled nothing (an escalation, another forward): look again on the new version.
      if (now?.state === 'pending' && attempt < 2) return this.forward(caller, id, input, attempt + 1);
      return now ? { kind: 'current', record: now } : { kind: 'notFound' };
    }
    this.deps.jobs.wake();
    return { kind: 'forwarded', record: (await this.repo.get(id)) ?? record, forward: entry };
  }

  /**
   * The forward job's step: the new approver's card, then every card brought up to date (they list the forward), then the
   * requester told. A request decided meanwhile gets no new card: there is nothing left to decide, and its own job has
   * updated the cards and told the requester.
   */
  async forwardStep(payload: ForwardPayload): Promise<ForwardStepOutcome> {
    const record = await this.repo.get(payload.requestId);
    const entry = record?.forwards?.[payload.index];
    if (!record || !entry || record.state !== 'pending') return { status: 'done' };
    if (!payload.cardSent) {
      await this.cards.sendTo(record, [entry.to]);
      const now = (await this.repo.get(record.id)) ?? record;
      await this.cards.update(now);
      return { status: 'continue', payload: { ...payload, cardSent: true } };
    }
    await this.deps.notifier.sendToUser(record.requesterObjectId, this.deps.messages.forwarded(record, entry));
    return { status: 'done' };
  }

  private async checkCaller(
    caller: Caller,
    id: string,
  ): Promise<Exclude<ForwardFormOutcome, { kind: 'form' }> | { kind: 'ok'; record: AccessRequestRecord; live: Approvers }> {
    const record = await this.repo.get(id);
    if (!record) return { kind: 'notFound' };
    if (record.state !== 'pending' || this.now() >= record.approvalDeadline) return { kind: 'current', record };
    const live = await decidersFor(this.ctx, record);
    if (!canDecideAccess(caller, record, live).allowed) {
      await this.refused(caller, record, 'caller-not-an-approver');
      return { kind: 'notApprover', record, approverSource: live.source };
    }
    return { kind: 'ok', record, live };
  }

  /** The people who may decide besides the caller, the requester and the partner, named (Graph names owners; admins are looked up). */
  private async formFor(caller: Caller, record: AccessRequestRecord, live: Approvers): Promise<ForwardForm> {
    const ids = live.ids.filter((id) => canForwardAccess(caller, record, live, id).allowed).slice(0, MAX_FORWARD_CHOICES);
    const choices = await Promise.all(ids.map(async (id) => ({ id, name: live.names.get(id) ?? (await this.nameOf(id)) })));
    return { record, choices: choices.sort((a, b) => a.name.localeCompare(b.name)) };
  }

  private async nameOf(id: string, unknown = `An admin (object id ${id})`): Promise<string> {
    const found = await this.deps.people?.find({ kind: 'objectId', value: id }).catch(() => []);
    const person = found?.[0];
    return person ? this.label(person) : unknown;
  }

  private label(person: PersonMatch): string {
    const address = person.mail ?? person.userPrincipalName;
    return address ? `${person.displayName} (${address})` : person.displayName;
  }

  /** Who the form names: the picked one (one of the live approvers), or exactly one person matching what was typed. */
  private async targetOf(
    input: ForwardInput,
    live: Approvers,
  ): Promise<{ kind: 'person'; person: PersonMatch } | { kind: 'problem'; problem: string; choices?: { id: string; name: string }[] }> {
    const typed = input.person?.trim() ?? '';
    if (typed !== '') {
      const query = parseUserRef(typed);
      if (!query.ok) return { kind: 'problem', problem: query.problem };
      if (!this.deps.people) return { kind: 'problem', problem: 'People cannot be looked up by name here; pick someone from the list.' };
      const found = await this.deps.people.find(query.value);
      const shown = typed.slice(0, 80);
      if (found.length === 0) return { kind: 'problem', problem: `Nobody in the directory matches "${shown}". Check the spelling, or pick someone from the list.` };
      if (found.length > 1) {
        const approvers = found.filter((p) => live.ids.some((id) => sameObjectId(id, p.id)));
        return {
          kind: 'problem',
          problem:
            approvers.length > 0
              ? `${found.length} people match "${shown}". Pick the one you mean from the list (it shows those of them who may decide), and clear the name.`
              : `${found.length} people match "${shown}", and none of them may decide this request. Type a full email address, or pick someone from the list.`,
          ...(approvers.length > 0 ? { choices: approvers.slice(0, MAX_FORWARD_CHOICES).map((p) => ({ id: p.id.toLowerCase(), name: this.label(p) })) } : {}),
        };
      }
      const [person] = found;
      if (person) return { kind: 'person', person };
    }
    const picked = input.to?.trim().toLowerCase();
    if (!picked) return { kind: 'problem', problem: 'Pick who should decide instead, or type their name or email.' };
    // A picked id is card data: anyone may send any id, so it must be one of the approvers Graph lists now.
    if (!live.ids.some((id) => sameObjectId(id, picked))) return { kind: 'person', person: { id: picked, displayName: await this.nameOf(picked, 'The person picked') } };
    return { kind: 'person', person: { id: picked, displayName: live.names.get(picked) ?? (await this.nameOf(picked)) } };
  }

  private refusalWords(right: Exclude<AccessForwardRight, { allowed: true }>, record: AccessRequestRecord, name: string, source: 'owners' | 'admins'): string {
    switch (right.reason) {
      case 'to-yourself':
        return 'That is you: forward the request to someone else, or decide it yourself.';
      case 'to-the-requester':
        return `${record.requesterName} asked for this access, so they cannot decide it: forwarding it to them would be approving their own request.`;
      case 'to-the-partner':
        return `${name} is the partner this access is for, and cannot decide on it.`;
      case 'target-not-an-approver':
        return source === 'owners'
          ? `${name} may not approve access to ${record.appDisplayName}: only its owners, as Microsoft Entra lists them now${record.escalatedAt ? ', and the bot admins' : ''}, can. Pick one of them.`
          : `${name} may not approve this request: only the bot admins can (the app has no other owners). Pick one of them.`;
      case 'caller-not-an-approver':
        return 'You may no longer decide this request, so you cannot forward it.';
    }
  }

  private async refused(caller: Caller, record: AccessRequestRecord, reason: string, to?: string): Promise<void> {
    await this.deps.store.audit.append({
      actor: caller.aadObjectId.toLowerCase(),
      actorName: caller.name,
      action: 'access.forward',
      target: record.guestUpn,
      outcome: 'refused',
      detail: { request: record.id, reason, app: record.servicePrincipalId, ...(to ? { to: to.toLowerCase() } : {}) },
    });
  }
}
