import { z } from 'zod';
import { withdrawReply } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

/**
 * Withdraw on a row of `requests`. Open to anyone at the router, like the decisions: the service lets only the requester
 * take back their own request, and only while it is pending, so a requester who lost their bot role can still take it back.
 */
export const accessWithdraw = defineAction({
  verb: 'access.withdraw',
  data: z.object({ id: z.guid() }),
  permission: 'everyone',
  // Ends the request and updates the approvers' cards; the requester can ask again with request.
  sideEffect: 'reversible',
  async run({ services, caller }, { id }) {
    const outcome = await services.accessRequests.withdraw(caller, id);
    if (outcome.kind === 'notFound') return { message: 'This request is no longer known.' };
    if (outcome.kind === 'notYours') return { message: 'Only the person who asked for this access can withdraw the request.' };
    return { card: withdrawReply(outcome, await services.accessRequests.mine(caller), caller) };
  },
});
