import type { TurnContext } from 'botbuilder';
import type { CommandReply } from '../bot/commands/defineCommand';
import type { Caller } from '../bot/identity/caller';
import type { Logger } from '../bot/logger';
import type { Services } from '../bot/services';
import type { UserZone } from '../bot/services/timeSpan';

/** One answer to the open question: typed text, or the value of the button that was clicked on its card. */
export interface DialogInput {
  text?: string;
  /** A button's value; the question checks it is one it offered. */
  choice?: string;
  /** The question the clicked card belongs to. */
  questionId?: string;
}

/** What the conversation has gathered so far, in words, for "what was dropped" and for the cards' facts. */
export interface DialogMemo {
  flow: string;
  /** "a request for Contoso Expenses for ana@fabrikam.com": what a cancel or a time-out drops. */
  summary: string;
  lastActiveAt: string;
}

/**
 * Everything a dialog step needs for this turn besides its own state: who is writing, the services, the answer, and
 * where to put the one reply of the turn. Dialogs never send: the turn's owner sends the reply within the turn budget.
 */
export interface DialogTurn {
  caller: Caller;
  services: Services;
  log: Logger;
  now: Date;
  /** The person's time zone and locale from the activity, for the grammar and the date parser. */
  zone: UserZone;
  input: DialogInput;
  reply?: CommandReply;
  memo?: DialogMemo;
}

const TURN = Symbol('dialogTurn');

export function setDialogTurn(context: TurnContext, turn: DialogTurn): void {
  context.turnState.set(TURN, turn);
}

/** The turn's DialogTurn; a dialog run without one is a programming error, not user input. */
export function dialogTurn(context: TurnContext): DialogTurn {
  const turn = context.turnState.get(TURN) as DialogTurn | undefined;
  if (!turn) throw new Error('dialog run outside a conversation turn');
  return turn;
}

/** Records what the conversation is about now, so a cancel or a time-out can say what it drops. */
export function describe(turn: DialogTurn, flow: string, summary: string): void {
  turn.memo = { flow, summary, lastActiveAt: turn.now.toISOString() };
}
