import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { Caller } from '../identity/caller';
import { describeRoles, isAllowed, type Permission } from '../identity/policy';

/** What the help card needs of a command: plain data, so this presenter never imports the registry or the router. */
export interface HelpEntry {
  usage: string;
  summary: string;
  aliases: readonly string[];
  permission: Permission;
  examples: readonly string[];
}

/** The help card: only the commands this caller may run, in registry order. */
export function helpCard(caller: Caller, commands: readonly HelpEntry[], notUnderstood?: string): Attachment {
  return cards.help({
    notUnderstood,
    roleSummary: describeRoles(caller.roles),
    commands: commands.filter((c) => isAllowed(caller.roles, c.permission)).map((c) => ({ usage: c.usage, summary: c.summary, aliases: c.aliases, example: c.examples[0] ?? '' })),
  });
}
