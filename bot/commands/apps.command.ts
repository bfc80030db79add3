import { z } from 'zod';
import { cards } from '../../cards';
import { defineCommand } from './defineCommand';

export const apps = defineCommand({
  name: 'apps',
  aliases: ['applications'],
  summary: 'List the on-prem apps published through application proxy: external URL, single sign-on kind and roles',
  usage: 'apps',
  args: z.object({ args: z.array(z.string()).max(0, 'apps takes no arguments.') }),
  permission: 'partnerManagers',
  async run({ services }) {
    const list = await services.appAccess.listApps();
    return { card: cards.apps(list), text: `${list.length} on-prem apps` };
  },
});
