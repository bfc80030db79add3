import template from './accessPick.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AccessPickData {
  title: string;
  text: string;
  candidates: { servicePrincipalId: string; name: string; details: string }[];
  /** Carried to the form so nothing typed is lost. */
  partner?: string;
  days?: number;
  justification?: string;
  more: boolean;
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

const MAX_CHOICES = 50;

/** A pick list of apps for a name that matched several, or none; Next opens the request form for the chosen one. */
export function accessPick(data: AccessPickData) {
  return renderCard(template, {
    title: plainLine(data.title, 200),
    text: plain(data.text, 600),
    candidates: data.candidates.slice(0, MAX_CHOICES).map((c) => ({
      servicePrincipalId: c.servicePrincipalId,
      title: plainLine(`${c.name} · ${c.details}`, 250),
    })),
    partner: data.partner ?? '',
    days: data.days === undefined ? '' : String(data.days),
    justification: Array.from((data.justification ?? '').replace(UNSAFE, '')).slice(0, 1000).join(''),
    more: data.more || data.candidates.length > MAX_CHOICES,
  });
}
