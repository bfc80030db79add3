import { z } from 'zod';
import { cards } from '../../cards';
import type { CallerIdentity } from '../identity/caller';
import { describeRoles, type Role } from '../identity/policy';
import { defineCommand } from './defineCommand';

/** Shared with the card's "Check my roles again" button, which shows the same card with freshly resolved roles. */
export function whoamiCard(caller: CallerIdentity, roles: readonly Role[], roleCacheMs: number) {
  return cards.whoami({
    name: caller.name,
    objectId: caller.aadObjectId,
    tenantId: caller.tenantId,
    roleSummary: describeRoles(roles),
    cacheSeconds: roleCacheMs / 1000,
  });
}

export const whoami = defineCommand({
  name: 'whoami',
  aliases: ['me'],
  summary: 'Show who the bot thinks you are: name, object id, tenant and roles',
  usage: 'whoami',
  args: z.unknown(),
  permission: 'lookup',
  async run({ caller, services }) {
    return whoamiCard(caller, caller.roles, services.roles.ttlMs);
  },
});
