import { z } from 'zod';
import { cards } from '../../cards';
import { describeRoles } from '../identity/policy';
import { defineCommand } from './defineCommand';

export const whoami = defineCommand({
  name: 'whoami',
  aliases: ['me'],
  summary: 'Show who the bot thinks you are: name, object id, tenant and roles',
  usage: 'whoami',
  args: z.unknown(),
  permission: 'lookup',
  async run({ caller, services }) {
    return cards.whoami({
      name: caller.name,
      objectId: caller.aadObjectId,
      tenantId: caller.tenantId,
      roleSummary: describeRoles(caller.roles),
      cacheSeconds: services.roles.ttlMs / 1000,
    });
  },
});
