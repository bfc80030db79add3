import type { Caller } from '../../identity/caller';
import { accessRequestViewer, canDecideAccess } from '../../identity/capabilities';
import type { AccessRequestRecord } from '../../store';
import { AccessRequestPart, type ViewOutcome } from './types';

const MAX_LISTED = 15;

/** Reading requests: one by id for whoever may see it, the caller's own (`requests`), and those waiting for them (`pending`). */
export class AccessRequestQueries extends AccessRequestPart {
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
