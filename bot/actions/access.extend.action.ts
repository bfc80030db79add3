import { z } from 'zod';
import { extensionFormReply } from '../presenters/grantLife.presenter';
import { defineAction } from './defineAction';

/**
 * Extend on an expiry notice or in `expiring`: the extension form. Open to everyone at the router, because the notice also
 * goes to the partner's sponsors, who may have no bot role; the service lets only the requester, the sponsors (Graph's
 * list now), partner managers and admins ask.
 */
export const accessExtend = defineAction({
  verb: 'access.extend',
  data: z.object({ grantId: z.guid() }),
  permission: 'everyone',
  // Only shows the form; its Send asks the approvers.
  sideEffect: 'none',
  async run({ services, caller, zone }, { grantId }) {
    return extensionFormReply(await services.accessRequests.extensionForm(caller, grantId), zone);
  },
});
