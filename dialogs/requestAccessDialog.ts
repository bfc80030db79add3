import { ComponentDialog, WaterfallDialog, type WaterfallStepContext } from 'botbuilder-dialogs';
import { startReply } from '../bot/presenters/access.presenter';
import type { PartnerProblem, PartnerView } from '../bot/services/accessRequests';
import { MAX_JUSTIFICATION_LENGTH } from '../bot/services/accessRequests';
import type { DialogChoice } from '../cards/dialogQuestion';
import { daysFromAnswer, type DurationAnswer } from './duration';
import { matchChoice, Question, type Ask, type Parsed } from './question';
import { describe, dialogTurn, type DialogTurn } from './turn';
import { WhoDoYouMeanDialog, type WhoOptions, type WhoResult } from './whoDoYouMeanDialog';

/** Everything the request has so far. It is the dialog's options, so it is stored with the dialog state and must be JSON. */
export interface RequestDraft {
  /** Addresses or a name as written, still to be resolved to a guest. */
  partnerText?: string;
  /** Set when partnerText is a name ("Raj"), searched with the whois search. */
  partnerIsName?: boolean;
  organization?: string;
  /** Several addresses, or an address and a name that disagree: the partner is asked for, with these as choices. */
  partnerChoices?: string[];
  partnerProblem?: string;
  partner?: { address: string; displayName: string };
  appQuery?: string;
  app?: { servicePrincipalId: string; name: string; roles: { id: string; name: string }[] };
  appRoleId?: string;
  days?: number;
  /** The duration as understood, in words, shown back above the form. */
  durationSaid?: string;
  /** A duration or date that could not be taken as it was written, with the readings to choose from when ambiguous. */
  durationProblem?: { problem: string; choices?: DialogChoice[] };
  justification?: string;
}

const FLOW = 'Request access';
const STEPS = 'request.steps';
const PARTNER = 'request.partner';
const APP = 'request.app';
const ROLE = 'request.role';
const DURATION = 'request.duration';
const JUSTIFICATION = 'request.justification';

type Slot = 'partner' | 'who' | 'app' | 'role' | 'duration' | 'justification';

/** What a waterfall instance keeps between asking and absorbing the answer. */
function valuesOf(step: WaterfallStepContext): { slot?: Slot; draft?: RequestDraft } {
  return step.values as { slot?: Slot; draft?: RequestDraft };
}

/** A guest found by address, or why that address cannot be the partner, in one sentence for the question card. */
export function partnerProblemWords(problem: PartnerProblem): string {
  switch (problem.kind) {
    case 'invalidEmail':
      return `"${problem.input.slice(0, 100)}" is not an address I can use: ${problem.problem}`;
    case 'notGuest':
      return `${problem.address.display} is not a guest here yet. Invite them first (write "invite ${problem.address.display}"), or give another partner.`;
    case 'member':
      return `${problem.address.display} belongs to a member account of our organization; access requests are for partner guests.`;
    case 'disabled':
      return `${problem.partner.displayName}'s guest account is disabled, so they cannot be given access.`;
    case 'self':
      return 'That address is yours; ask for a partner\'s access, not your own.';
  }
}

function facts(draft: RequestDraft): { title: string; value: string }[] {
  const known: { title: string; value: string }[] = [];
  if (draft.partner) known.push({ title: 'Partner', value: `${draft.partner.displayName} (${draft.partner.address})` });
  if (draft.app) known.push({ title: 'App', value: draft.app.name });
  const role = draft.app?.roles.find((r) => r.id === draft.appRoleId);
  if (role) known.push({ title: 'Role', value: role.name });
  if (draft.days !== undefined) known.push({ title: 'Duration', value: draft.days === 1 ? '1 day' : `${draft.days} days` });
  if (draft.justification) known.push({ title: 'Justification', value: draft.justification });
  return known;
}

function summary(draft: RequestDraft): string {
  const parts = [draft.app ? `for ${draft.app.name}` : draft.appQuery ? `for "${draft.appQuery.slice(0, 60)}"` : undefined];
  const who = draft.partner?.displayName ?? draft.partnerText;
  if (who) parts.push(`for ${who.slice(0, 80)}`);
  return ['your access request', ...parts.filter((p): p is string => p !== undefined)].join(' ');
}

async function partnerOf(turn: DialogTurn, address: string): Promise<{ partner: PartnerView } | { problem: string }> {
  const resolved = await turn.services.accessRequests.resolvePartner(turn.caller, address);
  return resolved.kind === 'partner' ? { partner: resolved.partner } : { problem: partnerProblemWords(resolved) };
}

/**
 * Request access in the requester's own words: the partner (an address, or a name through "who do you mean"), the app
 * (the same fuzzy match as `request`, a pick list when unsure), the role when the app has several, the duration when the
 * sentence gave one that cannot be taken as written, and the justification. Each missing piece is one question; the
 * dialog ends on the request command's own form, filled in, whose Send is the same access.submit as the command path.
 * Slot filling: the draft is the waterfall's options, and each answer restarts the waterfall with the draft it completed.
 */
export class RequestAccessDialog extends ComponentDialog {
  static readonly id = 'requestAccess';

  constructor() {
    super(RequestAccessDialog.id);
    this.addDialog(new WaterfallDialog(STEPS, [(step) => this.next(step), (step) => this.absorb(step)]));
    this.addDialog(new WhoDoYouMeanDialog());
    this.addDialog(
      new Question<string>(PARTNER, async (_turn, input, ask) => {
        const choice = matchChoice(input, ask.choices ?? []);
        if (choice) return { ok: true, value: choice.value };
        const text = (input.text ?? '').trim();
        if (Array.from(text).length < 2) return { ok: false, problem: "Give the partner's email address, or their name." };
        if ((text.match(/@/g) ?? []).length > 1) return { ok: false, problem: 'That is more than one address; give one partner at a time.' };
        return { ok: true, value: text };
      }),
    );
    const pick = async (_turn: DialogTurn, input: Parameters<typeof matchChoice>[0], ask: Ask): Promise<Parsed<string>> => {
      const choice = matchChoice(input, ask.choices ?? []);
      return choice ? { ok: true, value: choice.value } : { ok: false, problem: 'Pick one of the choices: click it, or type its number or its name.' };
    };
    this.addDialog(new Question<string>(APP, pick));
    this.addDialog(new Question<string>(ROLE, pick));
    this.addDialog(
      new Question<DurationAnswer>(DURATION, async (turn, input, ask) => {
        const choice = matchChoice(input, ask.choices ?? []);
        if (choice) return { ok: true, value: { days: Number(choice.value), said: choice.label } };
        return daysFromAnswer(turn, input.text ?? '');
      }),
    );
    this.addDialog(
      new Question<string>(JUSTIFICATION, async (_turn, input) => {
        const text = (input.text ?? '').trim();
        if (text === '') return { ok: false, problem: 'Say in a few words why the partner needs this access; the approvers decide on it.' };
        if (Array.from(text).length > MAX_JUSTIFICATION_LENGTH) return { ok: false, problem: `Keep the justification under ${MAX_JUSTIFICATION_LENGTH} characters.` };
        return { ok: true, value: text };
      }),
    );
    this.initialDialogId = STEPS;
  }

  /** Asks for the first thing the draft lacks, or ends on the filled-in request form. */
  private async next(step: WaterfallStepContext) {
    const draft = { ...(step.options as RequestDraft) };
    const turn = dialogTurn(step.context);
    describe(turn, 'request', summary(draft));
    const ask = (slot: Slot, id: string, question: Omit<Ask, 'flow' | 'known'>) => {
      valuesOf(step).slot = slot;
      valuesOf(step).draft = draft;
      return step.beginDialog(id, { flow: FLOW, known: facts(draft), ...question });
    };

    if (!draft.partner) {
      if (draft.partnerText && !draft.partnerChoices) {
        if (draft.partnerIsName) {
          valuesOf(step).slot = 'who';
          valuesOf(step).draft = draft;
          return step.beginDialog(WhoDoYouMeanDialog.id, { name: draft.partnerText, organization: draft.organization, flow: FLOW } satisfies WhoOptions);
        }
        const found = await partnerOf(turn, draft.partnerText);
        if ('partner' in found) {
          draft.partner = { address: found.partner.address, displayName: found.partner.displayName };
          return step.replaceDialog(STEPS, { ...draft, partnerText: undefined, partnerProblem: undefined });
        }
        draft.partnerProblem = found.problem;
        draft.partnerText = undefined;
      }
      return ask('partner', PARTNER, {
        question: draft.partnerChoices ? 'Which partner do you mean?' : 'Who is the partner?',
        hint: "Type the partner's email address or name, or type cancel.",
        ...(draft.partnerProblem ? { problem: draft.partnerProblem } : {}),
        ...(draft.partnerChoices ? { choices: draft.partnerChoices.map((c) => ({ value: c, label: c })) } : {}),
      });
    }

    if (!draft.app) {
      const outcome = await turn.services.accessRequests.start(turn.caller, { appQuery: draft.appQuery, email: draft.partner.address });
      if (outcome.kind === 'form') {
        const { app } = outcome.form;
        draft.app = { servicePrincipalId: app.servicePrincipalId, name: app.displayName, roles: app.roles.map((r) => ({ id: r.id, name: r.displayName })) };
        return step.replaceDialog(STEPS, draft);
      }
      if (outcome.kind === 'pickApp') {
        const question =
          outcome.matched === 'several'
            ? `${outcome.candidates.length} apps match "${outcome.query ?? ''}". Which one?`
            : outcome.matched === 'none'
              ? `No app is called "${outcome.query ?? ''}". Did you mean one of these?`
              : 'Which app should the partner get?';
        return ask('app', APP, {
          question,
          hint: 'Click the app, or type its number or its name.',
          choices: outcome.candidates.slice(0, 10).map((a) => ({ value: a.servicePrincipalId, label: a.displayName })),
        });
      }
      // Nothing to ask: the same card the request command shows (no apps, a blocked app, a partner who cannot get access).
      turn.reply = startReply(outcome);
      return step.endDialog();
    }

    if (draft.app.roles.length > 1 && !draft.app.roles.some((r) => r.id === draft.appRoleId)) {
      return ask('role', ROLE, {
        question: `${draft.app.name} has ${draft.app.roles.length} roles. Which one should the partner get?`,
        hint: 'Click the role, or type its name.',
        choices: draft.app.roles.map((r) => ({ value: r.id, label: r.name })),
      });
    }

    if (draft.durationProblem) {
      return ask('duration', DURATION, {
        question: 'For how long?',
        problem: draft.durationProblem.problem,
        hint: `Type a duration or an end date, such as "for 2 weeks" or "until 31 Jan" (at most ${turn.services.accessRequests.settings.maxDays} days).`,
        ...(draft.durationProblem.choices ? { choices: draft.durationProblem.choices } : {}),
      });
    }

    if (!draft.justification) {
      return ask('justification', JUSTIFICATION, {
        question: `Why does ${draft.partner.displayName} need ${draft.app.name}?`,
        hint: 'Type the reason in a sentence; the approvers decide on it.',
      });
    }

    const outcome = await turn.services.accessRequests.formFor(turn.caller, draft.app.servicePrincipalId, {
      email: draft.partner.address,
      days: draft.days,
      justification: draft.justification,
    });
    const card = startReply(outcome.kind === 'form' && draft.appRoleId ? { ...outcome, form: { ...outcome.form, appRoleId: draft.appRoleId } } : outcome);
    turn.reply = draft.durationSaid ? { card, text: draft.durationSaid } : card;
    return step.endDialog();
  }

  /** Puts the answer where it belongs in the draft, then asks for what is still missing. */
  private async absorb(step: WaterfallStepContext) {
    const draft = { ...valuesOf(step).draft };
    const slot = valuesOf(step).slot;
    const turn = dialogTurn(step.context);
    switch (slot ?? 'partner') {
      case 'partner': {
        const text = String(step.result);
        draft.partnerChoices = undefined;
        draft.partnerProblem = undefined;
        draft.partnerText = text;
        draft.partnerIsName = !text.includes('@');
        break;
      }
      case 'who': {
        const result = step.result as WhoResult;
        draft.partnerText = undefined;
        if ('problem' in result) {
          draft.partnerProblem = `${result.problem} Give their email address instead.`;
          break;
        }
        const address = result.found.mail ?? result.found.userPrincipalName ?? '';
        const found = await partnerOf(turn, address);
        if ('partner' in found) draft.partner = { address: found.partner.address, displayName: found.partner.displayName };
        else draft.partnerProblem = found.problem;
        break;
      }
      case 'app': {
        const outcome = await turn.services.accessRequests.formFor(turn.caller, String(step.result), { email: draft.partner?.address });
        if (outcome.kind !== 'form') {
          turn.reply = startReply(outcome);
          return step.endDialog();
        }
        const { app } = outcome.form;
        draft.app = { servicePrincipalId: app.servicePrincipalId, name: app.displayName, roles: app.roles.map((r) => ({ id: r.id, name: r.displayName })) };
        break;
      }
      case 'role':
        draft.appRoleId = String(step.result);
        break;
      case 'duration': {
        const answer = step.result as DurationAnswer;
        draft.days = answer.days;
        draft.durationSaid = answer.said;
        draft.durationProblem = undefined;
        break;
      }
      case 'justification':
        draft.justification = String(step.result);
        break;
    }
    return step.replaceDialog(STEPS, draft);
  }
}
