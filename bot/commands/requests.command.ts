import { z } from 'zod';
import { defineCommand } from './defineCommand';
import { myRequestsCard } from '../presenters/access.presenter';

export const requests = defineCommand({
  name: 'requests',
  aliases: ['myrequests'],
  summary: 'Your access requests: the open ones and the most recent',
  usage: 'requests',
  args: z.object({ args: z.array(z.string()).max(0, 'requests takes no arguments.') }),
  permission: 'partnerManagers',
  sideEffect: 'none',
  examples: ['requests'],
  description:
    'your open and recent access requests, each with its state; Withdraw takes back one nobody has decided yet.',
  async run({ services, caller }) {
    return myRequestsCard(await services.accessRequests.mine(caller), caller);
  },
});
