import { z } from 'zod';
import { grantCard } from '../presenters/grantLife.presenter';
import { defineAction } from './defineAction';

/** Open on a row of `expiring`, or Keep the end date on End earlier's confirmation: the grant's own card. */
export const accessGrantShow = defineAction({
  verb: 'access.grantShow',
  data: z.object({ grantId: z.guid() }),
  permission: 'partnerManagers',
  sideEffect: 'none',
  async run({ services, caller }, { grantId }) {
    const grant = await services.accessRequests.get(grantId);
    if (!grant || grant.extendsRequestId) return { message: 'This grant is no longer known.' };
    return { card: grantCard(grant, caller) };
  },
});
