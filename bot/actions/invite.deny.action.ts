import { z } from 'zod';
import { decisionReply } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

export const inviteDeny = defineAction({
  verb: 'invite.deny',
  data: z.object({ id: z.guid() }),
  permission: 'admins',
  sideEffect: 'reversible',
  async run({ services, caller }, { id }) {
    const outcome = await services.invitations.deny(caller, id);
    return decisionReply(outcome, caller, await services.invitations.approverTeamsIds());
  },
});
