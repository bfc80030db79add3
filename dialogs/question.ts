import { randomUUID } from 'node:crypto';
import { Dialog, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { cards } from '../cards';
import type { DialogChoice } from '../cards/dialogQuestion';
import type { Candidate } from '../bot/services/lookup';
import { dialogTurn, type DialogInput, type DialogTurn } from './turn';

/** What a question shows. It is stored in the dialog state, so it must be plain JSON. */
export interface Ask {
  flow: string;
  question: string;
  hint: string;
  known?: { title: string; value: string }[];
  /** Why the conversation asks again (the address given is not a guest), shown until the question is answered. */
  problem?: string;
  choices?: DialogChoice[];
  /** "Who do you mean": the whois pick list, answered with a person's object id. */
  people?: { query: string; candidates: Candidate[]; more: boolean };
  /** Anything the parent needs back to judge the answer (the app's roles, the readings of a date). */
  context?: Record<string, unknown>;
}

interface QuestionState {
  ask: Ask;
  questionId: string;
}

/** What a question's parser says about one answer: the value, or why not (the question is asked again with it). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Answers longer than this are refused before any parsing: nobody types a 10,000-character answer to a question. */
export const MAX_ANSWER_LENGTH = 1000;

/** The choice an answer names: the button's value, its number in the list, its label, or the one label it is part of. */
export function matchChoice(input: DialogInput, choices: readonly DialogChoice[]): DialogChoice | undefined {
  if (input.choice !== undefined) return choices.find((c) => c.value === input.choice);
  const text = (input.text ?? '').trim().toLowerCase();
  if (text === '') return undefined;
  if (/^\d{1,2}$/.test(text)) return choices[Number(text) - 1];
  const exact = choices.filter((c) => c.label.toLowerCase() === text || c.value.toLowerCase() === text);
  if (exact.length === 1) return exact[0];
  const partial = choices.filter((c) => c.label.toLowerCase().includes(text));
  return partial.length === 1 ? partial[0] : undefined;
}

function isQuestionState(value: unknown): value is QuestionState {
  return typeof value === 'object' && value !== null && 'ask' in value && 'questionId' in value;
}

/**
 * One question of a conversation, asked on a card and answered by typing or by one of its buttons: both arrive as a
 * DialogInput and go through the same `parse`. A wrong answer asks again with the problem on the card; a click on an
 * older question's card is refused, as is a button value the question did not offer (card data is user input).
 */
export class Question<T> extends Dialog<Ask> {
  constructor(
    id: string,
    private readonly parse: (turn: DialogTurn, input: DialogInput, ask: Ask) => Promise<Parsed<T>>,
  ) {
    super(id);
  }

  override async beginDialog(dc: DialogContext, ask?: Ask): Promise<DialogTurnResult> {
    if (!ask) throw new Error(`${this.id} needs what to ask`);
    const state: QuestionState = { ask, questionId: randomUUID() };
    const instance = dc.activeDialog;
    if (!instance) throw new Error(`${this.id} began without an instance`);
    instance.state = state;
    show(dialogTurn(dc.context), state);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    const turn = dialogTurn(dc.context);
    const state: unknown = dc.activeDialog?.state;
    if (!isQuestionState(state)) throw new Error(`${this.id} lost its state`);
    const { input } = turn;
    if (input.questionId !== undefined && input.questionId !== state.questionId) {
      show(turn, state, 'That card is an earlier question, already answered. Answer this one, or type cancel.');
      return Dialog.EndOfTurn;
    }
    const offered = [...(state.ask.choices ?? []).map((c) => c.value), ...(state.ask.people?.candidates ?? []).map((c) => c.id)];
    if (input.choice !== undefined && !offered.includes(input.choice)) {
      show(turn, state, 'That button was not one of the choices I offered. Pick one below, or type your answer.');
      return Dialog.EndOfTurn;
    }
    const length = Array.from(input.text ?? '').length;
    if (length > MAX_ANSWER_LENGTH) {
      show(turn, state, `That answer is ${length.toLocaleString('en-US')} characters long; keep it under ${MAX_ANSWER_LENGTH.toLocaleString('en-US')}.`);
      return Dialog.EndOfTurn;
    }
    const parsed = await this.parse(turn, input, state.ask);
    if (!parsed.ok) {
      show(turn, state, parsed.problem);
      return Dialog.EndOfTurn;
    }
    return dc.endDialog(parsed.value);
  }
}

function show(turn: DialogTurn, state: QuestionState, newProblem?: string): void {
  const { ask, questionId } = state;
  const problem = newProblem ?? ask.problem;
  if (ask.people) {
    turn.reply = {
      card: cards.userPicker({ ...ask.people, pick: { questionId, instruction: [problem, ask.question, ask.hint].filter(Boolean).join(' ') } }),
      text: ask.question,
    };
    return;
  }
  turn.reply = {
    card: cards.dialogQuestion({ flow: ask.flow, questionId, question: ask.question, problem, known: ask.known, choices: ask.choices, hint: ask.hint }),
    text: ask.question,
  };
}
