import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { Candidate } from '../bot/services/lookup';
import { Question, type Parsed } from './question';
import { dialogTurn, type DialogInput } from './turn';

export interface WhoOptions {
  /** The name as the person wrote it ("Raj"); searched with the whois search, by display name. */
  name: string;
  /** "Woodgrove" in "Raj from Woodgrove": narrows several matches to those of that organization. */
  organization?: string;
  /** The conversation asking, shown above the question. */
  flow: string;
}

/** Who the name turned out to be, or why nobody: the caller decides what to ask next. */
export type WhoResult = { found: Candidate } | { problem: string };

const STEPS = 'who.steps';
const PICK = 'who.pick';

function sameOrganization(candidate: Candidate, organization: string): boolean {
  const wanted = organization.toLowerCase();
  const domain = (candidate.mail ?? candidate.userPrincipalName ?? '').split('@')[1]?.toLowerCase() ?? '';
  return (candidate.companyName ?? '').toLowerCase().includes(wanted) || domain.split('.').includes(wanted);
}

function pickOne(input: DialogInput, candidates: readonly Candidate[]): Parsed<Candidate> {
  if (input.choice !== undefined) {
    const chosen = candidates.find((c) => c.id === input.choice);
    return chosen ? { ok: true, value: chosen } : { ok: false, problem: 'That is not one of the people listed.' };
  }
  const text = (input.text ?? '').trim().toLowerCase();
  if (/^\d{1,2}$/.test(text)) {
    const chosen = candidates[Number(text) - 1];
    if (chosen) return { ok: true, value: chosen };
  }
  const matches = candidates.filter((c) =>
    [c.mail, c.userPrincipalName, c.displayName, c.companyName].some((v) => v !== undefined && v.toLowerCase() === text) || (c.mail ?? '').toLowerCase().startsWith(`${text}@`),
  );
  if (matches.length === 1 && matches[0]) return { ok: true, value: matches[0] };
  const partial = candidates.filter((c) => text.length >= 2 && [c.mail, c.displayName, c.companyName].some((v) => (v ?? '').toLowerCase().includes(text)));
  if (partial.length === 1 && partial[0]) return { ok: true, value: partial[0] };
  return { ok: false, problem: `"${(input.text ?? '').slice(0, 80)}" does not pick one of them. Click Choose by the person, or type their number or address.` };
}

/**
 * "Who do you mean": a name searched with the same whois search (LookupService.whois, by display name), narrowed by the
 * organization when the sentence named one, and when several people remain, the whois pick list to choose from (by
 * button, number, address or a part of the name that only one of them has).
 */
export class WhoDoYouMeanDialog extends ComponentDialog {
  static readonly id = 'whoDoYouMean';

  constructor() {
    super(WhoDoYouMeanDialog.id);
    this.addDialog(new WaterfallDialog(STEPS, [(step) => this.search(step), (step) => this.picked(step)]));
    this.addDialog(new Question<Candidate>(PICK, async (_turn, input, ask) => pickOne(input, ask.people?.candidates ?? [])));
    this.initialDialogId = STEPS;
  }

  private async search(step: WaterfallStepContext) {
    const options = step.options as WhoOptions;
    const turn = dialogTurn(step.context);
    const result = await turn.services.lookup.whois({ kind: 'displayName', value: options.name }, turn.caller);
    if (result.kind === 'notFound') return step.endDialog({ problem: `Nobody here is called "${options.name}".` } satisfies WhoResult);
    if (result.kind === 'found') {
      const { user } = result;
      return step.endDialog({
        found: { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName, mail: user.mail, userType: user.userType },
      } satisfies WhoResult);
    }
    const narrowed = options.organization ? result.candidates.filter((c) => sameOrganization(c, options.organization ?? '')) : [];
    const [only, ...others] = narrowed;
    if (only && others.length === 0) return step.endDialog({ found: only } satisfies WhoResult);
    const candidates = narrowed.length > 0 ? narrowed : result.candidates;
    return step.beginDialog(PICK, {
      flow: options.flow,
      question: `Who do you mean by "${options.name}"?`,
      hint: 'Click Choose by the person, or type their number in the list or their email address.',
      people: { query: options.name, candidates, more: result.more && narrowed.length === 0 },
    });
  }

  private async picked(step: WaterfallStepContext) {
    return step.endDialog({ found: step.result as Candidate } satisfies WhoResult);
  }
}
