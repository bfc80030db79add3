import template from './dialogQuestion.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface DialogChoice {
  /** What the button sends back; the dialog checks it is one it offered. */
  value: string;
  label: string;
  details?: string;
}

export interface DialogQuestionData {
  /** Which conversation this is ("Request access"), above the question. */
  flow: string;
  /** Identifies the question, so a click on an older one is told it was answered already. */
  questionId: string;
  question: string;
  /** Why the last answer was not taken, in plain words. */
  problem?: string;
  /** What the conversation has so far, so the person sees what they are adding to. */
  known?: { title: string; value: string }[];
  choices?: DialogChoice[];
  /** How to answer by typing instead. */
  hint: string;
}

const MAX_CHOICES = 10;

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069\u2028\u2029]/g;

/**
 * A button's title is shown as it is (Adaptive Cards render no Markdown there), so it is not escaped like a TextBlock:
 * "msiam_access" stays readable. Control and bidi-override characters are dropped and the length bounded.
 */
function buttonTitle(text: string): string {
  const chars = Array.from(text.replace(UNSAFE, ' ').trim());
  return chars.length > 80 ? `${chars.slice(0, 79).join('')}…` : chars.join('');
}

/**
 * One question of a conversation (a dialog in dialogs/): what is known so far, and a button per choice when there are
 * choices. A button and the same answer typed lead to the same next step; Cancel ends the conversation like `cancel`.
 */
export function dialogQuestion(data: DialogQuestionData) {
  return renderCard(template, {
    flow: plainLine(data.flow, 100),
    questionId: data.questionId,
    question: plain(data.question, 300),
    problem: plain(data.problem ?? '', 600),
    known: (data.known ?? []).map((fact) => ({ title: plainLine(fact.title, 60), value: plain(fact.value, 300) })),
    choices: (data.choices ?? []).slice(0, MAX_CHOICES).map((choice) => ({
      value: choice.value,
      label: buttonTitle(choice.label),
      details: plainLine(choice.details ?? '', 200),
    })),
    hint: plain(data.hint, 300),
  });
}
