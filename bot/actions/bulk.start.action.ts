import { z } from 'zod';
import { bulkDecisionReply } from '../presenters/bulk.presenter';
import { defineAction } from './defineAction';

export const bulkStart = defineAction({
  verb: 'bulk.start',
  data: z.object({ id: z.guid() }),
  permission: 'admins',
  async run({ services, caller }, { id }) {
    return bulkDecisionReply(await services.bulkInvitations.start(caller, id), caller, false);
  },
});
