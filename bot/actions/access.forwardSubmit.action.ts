import { z } from 'zod';
import { forwardReply } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

/**
 * Forward to…'s Send. The picked person is card data like anything typed: the service checks that they may decide the
 * request now (never the caller, the requester or the partner) and that the request is still pending.
 */
export const accessForwardSubmit = defineAction({
  verb: 'access.forwardSubmit',
  data: z.object({
    id: z.guid(),
    to: z.string().max(100).optional(),
    person: z.string().max(2000).optional(),
    comment: z.string().max(20_000).optional(),
  }),
  permission: 'everyone',
  // Grants nothing and removes nothing: another approver gets the card; the request is still decided once.
  sideEffect: 'reversible',
  async run({ services, caller }, { id, ...input }) {
    const outcome = await services.accessRequests.forward(caller, id, input);
    const record = 'record' in outcome ? outcome.record : 'form' in outcome ? outcome.form.record : undefined;
    return forwardReply(outcome, caller, record ? await services.accessRequests.teamsIdsOf(record.approverObjectIds) : []);
  },
});
