import { TeamsActivityHandler, TurnContext, type Activity, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue } from 'botbuilder';
import { cards } from '../cards';
import { identifyCaller, type Caller, type CallerIdentity, type IdentityRefusal } from './identity/caller';
import type { Logger } from './logger';
import type { ActionRouter } from './routing/actionRouter';
import { messageResponse } from './routing/actionRouter';
import type { CommandRouter } from './routing/commandRouter';
import { InterimAnswer, TurnBudget, type TurnBudgetOptions } from './routing/turnBudget';
import type { Services } from './services';
import { userZone } from './services/timeSpan';
import { DIALOG_ANSWER_VERB, withNote, type Conversations } from '../dialogs/conversations';
import { stripMentions } from './routing/tokenizer';

export interface TeamsBotDeps {
  tenantId: string;
  services: Services;
  commandRouter: CommandRouter;
  actionRouter: ActionRouter;
  log: Logger;
  /** How long a turn may take before it answers "working…" (TURN_BUDGET_MS), and how long deferred work may go on. */
  turnBudget?: Partial<TurnBudgetOptions>;
  /** The requester's conversations (dialogs/): they see a message before the command router. Absent: commands only. */
  conversations?: Conversations;
}

const CARD = 'application/vnd.microsoft.card.adaptive';

/** The verb of a card action, when the invoke carries one; the action router validates the rest. */
function verbOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('action' in value)) return undefined;
  const { action } = value;
  return typeof action === 'object' && action !== null && 'verb' in action && typeof action.verb === 'string' ? action.verb : undefined;
}

function dataOf(value: AdaptiveCardInvokeValue): unknown {
  return (value.action as { data?: unknown } | undefined)?.data;
}


function refusalText(refusal: IdentityRefusal): { title: string; text: string } {
  if (refusal.reason === 'foreign-tenant') {
    return {
      title: 'This bot serves one organization only',
      text: "Your Teams account belongs to another organization, so I can't help you here. Ask your contact at our organization instead.",
    };
  }
  if (refusal.reason === 'not-an-object-id') {
    return {
      title: "I can't tell who you are",
      text: 'Your message identified you by something that is not an Entra ID object id (a GUID), such as a sign-in name, so I answer nothing. Use the bot from Teams signed in with your work account.',
    };
  }
  return {
    title: "I can't tell who you are",
    text: 'Your message arrived without an Entra ID account, so I answer nothing. Use the bot from Teams signed in with your work account.',
  };
}

/** Teams marks the refresh it asks for when a card is shown as automatic; a click is manual. */
function isAutomatic(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'trigger' in value && value.trigger === 'automatic';
}

/**
 * A turn context for the dialogs that outlives the turn: work past the turn budget continues after the adapter has revoked
 * the turn's own context, and a dialog only reads the activity and keeps its state in turnState (it never sends).
 */
function detachedTurn(context: TurnContext): TurnContext {
  return new TurnContext(context.adapter, { ...context.activity });
}

/** Receives Teams activities and delegates: identity once, then the command or card-action router. No feature logic here. */
export class TeamsBot extends TeamsActivityHandler {
  private readonly budget: TurnBudget;

  constructor(private readonly deps: TeamsBotDeps) {
    super();
    this.budget = new TurnBudget(deps.services.notifier, deps.turnBudget);
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      await this.welcome(context);
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const identified = identifyCaller(context.activity, this.deps.tenantId);
    const log = this.turnLog(context, identified.ok ? identified.identity : undefined);
    if (!identified.ok) {
      log.warn({ refusal: identified.reason }, 'card action refused');
      return messageResponse(refusalText(identified).text);
    }
    const { activity } = context;
    const { conversations } = this.deps;
    const dialogTurn = conversations ? detachedTurn(context) : undefined;
    const routed = (async () => {
      const caller = await this.withRoles(identified.identity);
      if (conversations && dialogTurn && verbOf(value) === DIALOG_ANSWER_VERB) {
        const reply = await conversations.answer(dialogTurn, { caller, services: this.deps.services, log }, dataOf(value));
        log.info({ verb: DIALOG_ANSWER_VERB }, 'card action handled');
        const card = 'card' in reply ? reply.card : reply;
        return { statusCode: 200, type: CARD, value: card.content as Record<string, unknown> } satisfies AdaptiveCardInvokeResponse;
      }
      const { verb, response } = await this.deps.actionRouter.route(value, { caller, services: this.deps.services, log, zone: userZone(activity) });
      log.info({ verb, status: response.statusCode }, 'card action handled');
      return response;
    })();
    return this.budget.answerInvoke(
      { reference: TurnContext.getConversationReference(activity), log, cardActivityId: activity.replyToId ?? '', automatic: isAutomatic(value) },
      routed,
    );
  }

  /** Resolves when every answer that missed the turn budget has been delivered, so a shutdown does not drop them. */
  idle(): Promise<void> {
    return this.budget.idle();
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const identified = identifyCaller(context.activity, this.deps.tenantId);
    const log = this.turnLog(context, identified.ok ? identified.identity : undefined);
    if (!identified.ok) {
      log.warn({ refusal: identified.reason }, 'message refused');
      await context.sendActivity({ attachments: [cards.notice({ tone: 'warning', ...refusalText(identified) })] });
      return;
    }
    const { services } = this.deps;
    const activityId = context.activity.id;
    if (activityId && !(await services.store.dedupe.claim(`activity:${activityId}`))) {
      log.info('duplicate delivery ignored');
      return;
    }
    await this.answer(context, identified.identity, context.activity.text ?? '', log, { conversation: true });
  }

  private async welcome(context: TurnContext): Promise<void> {
    const botId = context.activity.recipient?.id;
    const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== botId);
    if (!joined) return;
    const identified = identifyCaller(context.activity, this.deps.tenantId);
    if (!identified.ok) return;
    await this.answer(context, identified.identity, 'help', this.turnLog(context, identified.identity));
  }

  /**
   * Routes the text within the turn budget. The roles are part of the budgeted work: a cold role lookup on a slow Graph
   * delays the result, never the first answer, and the router still checks the permission before any gated data is read.
   */
  private async answer(context: TurnContext, identity: CallerIdentity, text: string, log: Logger, options: { conversation?: boolean } = {}): Promise<void> {
    const { activity } = context;
    const attachments = activity.attachments ?? [];
    const conversations = options.conversation ? this.deps.conversations : undefined;
    const dialogTurn = conversations ? detachedTurn(context) : undefined;
    const interim = new InterimAnswer();
    const routed = (async () => {
      await this.rememberConversation(activity, identity);
      const caller = await this.withRoles(identity);
      // An open conversation sees the message first; it hands commands (and what it does not take) to the router.
      const conversation = conversations && dialogTurn ? await conversations.message(dialogTurn, { caller, services: this.deps.services, log }, stripMentions(text)) : undefined;
      if (conversation?.kind === 'reply') {
        log.info({ command: 'conversation' }, 'message handled');
        return conversation.reply;
      }
      const { command, reply } = await this.deps.commandRouter.route(text, { caller, services: this.deps.services, log, attachments, zone: userZone(activity), interim: (so) => interim.show(so) });
      log.info({ command }, 'message handled');
      return withNote(reply, conversation?.note);
    })();
    await this.budget.answerMessage(
      {
        reference: TurnContext.getConversationReference(activity),
        log,
        send: async (message) => (await context.sendActivity(message))?.id ?? '',
      },
      routed,
      interim,
    );
  }

  private async withRoles(identity: CallerIdentity): Promise<Caller> {
    return { ...identity, roles: await this.deps.services.roles.rolesOf(identity.aadObjectId) };
  }

  /** Personal chats are where approvals and outcomes are delivered proactively later. */
  private async rememberConversation(activity: Activity, identity: CallerIdentity): Promise<void> {
    if (activity.conversation?.conversationType !== 'personal') return;
    await this.deps.services.store.conversations.refresh(identity.aadObjectId, TurnContext.getConversationReference(activity));
  }

  /** One child logger per turn, bound to the caller once identified: a second child per turn showed in the bench profile. */
  private turnLog(context: TurnContext, caller?: CallerIdentity): Logger {
    const { activity } = context;
    return this.deps.log.child({ conversationId: activity.conversation?.id, activityId: activity.id, type: activity.type, ...(caller ? { caller: caller.aadObjectId } : {}) });
  }
}
