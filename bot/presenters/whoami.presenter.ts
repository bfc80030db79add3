import { cards } from '../../cards';
import type { CallerIdentity } from '../identity/caller';
import { describeRoles, type Role } from '../identity/policy';
import { FrozenCardCache } from './frozenCards';

/** One card per person and role set; bounded well above the people who ask in a role cache's lifetime. */
const whoamiCards = new FrozenCardCache(1000);

/** The whoami card; shared by the command and the card's "Check my roles again" button, which passes freshly resolved roles. */
export function whoamiCard(caller: CallerIdentity, roles: readonly Role[], roleCacheMs: number) {
  const data = {
    name: caller.name,
    objectId: caller.aadObjectId,
    tenantId: caller.tenantId,
    roleSummary: describeRoles(roles),
    cacheSeconds: roleCacheMs / 1000,
  };
  return whoamiCards.get(JSON.stringify(data), () => cards.whoami(data));
}
