import { z } from 'zod';
import { whoisCard } from '../presenters/whois.presenter';
import { defineAction } from './defineAction';

/** A row of the whois pick list: the chosen person's card, looked up again by object id. */
export const userShow = defineAction({
  verb: 'user.show',
  data: z.object({ userId: z.guid() }),
  permission: 'everyone',
  sideEffect: 'none',
  async run({ services, caller }, { userId }) {
    return { card: whoisCard(await services.lookup.whois({ kind: 'objectId', value: userId.toLowerCase() }, caller), caller) };
  },
});
