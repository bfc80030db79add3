import type { AdaptiveCardInvokeResponse, AdaptiveCardInvokeValue } from 'botbuilder';
import { z } from 'zod';
import type { ActionContext, AnyCardAction } from '../actions/defineAction';
import { describePermission, describeRoles, isAllowed } from '../identity/policy';

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

/** Dispatches Action.Execute by verb. Card data is user input, so it is parsed again and the policy checked again. */
export class ActionRouter {
  private readonly byVerb = new Map<string, AnyCardAction>();

  constructor(readonly actions: readonly AnyCardAction[]) {
    for (const action of actions) {
      if (this.byVerb.has(action.verb)) throw new Error(`two handlers for verb ${action.verb}`);
      this.byVerb.set(action.verb, action);
    }
  }

  async route(value: AdaptiveCardInvokeValue | unknown, context: Omit<ActionContext, 'trigger'>): Promise<{ verb?: string; response: AdaptiveCardInvokeResponse }> {
    const invoke = InvokeValue.safeParse(value);
    if (!invoke.success) {
      return { response: { statusCode: 400, type: ERROR, value: { code: 'BadRequest', message: 'This card action was not understood.' } } };
    }
    const { verb, data } = invoke.data.action;
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
    const parsed = action.data.safeParse(data ?? {});
    if (!parsed.success) {
      return { verb, response: messageResponse('This card is out of date or was changed. Send the command again for a fresh card.') };
    }
    const reply = await action.run({ ...context, trigger: invoke.data.trigger ?? 'manual' }, parsed.data);
    if ('message' in reply) return { verb, response: messageResponse(reply.message) };
    return { verb, response: { statusCode: 200, type: CARD, value: reply.card.content as Record<string, unknown> } };
  }
}
