import template from './inviteOutcome.card.json';
import { TONES, type Tone } from './notice';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface InviteOutcomeData {
  tone: Tone;
  title: string;
  text?: string;
  facts?: { title: string; value: string }[];
  /** The invitation's redemption link, shown when the bot (not Microsoft) delivers it. */
  redeemUrl?: string;
  redeemNote?: string;
  /** The requester's own message, to send together with the link. */
  personalMessage?: string;
  note?: string;
  /** Offers a Resend button for this address. */
  resendEmail?: string;
  resendTitle?: string;
}

/** The result of invite or resend: what happened first, then the facts, then the link to pass on. */
export function inviteOutcome(data: InviteOutcomeData) {
  return renderCard(template, {
    ...TONES[data.tone],
    title: plain(data.title, 300),
    text: plain(data.text ?? '', 1200),
    facts: (data.facts ?? []).slice(0, 12).map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 400) })),
    redeemUrl: data.redeemUrl && /^https:\/\//.test(data.redeemUrl) ? plainLine(data.redeemUrl, 2000) : '',
    redeemNote: plain(data.redeemNote ?? 'Send this link to the partner. It works once, for this address only.', 400),
    personalMessage: plain(data.personalMessage ?? '', 2000),
    note: plain(data.note ?? '', 600),
    resendEmail: data.resendEmail ?? '',
    resendTitle: data.resendTitle ?? 'Resend invitation',
  });
}
