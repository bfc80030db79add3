import { z } from 'zod';
import { approvalCardFor } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

/** Teams asks for this when an admin views the approval card, so each sees the current state; only admins get it. */
export const inviteRefresh = defineAction({
  verb: 'invite.refresh',
  data: z.object({ id: z.guid() }),
  permission: 'admins',
  sideEffect: 'none',
  async run({ services, caller }, { id }) {
    const record = await services.invitations.get(id);
    if (!record) return { message: 'This request is no longer known.' };
    return { card: approvalCardFor(record, caller, await services.invitations.approverTeamsIds()) };
  },
});
