import { z } from 'zod';
import { issueShortenConfirmation } from '../handlers/shortenConfirmation';
import { shortenCheckReply } from '../presenters/grantLife.presenter';
import { defineAction } from './defineAction';

/**
 * End earlier on the grant's card: reads the typed end strictly and answers with the grant's card as the confirmation
 * (access.shortenConfirm changes it). Open to everyone at the router: an app's owner may shorten whatever their role here,
 * which the service checks against Graph's owner list.
 */
export const accessShorten = defineAction({
  verb: 'access.shorten',
  data: z.object({ grantId: z.guid(), when: z.string().max(2000).optional() }),
  permission: 'everyone',
  // Only shows what would change; the confirmation's button changes it.
  sideEffect: 'none',
  async run(context, { grantId, when }) {
    const check = await context.services.accessRequests.checkShorten(context.caller, grantId, when ?? '', context.zone);
    return shortenCheckReply(check, context.caller, await issueShortenConfirmation(context, check));
  },
});
