import { randomUUID } from 'node:crypto';
import {
  TeamsActivityHandler,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type Attachment,
} from 'botbuilder';
import { cards } from '../cards';
import type { CommandReply } from './commands/defineCommand';
import { identifyCaller, type Caller, type IdentityRefusal } from './identity/caller';
import type { Logger } from './logger';
import type { ActionRouter } from './routing/actionRouter';
import { messageResponse } from './routing/actionRouter';
import type { CommandRouter } from './routing/commandRouter';
import { failureCard } from './routing/replies';
import type { Services } from './services';

export interface TeamsBotDeps {
  tenantId: string;
  services: Services;
  commandRouter: CommandRouter;
  actionRouter: ActionRouter;
  log: Logger;
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

function toActivity(reply: CommandReply): { attachments: Attachment[]; text?: string } {
  return 'card' in reply ? { attachments: [reply.card], text: reply.text } : { attachments: [reply] };
}

/** Receives Teams activities and delegates: identity once, then the command or card-action router. No feature logic here. */
export class TeamsBot extends TeamsActivityHandler {
  constructor(private readonly deps: TeamsBotDeps) {
    super();
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
    const log = this.turnLog(context);
    const identified = identifyCaller(context.activity, this.deps.tenantId);
    if (!identified.ok) {
      log.warn({ refusal: identified.reason }, 'card action refused');
      return messageResponse(refusalText(identified).text);
    }
    const incident = randomUUID();
    try {
      const caller = await this.withRoles(identified.identity);
      const routed = await this.deps.actionRouter.route(value, { caller, services: this.deps.services, log: log.child({ caller: caller.aadObjectId }) });
      log.info({ verb: routed.verb, caller: caller.aadObjectId, status: routed.response.statusCode }, 'card action handled');
      return routed.response;
    } catch (error) {
      log.error({ err: error, incident }, 'card action failed');
      const card = failureCard(error, incident);
      return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card.content as Record<string, unknown> };
    }
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const log = this.turnLog(context);
    const identified = identifyCaller(context.activity, this.deps.tenantId);
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
    const incident = randomUUID();
    try {
      const caller = await this.withRoles(identified.identity);
      await this.rememberConversation(context, caller);
      const routed = await this.deps.commandRouter.route(context.activity.text ?? '', {
        caller,
        services,
        log: log.child({ caller: caller.aadObjectId }),
        attachments: context.activity.attachments ?? [],
      });
      log.info({ command: routed.command, caller: caller.aadObjectId }, 'message handled');
      await context.sendActivity(toActivity(routed.reply));
    } catch (error) {
      log.error({ err: error, incident }, 'message failed');
      await context.sendActivity({ attachments: [failureCard(error, incident)] });
    }
  }

  private async welcome(context: TurnContext): Promise<void> {
    const botId = context.activity.recipient?.id;
    const joined = (context.activity.membersAdded ?? []).some((m) => m.id !== botId);
    if (!joined) return;
    const identified = identifyCaller(context.activity, this.deps.tenantId);
    if (!identified.ok) return;
    try {
      const caller = await this.withRoles(identified.identity);
      await this.rememberConversation(context, caller);
      const routed = await this.deps.commandRouter.route('help', { caller, services: this.deps.services, log: this.turnLog(context) });
      await context.sendActivity(toActivity(routed.reply));
    } catch (error) {
      this.turnLog(context).error({ err: error }, 'welcome failed');
    }
  }

  private async withRoles(identity: Omit<Caller, 'roles'>): Promise<Caller> {
    return { ...identity, roles: await this.deps.services.roles.rolesOf(identity.aadObjectId) };
  }

  /** Personal chats are where approvals and outcomes are delivered proactively later. */
  private async rememberConversation(context: TurnContext, caller: Caller): Promise<void> {
    if (context.activity.conversation?.conversationType !== 'personal') return;
    await this.deps.services.store.conversations.save(caller.aadObjectId, TurnContext.getConversationReference(context.activity));
  }

  private turnLog(context: TurnContext): Logger {
    return this.deps.log.child({ conversationId: context.activity.conversation?.id, activityId: context.activity.id, type: context.activity.type });
  }
}
