import { cards } from '../../cards';
import type { CallerIdentity } from '../identity/caller';
import { describeRoles, type Role } from '../identity/policy';

/** The whoami card; shared by the command and the card's "Check my roles again" button, which passes freshly resolved roles. */
export function whoamiCard(caller: CallerIdentity, roles: readonly Role[], roleCacheMs: number) {
  return cards.whoami({
    name: caller.name,
    objectId: caller.aadObjectId,
    tenantId: caller.tenantId,
    roleSummary: describeRoles(roles),
    cacheSeconds: roleCacheMs / 1000,
  });
}
