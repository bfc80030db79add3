import template from './accessForward.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AccessForwardData {
  /** The request's id: the Forward button carries it, and the service reads the request again. */
  id: string;
  title: string;
  text: string;
  facts: { title: string; value: string }[];
  /** The people who may decide this request besides the viewer, the requester and the partner; at most 15. */
  choices: { id: string; name: string }[];
  /** Why the last Forward was refused, in words; empty for a fresh form. */
  problem?: string;
  /** Typed on the last try, kept when the form comes back. */
  person?: string;
  comment?: string;
}

/** Forward to…: pick (or type) another approver of the request and say why; the request stays the same, decidable once. */
export function accessForward(data: AccessForwardData) {
  const choices = data.choices.slice(0, 15);
  return renderCard(template, {
    id: data.id,
    title: plainLine(data.title, 300),
    text: plain(data.text, 600),
    facts: data.facts.slice(0, 8).map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 400) })),
    problem: plain(data.problem ?? '', 600),
    // Escaped as the request form's role choices are: a name from Graph is never markup.
    choices: choices.map((c) => ({ id: c.id, name: plainLine(c.name, 120) })),
    choiceLabel: 'Who may decide it',
    personLabel: choices.length > 0 ? 'Or type their name or email' : 'Their name or email',
    person: plainLine(data.person ?? '', 320),
    comment: plain(data.comment ?? '', 1000),
  });
}
