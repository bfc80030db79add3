import helpTemplate from './help.card.json';
import noticeTemplate from './notice.card.json';
import whoamiTemplate from './whoami.card.json';
import { help } from './help';
import { notice } from './notice';
import { whoami } from './whoami';
import type { CardTemplate } from './render';

/** Every card the bot sends. Handlers call these; they never build card JSON themselves. */
export const cards = { help, notice, whoami };

/** Every template, by name, for the tests that validate schemas, sizes and verbs. */
export const templates: Record<string, CardTemplate> = {
  help: helpTemplate,
  notice: noticeTemplate,
  whoami: whoamiTemplate,
};
