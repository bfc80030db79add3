import { z } from 'zod';
import { decisionReply } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

/**
 * Open to anyone in the tenant at the router: an app's owners approve whatever their bot role. The service asks Graph whether
 * the caller is an approver now, and refuses the requester and the partner.
 */
export const accessApprove = defineAction({
  verb: 'access.approve',
  data: z.object({ id: z.guid(), comment: z.string().optional() }),
  permission: 'everyone',
  // Grants the app role (and may create a shadow account); revoke takes it back.
  sideEffect: 'reversible',
  async run({ services, caller }, { id, comment }) {
    const outcome = await services.accessRequests.approve(caller, id, comment);
    const record = 'record' in outcome ? outcome.record : undefined;
    return decisionReply(outcome, caller, record ? await services.accessRequests.teamsIdsOf(record.approverObjectIds) : []);
  },
});
