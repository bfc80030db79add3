import { z } from 'zod';
import { cards } from '../../cards';
import { describeRoles } from '../identity/policy';
import { defineAction } from './defineAction';

/** After being added to or removed from a group, a person can see the change now instead of after the cache expires. */
export const rolesRefresh = defineAction({
  verb: 'roles.refresh',
  data: z.object({}).passthrough(),
  permission: 'lookup',
  async run({ caller, services }) {
    services.roles.forget(caller.aadObjectId);
    const roles = await services.roles.rolesOf(caller.aadObjectId);
    return {
      card: cards.whoami({
        name: caller.name,
        objectId: caller.aadObjectId,
        tenantId: caller.tenantId,
        roleSummary: describeRoles(roles),
        cacheSeconds: services.roles.ttlMs / 1000,
      }),
    };
  },
});
