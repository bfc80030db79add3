import template from './help.card.json';
import { renderCard } from './render';
import { plain } from './text';

export interface HelpData {
  /** The text that matched no command, echoed back as plain text. */
  notUnderstood?: string;
  roleSummary: string;
  /** Each command the caller may run, with one example typed exactly as shown. */
  commands: { usage: string; summary: string; aliases: readonly string[]; example: string }[];
}

export function help(data: HelpData) {
  return renderCard(template, {
    notUnderstood: plain(data.notUnderstood ?? '', 80),
    roleSummary: data.roleSummary,
    // Usage lines hold <placeholders>, which Teams would otherwise take for HTML tags and drop.
    commands: data.commands.map((c) => ({ usage: plain(c.usage, 300), summary: plain(c.summary, 500), aliases: plain(c.aliases.join(', '), 300), example: plain(c.example, 300) })),
  });
}
