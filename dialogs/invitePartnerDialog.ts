import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { cards } from '../cards';
import { canBulkInvite } from '../bot/identity/capabilities';
import { bulkCard } from '../bot/presenters/bulk.presenter';
import { prepareReply } from '../bot/presenters/invite.presenter';
import { matchChoice, Question } from './question';
import { describe, dialogTurn } from './turn';

export interface InviteDraft {
  address?: string;
  displayName?: string;
  /** Several addresses, or an address and a name that disagree: asked which one, with these as the choices. */
  choices?: string[];
  /** Several addresses and no conflict: an admin's bulk invitation, as `invite a, b` makes it. */
  several?: string[];
  /** "…and give her access to Timesheets": said after the form, since access needs the guest first. */
  thenApp?: string;
  problem?: string;
}

const FLOW = 'Invite a partner';
const STEPS = 'invite.steps';
const ADDRESS = 'invite.address';

/**
 * Invite a partner in one's own words: one address, asked for when the sentence gave none, or which one when it gave
 * several or an address and a name that disagree. It ends on the invite command's own form (InvitationService.prepare,
 * the same checks and the same invite.submit), or asks again when the address is refused as invalid.
 */
export class InvitePartnerDialog extends ComponentDialog {
  static readonly id = 'invitePartner';

  constructor() {
    super(InvitePartnerDialog.id);
    this.addDialog(new WaterfallDialog(STEPS, [(step) => this.next(step), (step) => this.absorb(step)]));
    this.addDialog(
      new Question<string>(ADDRESS, async (_turn, input, ask) => {
        const choice = matchChoice(input, ask.choices ?? []);
        if (choice) return { ok: true, value: choice.value };
        const text = (input.text ?? '').trim();
        if ((text.match(/@/g) ?? []).length > 1) return { ok: false, problem: 'That is more than one address; invite one partner at a time here, or use invite with a list.' };
        if (!text.includes('@')) return { ok: false, problem: "Give the partner's email address, such as ana@fabrikam.com." };
        return { ok: true, value: text };
      }),
    );
    this.initialDialogId = STEPS;
  }

  private async next(step: WaterfallStepContext) {
    const draft = { ...(step.options as InviteDraft) };
    const turn = dialogTurn(step.context);
    describe(turn, 'invite', draft.address ? `your invitation for ${draft.address.slice(0, 100)}` : 'your invitation of a partner');
    if (draft.several && canBulkInvite(turn.caller)) {
      const created = await turn.services.bulkInvitations.createFromMessage(turn.caller, draft.several, []);
      turn.reply = created.ok ? bulkCard(created.view, turn.caller) : cards.notice({ tone: 'warning', title: 'The list could not be used', text: created.problem });
      return step.endDialog();
    }
    if (draft.address && !draft.choices) {
      const outcome = await turn.services.invitations.prepare(turn.caller, draft.address, draft.displayName);
      if (outcome.kind !== 'invalid') {
        const card = prepareReply(turn.caller, outcome);
        turn.reply = draft.thenApp
          ? { card, text: `Once ${draft.address.slice(0, 100)} is a guest, write "give ${draft.address.slice(0, 100)} access to ${draft.thenApp.slice(0, 100)}" and I will ask for the rest.` }
          : card;
        return step.endDialog();
      }
      draft.problem = `"${outcome.input.slice(0, 100)}" cannot be invited: ${outcome.problem}`;
      draft.address = undefined;
    }
    (step.values as { draft?: InviteDraft }).draft = draft;
    return step.beginDialog(ADDRESS, {
      flow: FLOW,
      question: draft.choices ? 'Which partner do you want to invite?' : "What is the partner's email address?",
      hint: 'Type the address, or type cancel.',
      ...(draft.problem ? { problem: draft.problem } : {}),
      ...(draft.choices ? { choices: draft.choices.map((c) => ({ value: c, label: c })) } : {}),
    });
  }

  private async absorb(step: WaterfallStepContext) {
    const draft = (step.values as { draft?: InviteDraft }).draft ?? {};
    return step.replaceDialog(STEPS, { displayName: draft.displayName, thenApp: draft.thenApp, address: String(step.result) } satisfies InviteDraft);
  }
}
