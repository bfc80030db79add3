import { z } from 'zod';
import { decisionReply } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

/** As access.approve: the service checks the caller against Graph, and one decision settles the request. */
export const accessDeny = defineAction({
  verb: 'access.deny',
  data: z.object({ id: z.guid(), comment: z.string().optional() }),
  permission: 'everyone',
  sideEffect: 'reversible',
  async run({ services, caller }, { id, comment }) {
    const outcome = await services.accessRequests.deny(caller, id, comment);
    const record = 'record' in outcome ? outcome.record : undefined;
    return decisionReply(outcome, caller, record ? await services.accessRequests.teamsIdsOf(record.approverObjectIds) : []);
  },
});
