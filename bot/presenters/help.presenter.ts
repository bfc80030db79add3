import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { Caller } from '../identity/caller';
import { describeRoles, isAllowed, type Permission, type Role } from '../identity/policy';
import { FrozenCardCache } from './frozenCards';

/** What the help card needs of a command: plain data, so this presenter never imports the registry or the router. */
export interface HelpEntry {
  usage: string;
  summary: string;
  aliases: readonly string[];
  permission: Permission;
  examples: readonly string[];
}

/** Role sets are combinations of a handful of roles; the bound only guards against a caller inventing many. */
const MAX_CACHED_ROLE_SETS = 32;

/**
 * The plain help card (no "didn't understand" line) depends only on the command list and the caller's role set, and
 * rendering it was the largest single cost of a `help` turn; parsing a cached copy of its JSON for every caller was still
 * a visible share of the turn and of its garbage. It is kept per command list (the registry's array, which nothing
 * changes after start-up) and role set, deeply frozen, and the same object answers every caller with that role set:
 * nothing can change the card another caller receives, because any attempt to change it throws.
 */
const plainHelpCards = new WeakMap<readonly HelpEntry[], FrozenCardCache>();

function roleSetKey(roles: readonly Role[]): string {
  return [...new Set(roles)].sort().join(',');
}

function renderHelpCard(caller: Caller, commands: readonly HelpEntry[], notUnderstood: string | undefined): Attachment {
  return cards.help({
    notUnderstood,
    roleSummary: describeRoles(caller.roles),
    commands: commands.filter((c) => isAllowed(caller.roles, c.permission)).map((c) => ({ usage: c.usage, summary: c.summary, aliases: c.aliases, example: c.examples[0] ?? '' })),
  });
}

/** The help card: only the commands this caller may run, in registry order. */
export function helpCard(caller: Caller, commands: readonly HelpEntry[], notUnderstood?: string): Attachment {
  if (notUnderstood) return renderHelpCard(caller, commands, notUnderstood);
  let byRoles = plainHelpCards.get(commands);
  if (!byRoles) {
    byRoles = new FrozenCardCache(MAX_CACHED_ROLE_SETS);
    plainHelpCards.set(commands, byRoles);
  }
  return byRoles.get(roleSetKey(caller.roles), () => renderHelpCard(caller, commands, undefined));
}
