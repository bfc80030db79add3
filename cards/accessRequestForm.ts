import template from './accessRequestForm.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface AccessRequestFormData {
  formId: string;
  servicePrincipalId: string;
  appName: string;
  sso: string;
  ssoColor: string;
  facts: { title: string; value: string }[];
  /** The partner's address when already known; otherwise the form asks for it. */
  partner?: string;
  /** The app's roles, when there are several to choose from. */
  roles: { id: string; name: string }[];
  /** Undefined: the duration input comes back blank. */
  days?: number;
  maxDays: number;
  justification?: string;
  /** The address typed on an earlier try, when the form asks for it. */
  email?: string;
  appRoleId?: string;
  notes: string[];
  warning?: string;
  /** Why the last Send was refused, by input, shown right under that input. */
  problems?: Partial<Record<'email' | 'appRoleId' | 'days' | 'justification', string>>;
}

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

/** An input's value is not rendered as Markdown, so it is only cleaned of control and bidi characters and cut to size. */
function inputValue(text: string, maxLength: number): string {
  return Array.from(text.replace(UNSAFE, '')).slice(0, maxLength).join('');
}

/** The request form: what is known as facts, what is missing as inputs; the Send button carries the form id. */
export function accessRequestForm(data: AccessRequestFormData) {
  return renderCard(template, {
    title: plainLine(`Request access to ${data.appName}`, 250),
    sso: plainLine(data.sso, 200),
    ssoColor: data.ssoColor,
    facts: data.facts.map((f) => ({ title: plainLine(f.title, 60), value: plain(f.value, 400) })),
    warning: plain(data.warning ?? '', 600),
    notes: plain(data.notes.join(' '), 600),
    askEmail: data.partner === undefined,
    askRole: data.roles.length > 1,
    roles: data.roles.slice(0, 50).map((r) => ({ title: plainLine(r.name, 120), value: r.id })),
    hasDays: data.days !== undefined,
    days: data.days ?? 0,
    maxDays: data.maxDays,
    daysLabel: `Duration in days (1 to ${data.maxDays})`,
    daysError: `Give a whole number of days from 1 to ${data.maxDays}.`,
    justification: inputValue(data.justification ?? '', 1000),
    email: inputValue(data.email ?? '', 254),
    appRoleId: data.roles.some((r) => r.id === data.appRoleId) ? (data.appRoleId ?? '') : '',
    refused: Object.values(data.problems ?? {}).some((p) => p),
    emailProblem: plain(data.problems?.email ?? '', 600),
    roleProblem: plain(data.problems?.appRoleId ?? '', 300),
    daysProblem: plain(data.problems?.days ?? '', 300),
    justificationProblem: plain(data.problems?.justification ?? '', 300),
    formId: data.formId,
    servicePrincipalId: data.servicePrincipalId,
    partner: data.partner ?? '',
  });
}
