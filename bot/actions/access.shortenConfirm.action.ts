import { z } from 'zod';
import { SHORTEN_CONFIRM_VERB } from '../handlers/shortenConfirmation';
import { shortenReply } from '../presenters/grantLife.presenter';
import { defineAction } from './defineAction';

/**
 * End earlier's confirmation button. The router runs it with the data stored when the confirmation was issued (the grant,
 * the end it had, the end confirmed), never the clicked card's; the service checks the caller's right against Graph again
 * and moves the end only if it is still the one shown.
 */
export const accessShortenConfirm = defineAction({
  verb: SHORTEN_CONFIRM_VERB,
  data: z.object({ grantId: z.guid(), from: z.iso.datetime(), endsAt: z.iso.datetime() }),
  permission: 'everyone',
  // The access ends sooner than its approvers agreed, and the waiting extension is withdrawn.
  sideEffect: 'destructive',
  confirm: { onItsOwnCard: true },
  async run({ services, caller }, { grantId, from, endsAt }) {
    return shortenReply(await services.accessRequests.shorten(caller, grantId, new Date(from), new Date(endsAt)), caller);
  },
});
