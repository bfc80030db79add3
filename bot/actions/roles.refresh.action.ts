import { z } from 'zod';
import { whoamiCard } from '../presenters/whoami.presenter';
import { defineAction } from './defineAction';

/** After being added to or removed from a group, a person can see the change now instead of after the cache expires. */
export const rolesRefresh = defineAction({
  verb: 'roles.refresh',
  data: z.object({}).passthrough(),
  permission: 'everyone',
  sideEffect: 'none',
  async run({ caller, services }) {
    services.roles.forget(caller.aadObjectId);
    const roles = await services.roles.rolesOf(caller.aadObjectId);
    return { card: whoamiCard(caller, roles, services.roles.ttlMs) };
  },
});
