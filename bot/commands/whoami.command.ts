import { z } from 'zod';
import { whoamiCard } from '../presenters/whoami.presenter';
import { defineCommand } from './defineCommand';

export const whoami = defineCommand({
  name: 'whoami',
  aliases: ['me'],
  summary: 'Show who the bot thinks you are: name, object id, tenant and roles',
  usage: 'whoami',
  args: z.unknown(),
  permission: 'everyone',
  sideEffect: 'none',
  examples: ['whoami'],
  description:
    'your name, object id, tenant and roles',
  async run({ caller, services }) {
    return whoamiCard(caller, caller.roles, services.roles.ttlMs);
  },
});
