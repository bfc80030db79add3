import template from './grantNotice.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface GrantNoticeData {
  grantId: string;
  /** Small line above the title: "Access ends in 7 days", "Grant". */
  heading: string;
  /** The heading's color: `warning` for a notice, `accent` for the grant's own card. */
  headingColor: 'attention' | 'accent' | 'good';
  title: string;
  text?: string;
  facts: { title: string; value: string }[];
  /** What the click that brought this card back did, above everything. */
  outcome?: { tone: 'good' | 'warning' | 'attention'; text: string };
  /** Shown exactly when the click would be allowed (bot/identity/capabilities.ts). */
  canExtend: boolean;
  canLetEnd: boolean;
  canShorten: boolean;
  /** What was typed in End earlier when it was refused, and why. */
  when?: string;
  whenProblem?: string;
  note?: string;
  /** The card is the confirmation of End earlier: its button carries this one-time id (bot/handlers/confirmation.ts). */
  confirmation?: { id: string; label: string };
}

/**
 * A grant between granted and its end: the expiry notice the requester and the partner's sponsors get (Extend, Let it
 * end), and the grant's own card from `expiring` (End earlier for admins and the app's owners).
 */
export function grantNotice(data: GrantNoticeData) {
  return renderCard(template, {
    grantId: data.grantId,
    heading: plainLine(data.heading, 100),
    headingColor: data.headingColor,
    title: plainLine(data.title, 250),
    text: plain(data.text ?? '', 800),
    facts: data.facts.slice(0, 14).map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 400) })),
    outcome: plain(data.outcome?.text ?? '', 800),
    outcomeStyle: data.outcome?.tone ?? 'good',
    canExtend: data.canExtend,
    canLetEnd: data.canLetEnd,
    canShorten: data.canShorten,
    when: plainLine(data.when ?? '', 200),
    whenProblem: plain(data.whenProblem ?? '', 600),
    note: plain(data.note ?? '', 600),
    confirmationId: data.confirmation?.id ?? '',
    confirmLabel: plainLine(data.confirmation?.label ?? '', 60),
  });
}
