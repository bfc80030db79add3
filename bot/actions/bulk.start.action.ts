import { z } from 'zod';
import { bulkDecisionReply } from '../presenters/bulk.presenter';
import { defineAction } from './defineAction';

export const bulkStart = defineAction({
  verb: 'bulk.start',
  data: z.object({ id: z.guid() }),
  permission: 'admins',
  // Invites every row; each guest can be deleted, and the run cancelled.
  sideEffect: 'reversible',
  async run({ services, caller }, { id }) {
    return bulkDecisionReply(await services.bulkInvitations.start(caller, id), caller, false);
  },
});
