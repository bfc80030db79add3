import { z } from 'zod';
import { cards } from '../../cards';
import { helpData } from '../routing/commandRouter';
import { defineCommand } from './defineCommand';

export const help = defineCommand({
  name: 'help',
  aliases: ['?', 'commands'],
  summary: 'List the commands you can use',
  usage: 'help',
  args: z.unknown(),
  permission: 'lookup',
  async run(context) {
    return cards.help(helpData(context));
  },
});
