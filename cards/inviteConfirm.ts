import template from './inviteConfirm.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

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
  /** Admins send at once; managers ask an admin. */
  asAdmin: boolean;
}

/** The invite form: what will happen, where sign-in goes, and the few choices Graph's invitation takes. */
export function inviteConfirm(data: InviteConfirmData) {
  return renderCard(template, {
    id: data.id,
    email: plainLine(data.email, 254),
    domain: plainLine(data.domain, 300),
    lookalike: plain(data.lookalike ?? '', 600),
    signIn: plain(data.signIn, 400),
    sponsor: plainLine(data.sponsor || 'You', 120),
    // Input values are not Markdown, so they are only cleared of control characters, not escaped.
    // eslint-disable-next-line no-control-regex
    displayName: (data.displayName ?? '').replace(/[\u0000-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g, '').slice(0, 256),
    redirectUrl: data.redirectUrl,
    approvalNote: data.asAdmin
      ? 'You are an admin: the invitation is sent when you click Send invitation.'
      : 'You are a partner manager: an admin other than you must approve before the invitation is sent. You will be told the outcome here.',
    submitTitle: data.asAdmin ? 'Send invitation' : 'Ask an admin to approve',
  });
}
