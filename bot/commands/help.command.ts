import { z } from 'zod';
import { helpCard } from '../presenters/help.presenter';
import { defineCommand } from './defineCommand';

export const help = defineCommand({
  name: 'help',
  aliases: ['?', 'commands'],
  summary: 'List the commands you can use',
  usage: 'help',
  args: z.unknown(),
  permission: 'everyone',
  sideEffect: 'none',
  examples: ['help'],
  description:
    'the commands your role may run',
  async run(context) {
    return helpCard(context.caller, context.commands);
  },
});
