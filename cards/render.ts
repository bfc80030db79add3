import { CardFactory, type Attachment } from 'botbuilder';
import { Template } from 'adaptivecards-templating';

export type CardTemplate = Record<string, unknown>;

/**
 * Parsed templates, one per template object. Parsing a template (every `${…}` string becomes an expression tree) cost about
 * 45% of the CPU of a `help` turn when it happened on every render. Templates are the imported card JSON, which nothing
 * mutates, so the object identity is a safe key; a WeakMap lets a template built at run time be collected with its parse.
 * Expansion always builds new objects and arrays, so results never share structure with the cache or with each other.
 */
const parsedTemplates = new WeakMap<CardTemplate, Template>();

function parsedTemplate(template: CardTemplate): Template {
  let parsed = parsedTemplates.get(template);
  if (!parsed) {
    parsed = new Template(template);
    parsedTemplates.set(template, parsed);
  }
  return parsed;
}

/** Binds typed data to a template. User text is only ever data, never part of the template. */
export function expandCard(template: CardTemplate, data: object): Record<string, unknown> {
  const expanded: unknown = parsedTemplate(template).expand({ $root: data });
  if (typeof expanded !== 'object' || expanded === null) throw new Error('card template did not expand to an object');
  return expanded as Record<string, unknown>;
}

export function renderCard(template: CardTemplate, data: object): Attachment {
  return CardFactory.adaptiveCard(expandCard(template, data));
}
