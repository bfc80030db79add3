import { z } from 'zod';
import { recordCard } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

export const inviteCancel = defineAction({
  verb: 'invite.cancel',
  data: z.object({ id: z.guid() }),
  permission: 'partnerManagers',
  sideEffect: 'reversible',
  async run({ services, caller }, { id }) {
    const record = await services.invitations.cancel(caller, id);
    return record ? { card: recordCard(record) } : { message: 'This invitation is no longer known.' };
  },
});
