import { z } from 'zod';
import { bulkDecisionReply } from '../presenters/bulk.presenter';
import { defineAction } from './defineAction';

/** A second admin starts a large run; the requester cannot, and one approval settles it (compare-and-set). */
export const bulkApprove = defineAction({
  verb: 'bulk.approve',
  data: z.object({ id: z.guid() }),
  permission: 'admins',
  sideEffect: 'reversible',
  async run({ services, caller }, { id }) {
    return bulkDecisionReply(await services.bulkInvitations.approve(caller, id), caller, true);
  },
});
