import type { Activity, Storage } from 'botbuilder';
import { TestAdapter } from 'botbuilder';
import { actions } from '../../bot/actions';
import { commands } from '../../bot/commands';
import { createLogger } from '../../bot/logger';
import { ActionRouter } from '../../bot/routing/actionRouter';
import { CommandRouter } from '../../bot/routing/commandRouter';
import type { Services } from '../../bot/services';
import { TeamsBot } from '../../bot/teamsBot';
import { Conversations, type ConversationDeps } from '../../dialogs/conversations';
import { cardText, executeActions, type CardButton } from './bot';

export const TEST_TENANT = '11111111-2222-4333-8444-555555555555';

export interface DialogUser {
  aadObjectId: string;
  name: string;
  /** The chat, when a test keeps several conversations of one person apart; their personal chat by default. */
  conversationId?: string;
}

/** One answer of the bot, as a person reads it: the message text, the card's text, and the card's buttons. */
export interface BotTurn {
  text: string;
  cardText: string;
  card: unknown;
  buttons: CardButton[];
}

/**
 * The style of botbuilder's DialogTestClient (botbuilder-testing, not a dependency here) for the whole bot: a TestAdapter
 * runs TeamsBot with its real routers and conversations, so a test says what a person types or clicks and reads what the
 * bot answered, turn by turn, through the same turn order as Teams (conversation first, then the command router).
 */
export class DialogTestClient {
  readonly adapter: TestAdapter;
  readonly bot: TeamsBot;
  readonly conversations: Conversations;

  constructor(
    readonly services: Services,
    storage: Storage,
    options: Partial<ConversationDeps> = {},
  ) {
    const commandRouter = new CommandRouter(commands);
    this.conversations = new Conversations({ storage, commandWords: commands.flatMap((c) => [c.name, ...c.aliases]), ...options });
    this.bot = new TeamsBot({
      tenantId: TEST_TENANT,
      services,
      commandRouter,
      actionRouter: new ActionRouter(actions, commands),
      log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      turnBudget: { budgetMs: 60_000 },
      conversations: this.conversations,
    });
    this.adapter = new TestAdapter(async (context) => this.bot.run(context));
  }

  private activity(user: DialogUser, fields: Partial<Activity>): Partial<Activity> {
    return {
      channelId: 'msteams',
      from: { id: `29:${user.aadObjectId}`, name: user.name, aadObjectId: user.aadObjectId },
      conversation: { id: user.conversationId ?? `a:personal-${user.aadObjectId}`, conversationType: 'personal', isGroup: false, name: '' },
      channelData: { tenant: { id: TEST_TENANT } },
      locale: 'en-US',
      ...fields,
    };
  }

  private async turn(activity: Partial<Activity>): Promise<Partial<Activity>[]> {
    this.adapter.activeQueue.splice(0);
    await this.adapter.processActivity(activity);
    await this.bot.idle();
    return this.adapter.activeQueue.splice(0);
  }

  /** A typed message; the bot's one answer. */
  async say(user: DialogUser, text: string): Promise<BotTurn> {
    const replies = await this.turn(this.activity(user, { type: 'message', text, id: `m-${Math.random().toString(36).slice(2)}` }));
    const [reply, ...more] = replies.filter((a) => a.type === 'message');
    if (!reply || more.length > 0) throw new Error(`expected one answer to "${text.slice(0, 60)}", got ${replies.length}`);
    return read(reply.text ?? '', reply.attachments?.[0]?.content);
  }

  /** Clicks a button (Action.Execute) of a card; the card that replaces it. */
  async click(user: DialogUser, button: CardButton): Promise<BotTurn> {
    const replies = await this.turn(
      this.activity(user, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: button.verb, data: button.data }, trigger: 'manual' } }),
    );
    const response = replies.find((a) => a.type === 'invokeResponse');
    const body = (response?.value as { body?: { value?: unknown } } | undefined)?.body;
    if (!body) throw new Error(`no invoke response to ${button.verb}`);
    return read('', typeof body.value === 'string' ? { body: [{ type: 'TextBlock', text: body.value }] } : body.value);
  }
}

function read(text: string, card: unknown): BotTurn {
  return { text, card, cardText: cardText(card), buttons: executeActions(card) };
}

/** The button with this title on an answer, or a failure naming the buttons there are. */
export function button(turn: BotTurn, title: string): CardButton {
  const found = turn.buttons.find((b) => b.title === title);
  if (!found) throw new Error(`no button "${title}"; the card has: ${turn.buttons.map((b) => b.title).join(', ')}`);
  return found;
}
