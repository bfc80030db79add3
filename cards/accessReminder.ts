import template from './accessReminder.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AccessReminderData {
  /** The request's id: the button shows that request, so the reminder itself can never decide anything. */
  id: string;
  title: string;
  text: string;
  facts: { title: string; value: string }[];
}

/**
 * A new message to an approver who has not answered yet, pointing at the one request. It carries no Approve or Deny:
 * its button replaces it with the request's approval card (or its final state), through the same compare-and-set decision.
 */
export function accessReminder(data: AccessReminderData) {
  return renderCard(template, {
    id: data.id,
    title: plainLine(data.title, 300),
    text: plain(data.text, 1000),
    facts: data.facts.map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 1000) })),
  });
}
