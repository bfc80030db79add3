import { z } from 'zod';
import { letEndReply } from '../presenters/grantLife.presenter';
import { defineAction } from './defineAction';

/** Let it end on an expiry notice: recorded and audited once; no more notices for this grant. */
export const accessLetEnd = defineAction({
  verb: 'access.letEnd',
  data: z.object({ grantId: z.guid() }),
  permission: 'everyone',
  // Stops the notices to everyone; the grant still ends when it was going to, and Extend in expiring still works.
  sideEffect: 'reversible',
  async run({ services, caller }, { grantId }) {
    return letEndReply(await services.accessRequests.letItEnd(caller, grantId), caller);
  },
});
