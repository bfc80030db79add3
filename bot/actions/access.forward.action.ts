import { z } from 'zod';
import { forwardFormReply } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

/**
 * Forward to… on the approval card: the form to hand the request to another approver. Open to everyone at the router, as
 * Approve is: the service asks Graph whether the caller may decide the request now.
 */
export const accessForward = defineAction({
  verb: 'access.forward',
  data: z.object({ id: z.guid() }),
  permission: 'everyone',
  // Only shows the form; its Forward hands the request on.
  sideEffect: 'none',
  async run({ services, caller }, { id }) {
    const outcome = await services.accessRequests.forwardForm(caller, id);
    const record = 'record' in outcome ? outcome.record : undefined;
    return forwardFormReply(outcome, caller, record ? await services.accessRequests.teamsIdsOf(record.approverObjectIds) : []);
  },
});
