import { z } from 'zod';
import { decisionReply } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

/** One decision settles a request: the service's compare-and-set makes a second click or a second admin lose. */
export const inviteApprove = defineAction({
  verb: 'invite.approve',
  data: z.object({ id: z.guid(), comment: z.string().max(1000).optional() }),
  permission: 'admins',
  sideEffect: 'reversible',
  async run({ services, caller }, { id, comment }) {
    const outcome = await services.invitations.approve(caller, id, comment);
    return decisionReply(outcome, caller, await services.invitations.approverTeamsIds());
  },
});
