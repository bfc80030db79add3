import template from './confirm.card.json';
import { renderCard } from './render';
import { plain } from './text';

export interface ConfirmData {
  confirmationId: string;
  title: string;
  consequence: string;
  confirmLabel: string;
  facts?: readonly { title: string; value: string }[];
  /** When the question stops being answerable. */
  expiresAt: Date;
}

/**
 * The one confirmation step before a destructive command or action: the consequence in plain words, Confirm (named for
 * what happens) and Cancel. The buttons carry only the confirmation id: what runs is what the bot stored when it asked.
 */
export function confirm(data: ConfirmData) {
  return renderCard(template, {
    confirmationId: data.confirmationId,
    title: plain(data.title, 300),
    consequence: plain(data.consequence, 1000),
    confirmLabel: plain(data.confirmLabel, 60),
    facts: (data.facts ?? []).map((f) => ({ title: plain(f.title, 60), value: plain(f.value, 300) })),
    expires: `${data.expiresAt.toISOString().slice(11, 16)} UTC`,
  });
}
