import { z } from 'zod';
import { approvalCardFor, statusCard } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

/**
 * Teams asks for this when a listed viewer looks at an approval or status card, and the Show / Review buttons of requests and
 * pending use it: the requester gets their status card, approvers and admins the approval card with what they may do.
 */
export const accessRefresh = defineAction({
  verb: 'access.refresh',
  data: z.object({ id: z.guid() }),
  permission: 'everyone',
  sideEffect: 'none',
  async run({ services, caller }, { id }) {
    const seen = await services.accessRequests.view(caller, id);
    if (seen.kind === 'notFound') return { message: 'This request is no longer known.' };
    if (seen.kind === 'notYours') return { message: 'Only the requester, the approvers and the admins can see this request.' };
    if (seen.role === 'requester') return { card: statusCard(seen.record, caller.teamsUserId) };
    return { card: approvalCardFor(seen.record, caller, await services.accessRequests.teamsIdsOf(seen.record.approverObjectIds)) };
  },
});
