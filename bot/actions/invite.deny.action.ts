import { z } from 'zod';
import { decisionReply } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

export const inviteDeny = defineAction({
  verb: 'invite.deny',
  data: z.object({ id: z.guid(), comment: z.string().max(1000).optional() }),
  permission: 'admins',
  sideEffect: 'reversible',
  async run({ services, caller }, { id, comment }) {
    const outcome = await services.invitations.deny(caller, id, comment);
    return decisionReply(outcome, caller, await services.invitations.approverTeamsIds());
  },
});
