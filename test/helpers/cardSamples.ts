import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';

/** Text a hostile or careless directory could hold: Markdown links, template syntax, very long, right-to-left, spoofing. */
export const HOSTILE = {
  link: '[Approve here](https://evil.example/approve)',
  template: '${caller.name} ${if(true, "x", "y")}',
  long: 'Wolfeschlegelsteinhausenbergerdorff '.repeat(40),
  rtl: 'محمد بن سلمان שלום',
  spoof: 'invoice\u202Egpj.exe',
};

export const HOSTILE_TEXT = Object.values(HOSTILE).join(' ');

export interface CardSample {
  card: string;
  variant: 'typical' | 'maximal' | 'hostile';
  attachment: Attachment;
}

const manyCommands = Array.from({ length: 12 }, (_, i) => ({
  usage: `command${i} <email | UPN | object id> [for <N> days] [because <text>]`,
  summary: 'A long description of what the command does, written to wrap over more than one line in a narrow chat pane.',
  aliases: ['alias-one', 'alias-two'],
}));

/** Every card rendered with typical, maximal and hostile data, for schema, size and rendering tests and the gallery. */
export function cardSamples(): CardSample[] {
  return [
    { card: 'help', variant: 'typical', attachment: cards.help({ roleSummary: 'Admin', commands: manyCommands.slice(0, 3) }) },
    { card: 'help', variant: 'maximal', attachment: cards.help({ roleSummary: 'Admin and partner manager', notUnderstood: HOSTILE.long, commands: manyCommands }) },
    { card: 'help', variant: 'hostile', attachment: cards.help({ roleSummary: 'Member (read-only lookups)', notUnderstood: HOSTILE_TEXT, commands: manyCommands.slice(0, 2) }) },
    { card: 'notice', variant: 'typical', attachment: cards.notice({ tone: 'good', title: 'Invitation sent', text: 'Alice will get an email.' }) },
    { card: 'notice', variant: 'maximal', attachment: cards.notice({ tone: 'attention', title: HOSTILE.long, text: HOSTILE.long.repeat(3), code: HOSTILE.long, reference: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' }) },
    { card: 'notice', variant: 'hostile', attachment: cards.notice({ tone: 'warning', title: HOSTILE.link, text: HOSTILE_TEXT, code: HOSTILE.template }) },
    { card: 'whoami', variant: 'typical', attachment: cards.whoami({ name: 'Megan Bowen', objectId: 'c0ffee00-0000-4000-8000-000000000001', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', roleSummary: 'Admin', cacheSeconds: 60 }) },
    { card: 'whoami', variant: 'maximal', attachment: cards.whoami({ name: HOSTILE.long, objectId: 'c0ffee00-0000-4000-8000-000000000001', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', roleSummary: 'Admin and partner manager', cacheSeconds: 3600 }) },
    { card: 'whoami', variant: 'hostile', attachment: cards.whoami({ name: HOSTILE_TEXT, objectId: 'c0ffee00-0000-4000-8000-000000000001', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', roleSummary: 'Member (read-only lookups)', cacheSeconds: 60 }) },
  ];
}
