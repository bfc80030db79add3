import { z } from 'zod';
import { cards } from '../../cards';
import { parseRealmInput } from '../services/userRef';
import { defineAction } from './defineAction';

/** The whois card's Check realm button: where a sign-in with this person's address goes. */
export const realmCheck = defineAction({
  verb: 'realm.check',
  data: z.object({ emailOrDomain: z.string().max(320).refine((v) => parseRealmInput(v).ok), userId: z.guid().optional() }),
  permission: 'everyone',
  sideEffect: 'none',
  async run({ services }, { emailOrDomain, userId }) {
    return { card: cards.realm(await services.lookup.checkRealm(emailOrDomain), { backToUserId: userId }) };
  },
});
