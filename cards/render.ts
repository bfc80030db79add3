import { CardFactory, type Attachment } from 'botbuilder';
import { Template } from 'adaptivecards-templating';

export type CardTemplate = Record<string, unknown>;

/** Binds typed data to a template. User text is only ever data, never part of the template. */
export function expandCard(template: CardTemplate, data: object): Record<string, unknown> {
  const expanded: unknown = new Template(template).expand({ $root: data });
  if (typeof expanded !== 'object' || expanded === null) throw new Error('card template did not expand to an object');
  return expanded as Record<string, unknown>;
}

export function renderCard(template: CardTemplate, data: object): Attachment {
  return CardFactory.adaptiveCard(expandCard(template, data));
}
