import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { whoisCard } from '../bot/presenters/whois.presenter';
import type { Candidate } from '../bot/services/lookup';
import { parseUserRef } from '../bot/services/userRef';
import { Question } from './question';
import { describe, dialogTurn } from './turn';
import { WhoDoYouMeanDialog, type WhoOptions, type WhoResult } from './whoDoYouMeanDialog';

export interface LookupDraft {
  query?: string;
  organization?: string;
  problem?: string;
}

const FLOW = 'Look someone up';
const STEPS = 'lookup.steps';
const QUERY = 'lookup.query';

/**
 * Look someone up in one's own words ("who is wmoran"): the whois command's search and card; a name that matches
 * several people goes through "who do you mean", and the chosen person's whois card ends it.
 */
export class LookupDialog extends ComponentDialog {
  static readonly id = 'lookup';

  constructor() {
    super(LookupDialog.id);
    this.addDialog(new WaterfallDialog(STEPS, [(step) => this.search(step), (step) => this.show(step), (step) => this.absorb(step)]));
    this.addDialog(new WhoDoYouMeanDialog());
    this.addDialog(
      new Question<string>(QUERY, async (_turn, input) => {
        const parsed = parseUserRef(input.text ?? '');
        return parsed.ok ? { ok: true, value: input.text ?? '' } : { ok: false, problem: parsed.problem };
      }),
    );
    this.initialDialogId = STEPS;
  }

  private async search(step: WaterfallStepContext) {
    const draft = step.options as LookupDraft;
    const turn = dialogTurn(step.context);
    describe(turn, 'lookup', draft.query ? `your look-up of "${draft.query.slice(0, 80)}"` : 'your look-up');
    const parsed = draft.query === undefined ? undefined : parseUserRef(draft.query);
    if (!parsed?.ok) {
      return step.beginDialog(QUERY, {
        flow: FLOW,
        question: 'Who do you want to look up?',
        hint: 'Type their name, email address, UPN or object id.',
        ...(parsed && !parsed.ok ? { problem: parsed.problem } : draft.problem ? { problem: draft.problem } : {}),
      });
    }
    if (parsed.value.kind === 'displayName') {
      return step.beginDialog(WhoDoYouMeanDialog.id, { name: parsed.value.value, organization: draft.organization, flow: FLOW } satisfies WhoOptions);
    }
    turn.reply = whoisCard(await turn.services.lookup.whois(parsed.value, turn.caller), turn.caller);
    return step.endDialog();
  }

  /** The person the name turned out to be: their whois card, read again by object id with what this caller may see. */
  private async show(step: WaterfallStepContext) {
    const turn = dialogTurn(step.context);
    const result = step.result as WhoResult | string | undefined;
    if (typeof result === 'string') return step.next(result);
    if (!result || 'problem' in result) {
      // Nobody by that name: the whois command's own answer, with its advice on what to type instead.
      const draft = step.options as LookupDraft;
      turn.reply = whoisCard({ kind: 'notFound', query: draft.query ?? '' }, turn.caller);
      return step.endDialog();
    }
    const found: Candidate = result.found;
    turn.reply = whoisCard(await turn.services.lookup.whois({ kind: 'objectId', value: found.id.toLowerCase() }, turn.caller), turn.caller);
    return step.endDialog();
  }

  private async absorb(step: WaterfallStepContext) {
    return step.replaceDialog(STEPS, { query: String(step.result) } satisfies LookupDraft);
  }
}
