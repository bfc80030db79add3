import fs from 'node:fs';
import path from 'node:path';
import { commands } from '../bot/commands';
import type { AnyCommand } from '../bot/commands/defineCommand';
import type { Permission } from '../bot/identity/policy';

export const START = '<!-- commands:start -->';
export const END = '<!-- commands:end -->';
export const README = path.resolve(__dirname, '../README.md');

const WHO: Record<Permission, string> = { everyone: 'everyone', partnerManagers: 'partner managers, admins', admins: 'admins' };

/** A pipe inside a table cell ends the cell, even inside a code span, unless escaped. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The README's command table, from the registry: usage and aliases, who may run it, and the long description. */
export function commandTable(registry: readonly AnyCommand[] = commands): string {
  const rows = registry.map((c) => {
    const aliases = c.aliases.length > 0 ? ` (${c.aliases.map((a) => `\`${cell(a)}\``).join(', ')})` : '';
    return `| \`${cell(c.usage)}\`${aliases} | ${cell(c.audience ?? WHO[c.permission])} | ${cell(c.description)} |`;
  });
  return ['| command | who | what |', '|---|---|---|', ...rows].join('\n');
}

/** The README with the text between the markers replaced by the generated table; throws when a marker is missing. */
export function withCommandTable(readme: string, table: string = commandTable()): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs ${START} … ${END} around the command table`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (require.main === module) {
  const before = fs.readFileSync(README, 'utf8');
  const after = withCommandTable(before);
  if (after !== before) fs.writeFileSync(README, after);
  console.log(after === before ? 'README.md command table is current' : 'README.md command table rewritten');
}
