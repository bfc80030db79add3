import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { daysFromTimeSpan } from './duration';
import { InvitePartnerDialog, type InviteDraft } from './invitePartnerDialog';
import { LookupDialog, type LookupDraft } from './lookupDialog';
import { matchChoice, Question } from './question';
import { RequestAccessDialog, type RequestDraft } from './requestAccessDialog';
import { describe, dialogTurn } from './turn';
import type { Intent, Understanding } from './understanding';

const STEPS = 'conversation.steps';
const INTENT = 'conversation.intent';

export const WHICH_FLOW_QUESTION = 'Do you want to request access, invite a partner, or look someone up?';

const INTENT_CHOICES: { value: Intent; label: string; words: RegExp }[] = [
  { value: 'request', label: 'Request access', words: /\b(request|access|grant|give)\b/i },
  { value: 'invite', label: 'Invite a partner', words: /\binvite\b/i },
  { value: 'lookup', label: 'Look someone up', words: /\b(look|lookup|who|whois|find)\b/i },
];

/** Addresses the grammar refused, in one sentence for the question that asks for the partner. */
function refused(understanding: Understanding): string | undefined {
  if (understanding.refusedAddresses.length === 0) return undefined;
  return understanding.refusedAddresses.map((r) => `"${r.text.slice(0, 100)}" is not an address I can use: ${r.reason}`).join(' ');
}

function problems(understanding: Understanding): string | undefined {
  const all = [...understanding.conflicts, refused(understanding)].filter((p): p is string => p !== undefined && p !== '');
  return all.length > 0 ? all.join(' ') : undefined;
}

/** The request the sentence describes, as far as it goes; what it leaves out, or gets wrong, the request dialog asks for. */
export function requestDraft(understanding: Understanding): RequestDraft {
  const draft: RequestDraft = {};
  const [only, ...more] = understanding.emails;
  const problem = problems(understanding);
  if (only && more.length === 0 && understanding.conflicts.length === 0) draft.partnerText = only;
  else if (understanding.emails.length > 0) draft.partnerChoices = understanding.emails;
  else if (understanding.personName && understanding.conflicts.length === 0) {
    draft.partnerText = understanding.personName;
    draft.partnerIsName = true;
  }
  if (problem) draft.partnerProblem = problem;
  if (understanding.organization) draft.organization = understanding.organization;
  if (understanding.appPhrase) draft.appQuery = understanding.appPhrase;
  if (understanding.end) {
    const days = daysFromTimeSpan(understanding.end);
    if ('days' in days) {
      draft.days = days.days;
      draft.durationSaid = days.said;
    } else draft.durationProblem = days;
  }
  if (understanding.justification) draft.justification = understanding.justification;
  return draft;
}

export function inviteDraft(understanding: Understanding): InviteDraft {
  const [only, ...more] = understanding.emails;
  const problem = problems(understanding);
  return {
    ...(only && more.length === 0 && understanding.conflicts.length === 0 ? { address: only } : {}),
    ...(understanding.emails.length > 1 || (only && understanding.conflicts.length > 0) ? { choices: understanding.emails } : {}),
    ...(understanding.emails.length > 1 && understanding.conflicts.length === 0 ? { several: understanding.emails } : {}),
    ...(understanding.personName && understanding.emails.length <= 1 ? { displayName: understanding.personName } : {}),
    ...(understanding.appPhrase ? { thenApp: understanding.appPhrase } : {}),
    ...(problem ? { problem } : {}),
  };
}

export function lookupDraft(understanding: Understanding): LookupDraft {
  const query = understanding.emails[0] ?? understanding.personName;
  return { ...(query ? { query } : {}), ...(understanding.organization ? { organization: understanding.organization } : {}) };
}

/**
 * The conversation a free sentence starts: the flow the grammar recognised, filled with what the sentence said, or when it
 * recognised none, the one question "request access, invite a partner, or look someone up?" before that flow.
 */
export class ConversationDialog extends ComponentDialog {
  static readonly id = 'conversation';

  constructor() {
    super(ConversationDialog.id);
    this.addDialog(new WaterfallDialog(STEPS, [(step) => this.which(step), (step) => this.begin(step), (step) => step.endDialog()]));
    this.addDialog(
      new Question<Intent>(INTENT, async (_turn, input) => {
        const choice = matchChoice(input, INTENT_CHOICES);
        if (choice) return { ok: true, value: choice.value as Intent };
        const named = INTENT_CHOICES.filter((c) => c.words.test(input.text ?? ''));
        if (named.length === 1 && named[0]) return { ok: true, value: named[0].value };
        return { ok: false, problem: 'Pick one of the three, or type cancel.' };
      }),
    );
    this.addDialog(new RequestAccessDialog());
    this.addDialog(new InvitePartnerDialog());
    this.addDialog(new LookupDialog());
    this.initialDialogId = STEPS;
  }

  private async which(step: WaterfallStepContext) {
    const understanding = step.options as Understanding;
    if (understanding.intent !== 'unknown') return step.next(understanding.intent);
    describe(dialogTurn(step.context), 'choose', 'your question about what to do');
    return step.beginDialog(INTENT, {
      flow: 'Partner Access Bot',
      question: WHICH_FLOW_QUESTION,
      hint: 'Click one, or type request, invite or look up. Type help for the commands.',
      choices: INTENT_CHOICES.map(({ value, label }) => ({ value, label })),
    });
  }

  private async begin(step: WaterfallStepContext) {
    const understanding = step.options as Understanding;
    const intent = step.result as Intent;
    if (intent === 'request') return step.beginDialog(RequestAccessDialog.id, requestDraft(understanding));
    if (intent === 'invite') return step.beginDialog(InvitePartnerDialog.id, inviteDraft(understanding));
    return step.beginDialog(LookupDialog.id, lookupDraft(understanding));
  }
}
