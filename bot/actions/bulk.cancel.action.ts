import { z } from 'zod';
import { bulkCard } from '../presenters/bulk.presenter';
import { defineAction } from './defineAction';

export const bulkCancel = defineAction({
  verb: 'bulk.cancel',
  data: z.object({ id: z.guid() }),
  permission: 'admins',
  sideEffect: 'reversible',
  async run({ services, caller }, { id }) {
    const view = await services.bulkInvitations.cancel(caller, id);
    return view ? { card: bulkCard(view, caller) } : { message: 'This bulk run is no longer known.' };
  },
});
