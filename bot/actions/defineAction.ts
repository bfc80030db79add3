import type { Attachment } from 'botbuilder';
import type { z } from 'zod';
import type { Permission } from '../identity/policy';
import type { ConfirmStep } from '../handlers/confirmation';
import type { HandlerContext, SideEffect } from '../handlers/context';

export type ActionContext = HandlerContext & {
  /** 'automatic' when Teams asks for a refresh of a card on display, 'manual' when a person clicked. */
  trigger: 'manual' | 'automatic';
};

/** A replacement card, or a short message Teams shows under the card while leaving it as it is. */
export type ActionReply = { card: Attachment } | { message: string };

export interface CardAction<Data = unknown> {
  /** `noun.verb`, as written in the card templates' Action.Execute. */
  verb: string;
  /** Card data is user input: it is re-parsed here and the permission re-checked on every click. */
  data: z.ZodType<Data>;
  permission: Permission;
  sideEffect: SideEffect;
  /**
   * Required when `sideEffect` is destructive. A function: the router asks it what the click would do, stores the parsed
   * data and answers with a confirmation card; `run` gets that stored data after Confirm. `{ onItsOwnCard: true }`: the card
   * that carries this verb is the confirmation, and its issuing step embedded an id from `issueConfirmation`.
   */
  confirm?: ConfirmStep<Data>;
  run(context: ActionContext, data: Data): Promise<ActionReply>;
}

export function defineAction<Data>(action: CardAction<Data>): CardAction<Data> {
  return action;
}

export type AnyCardAction = CardAction<unknown>;
