import { z } from 'zod';
import { cards } from '../../cards';
import { statusCard } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

/**
 * Cancel on the request form and on its pick list. Nothing exists before Send, so there is nothing to undo; a form whose
 * request was sent already (its id became the request's) says so instead of pretending Cancel took it back.
 */
export const accessCancel = defineAction({
  verb: 'access.cancel',
  data: z.object({ formId: z.guid().optional() }),
  permission: 'everyone',
  sideEffect: 'none',
  async run({ services, caller }, { formId }) {
    const sent = formId ? await services.accessRequests.view(caller, formId) : undefined;
    if (sent?.kind === 'view' && sent.role === 'requester') {
      return {
        card: statusCard(sent.record, caller.teamsUserId, {
          note: 'This request was sent already, so Cancel changed nothing. While nobody has decided it, you can withdraw it from requests.',
        }),
      };
    }
    return {
      card: cards.notice({ tone: 'info', title: 'Cancelled: nothing was changed', text: 'No access request was sent. Send request again whenever the partner needs access.' }),
    };
  },
});
