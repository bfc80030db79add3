import template from './inviteConfirm.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

/** The form's inputs, by their ids: what was typed when the form comes back, and the problem by each. */
export type InviteFormField = 'displayName' | 'delivery' | 'message' | 'language' | 'cc' | 'redirectUrl' | 'groups' | 'justification';

export interface InviteConfirmData {
  /** The draft invitation's key: the buttons carry it, so a second click finds the same invitation. */
  id: string;
  /** The address with its domain in Unicode. */
  email: string;
  /** The domain, with its punycode form when they differ. */
  domain: string;
  /** Set for an international domain: both forms, so a look-alike is visible. */
  lookalike?: string;
  /** Where the partner's sign-in will go. */
  signIn: string;
  sponsor: string;
  displayName?: string;
  redirectUrl: string;
  /** Admins send at once; managers ask an admin, and say why. */
  asAdmin: boolean;
  /** The tenant's own restrictions could not be checked, or may cover this domain: Entra may still refuse. */
  tenantCaution?: string;
  /** What was typed, when the form comes back after a problem. */
  typed?: Partial<Record<InviteFormField, string>>;
  /** Problems by field; `form` for one that belongs to no single field. */
  problems?: Partial<Record<InviteFormField | 'form', string>>;
}

// Input values are not Markdown, so they are only cleared of control characters (newlines kept for multi-line boxes).
function inputValue(value: string | undefined, max: number, multiline = false): string {
  // eslint-disable-next-line no-control-regex
  const control = multiline ? /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g : /[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;
  return (value ?? '').replace(control, '').slice(0, max);
}

/** The invite form: what will happen, where sign-in goes, and the few choices Graph's invitation takes. */
export function inviteConfirm(data: InviteConfirmData) {
  const typed = data.typed ?? {};
  const problem = (field: InviteFormField | 'form') => plain(data.problems?.[field] ?? '', 400);
  return renderCard(template, {
    id: data.id,
    email: plainLine(data.email, 254),
    domain: plainLine(data.domain, 300),
    lookalike: plain(data.lookalike ?? '', 600),
    signIn: plain(data.signIn, 400),
    sponsor: plainLine(data.sponsor || 'You', 120),
    tenantCaution: plain(data.tenantCaution ?? '', 600),
    displayName: inputValue(typed.displayName ?? data.displayName, 256),
    delivery: typed.delivery === 'email' ? 'email' : 'link',
    message: inputValue(typed.message, 2000, true),
    language: inputValue(typed.language, 20),
    cc: inputValue(typed.cc, 254),
    redirectUrl: inputValue(typed.redirectUrl ?? data.redirectUrl, 2000),
    groups: inputValue(typed.groups, 400),
    justification: inputValue(typed.justification, 1000, true),
    askJustification: !data.asAdmin,
    formProblem: problem('form'),
    displayNameError: problem('displayName'),
    messageError: problem('message'),
    languageError: problem('language'),
    ccError: problem('cc'),
    redirectUrlError: problem('redirectUrl'),
    groupsError: problem('groups'),
    justificationError: problem('justification'),
    approvalNote: data.asAdmin
      ? 'You are an admin: the invitation is sent when you click Send invitation.'
      : 'You are a partner manager: an admin other than you must approve before the invitation is sent. You will be told the outcome here.',
    submitTitle: data.asAdmin ? 'Send invitation' : 'Ask an admin to approve',
  });
}
