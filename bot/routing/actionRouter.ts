import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue } from 'botbuilder';
import { z } from 'zod';
import type { ActionContext, ActionReply, AnyCardAction } from '../actions/defineAction';
import type { AnyCommand } from '../commands/defineCommand';
import { describePermission, describeRoles, isAllowed } from '../identity/policy';
import { CONFIRM_VERBS, ConfirmationGate } from './confirmationGate';
import { BROKEN_CHARACTER, dataHasLoneSurrogate } from './inputText';

const CARD = 'application/vnd.microsoft.card.adaptive';
const MESSAGE = 'application/vnd.microsoft.activity.message';
const ERROR = 'application/vnd.microsoft.error';

const InvokeValue = z.object({
  action: z.object({ type: z.literal('Action.Execute'), verb: z.string().min(1), data: z.unknown().optional() }),
  trigger: z.enum(['manual', 'automatic']).optional(),
});

export function messageResponse(message: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: MESSAGE, value: message as unknown as Record<string, unknown> };
}

function invokeResponse(reply: ActionReply): AdaptiveCardInvokeResponse {
  if ('message' in reply) return messageResponse(reply.message);
  return { statusCode: 200, type: CARD, value: reply.card.content as Record<string, unknown> };
}

/**
 * Dispatches Action.Execute by verb. Card data is user input, so it is parsed again and the policy checked again. A
 * destructive action runs only through the confirmation gate; `confirm.accept` and `confirm.cancel` are the gate's own
 * buttons, answered here, and run the command (from `commands`) or action that was confirmed.
 */
export class ActionRouter {
  private readonly byVerb = new Map<string, AnyCardAction>();
  private readonly gate: ConfirmationGate;

  constructor(
    readonly actions: readonly AnyCardAction[],
    commands: readonly AnyCommand[] = [],
    clock?: () => Date,
  ) {
    for (const action of actions) {
      if (this.byVerb.has(action.verb) || Object.values<string>(CONFIRM_VERBS).includes(action.verb)) throw new Error(`two handlers for verb ${action.verb}`);
      this.byVerb.set(action.verb, action);
    }
    this.gate = new ConfirmationGate({ commands, actions }, clock);
  }

  async route(value: AdaptiveCardInvokeValue | unknown, context: Omit<ActionContext, 'trigger'>): Promise<{ verb?: string; response: AdaptiveCardInvokeResponse }> {
    const invoke = InvokeValue.safeParse(value);
    if (!invoke.success) {
      return { response: { statusCode: 400, type: ERROR, value: { code: 'BadRequest', message: 'This card action was not understood.' } } };
    }
    const { verb, data } = invoke.data.action;
    if (dataHasLoneSurrogate(data)) return { verb, response: messageResponse(BROKEN_CHARACTER.onCard) };
    // Never trust a card to say it was confirmed: only the gate sets `confirmed`, after consuming a stored confirmation.
    const plain: Omit<ActionContext, 'trigger'> = { caller: context.caller, services: context.services, log: context.log, ...(context.zone ? { zone: context.zone } : {}) };
    if (verb === CONFIRM_VERBS.accept) return { verb, response: invokeResponse(await this.gate.accept(plain, data)) };
    if (verb === CONFIRM_VERBS.cancel) return { verb, response: invokeResponse(await this.gate.cancel(plain, data)) };
    const action = this.byVerb.get(verb);
    if (!action) {
      return { verb, response: messageResponse('This button is no longer supported. Send "help" to see what I can do now.') };
    }
    if (!isAllowed(context.caller.roles, action.permission)) {
      return {
        verb,
        response: messageResponse(
          `Only ${describePermission(action.permission)} can do this. Your role: ${describeRoles(context.caller.roles)}.`,
        ),
      };
    }
    if (action.sideEffect === 'destructive' && action.confirm !== undefined && typeof action.confirm !== 'function') {
      return { verb, response: invokeResponse(await this.gate.acceptOwnCard(plain, verb, data)) };
    }
    const parsed = action.data.safeParse(data ?? {});
    if (!parsed.success) {
      return { verb, response: messageResponse('This card is out of date or was changed. Send the command again for a fresh card.') };
    }
    const full: ActionContext = { ...plain, trigger: invoke.data.trigger ?? 'manual' };
    if (action.sideEffect === 'destructive') {
      const gated = await this.gate.ask({ kind: 'action', verb, confirm: action.confirm }, full, data ?? {}, parsed.data);
      if ('reply' in gated) return { verb, response: invokeResponse(gated.reply) };
    }
    return { verb, response: invokeResponse(await action.run(full, parsed.data)) };
  }
}
