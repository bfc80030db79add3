import type { Owner } from '../../graph/appProxy';
import type { AccessRequestRecord } from '../../store';
import type { FanoutReport } from '../approvalFanout';
import { subjectOf, type AccessRequestContext, type Approvers } from './types';
import { sameObjectId } from '../../identity/objectId';

/**
 * Who may decide: the app's owning users other than the requester and the partner; when there are none, the admins (again
 * without those two). Asked of Graph at request time and again at decision time, so a removed owner cannot decide.
 */
export async function approversFor(ctx: AccessRequestContext, servicePrincipalId: string, requesterId: string, guestId: string): Promise<Approvers> {
  const excluded = (id: string): boolean => sameObjectId(id, requesterId) || sameObjectId(id, guestId);
  const owners: Owner[] = (await ctx.deps.apps.listOwners(servicePrincipalId)).filter((o) => !excluded(o.id));
  if (owners.length > 0) {
    return {
      source: 'owners',
      ids: owners.map((o) => o.id.toLowerCase()),
      names: new Map(owners.map((o) => [o.id.toLowerCase(), o.displayName ?? o.userPrincipalName ?? o.id])),
    };
  }
  const admins = (await ctx.deps.directory.transitiveUserMemberIds(ctx.deps.settings.adminGroupId)).map((id) => id.toLowerCase()).filter((id) => !excluded(id));
  return { source: 'admins', ids: [...new Set(admins)], names: new Map() };
}

/**
 * Who may decide this request now: its approvers as Graph says (approversFor), and for an escalated request the admins as
 * well, also as Graph says now, so an admin removed from the group since the escalation cannot decide.
 */
export async function decidersFor(ctx: AccessRequestContext, record: AccessRequestRecord): Promise<Approvers> {
  const live = await approversFor(ctx, record.servicePrincipalId, record.requesterObjectId, record.guestObjectId);
  if (!record.escalatedAt || live.source === 'admins') return live;
  const admins = (await ctx.deps.directory.transitiveUserMemberIds(ctx.deps.settings.adminGroupId))
    .map((id) => id.toLowerCase())
    .filter((id) => !sameObjectId(id, record.requesterObjectId) && !sameObjectId(id, record.guestObjectId));
  return { ...live, ids: [...new Set([...live.ids, ...admins])] };
}

/** The request's approval cards through the shared fan-out: sent once, updated as the request moves, the requester told. */
export class AccessApprovalCards {
  constructor(private readonly ctx: AccessRequestContext) {}

  /** Sends the approval card to each approver's personal chat and the approvals channel; records where they landed. */
  async send(record: AccessRequestRecord, approvers: Approvers): Promise<Omit<FanoutReport, 'sent'>> {
    const { sent, ...report } = await this.ctx.fanout.send(subjectOf(record), (teamsIds) => this.ctx.deps.messages.approval(record, teamsIds), {
      toChannel: true,
      nameOf: (id) => approvers.names.get(id) ?? `an admin (object id ${id})`,
    });
    await this.ctx.repo.setApprovalMessages(record.id, sent);
    const now = await this.ctx.repo.get(record.id);
    // Decided while the cards were going out (someone used `pending`): bring the cards just sent up to date.
    if (now && now.state !== 'pending') await this.update(now);
    return report;
  }

  /**
   * Sends the approval card to approvers added later (the admins of an escalated request, a forwarded-to approver) and
   * keeps its location with the others, so every later update reaches their copy too.
   */
  async sendTo(record: AccessRequestRecord, approverObjectIds: readonly string[]): Promise<void> {
    if (approverObjectIds.length === 0) return;
    const everyone = await this.ctx.fanout.teamsIdsOf(record.approverObjectIds);
    const { sent } = await this.ctx.fanout.send({ ...subjectOf(record), approverObjectIds: [...approverObjectIds] }, () => this.ctx.deps.messages.approval(record, everyone));
    const stored = (await this.ctx.repo.get(record.id))?.approvalMessages ?? record.approvalMessages;
    await this.ctx.repo.setApprovalMessages(record.id, [...stored, ...sent]);
  }

  /**
   * Replaces every approval card sent for this request with its current state; one that cannot be reached is logged. The
   * cards' locations are read fresh (an earlier update may have moved them), and stored again when this one moves them.
   */
  async update(record: AccessRequestRecord): Promise<void> {
    const messages = (await this.ctx.repo.get(record.id))?.approvalMessages ?? record.approvalMessages;
    if (messages.length === 0) return;
    const outgoing = this.ctx.deps.messages.approval(record, await this.ctx.fanout.teamsIdsOf(record.approverObjectIds));
    const result = await this.ctx.fanout.update(subjectOf(record), messages, outgoing);
    if (result.moved) await this.ctx.repo.setApprovalMessages(record.id, result.sent);
  }

  /**
   * The outcome stands even if the requester cannot be told right now; the audit log and `requests` have it. `repeat` when
   * an earlier attempt may have delivered it (see AccessRequestMessages.requesterOutcome).
   */
  async tellRequester(record: AccessRequestRecord, options: { repeat?: boolean } = {}): Promise<void> {
    await this.ctx.fanout.tellRequester(subjectOf(record), this.ctx.deps.messages.requesterOutcome(record, options));
  }

  /**
   * For a job's step: rejects when Teams did not take the notice (throttled past the notifier's retries, a 5xx), so the
   * step runs again instead of counting it as told. Resolves false only when the requester cannot be reached at all.
   */
  async deliverToRequester(record: AccessRequestRecord, options: { repeat?: boolean } = {}): Promise<boolean> {
    return (await this.ctx.deps.notifier.sendToUser(record.requesterObjectId, this.ctx.deps.messages.requesterOutcome(record, options))) !== undefined;
  }
}
