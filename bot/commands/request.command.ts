import { z } from 'zod';
import { defineCommand } from './defineCommand';
import { startReply } from '../presenters/access.presenter';

export interface RequestText {
  appQuery?: string;
  email?: string;
  days?: number;
  justification?: string;
}

/**
 * `request <app> for <email> [for <N> days] [because <text>]`, read from the end: `because` takes the rest of the line, then
 * `for N days` and `for <address>` are taken out wherever they are, and what remains is the app's name (quotes optional).
 */
export function parseRequestText(rest: string): RequestText {
  let text = rest.trim();
  const parsed: RequestText = {};
  const because = /(?:^|\s)because\s+([\s\S]*)$/i.exec(text);
  if (because) {
    parsed.justification = (because[1] ?? '').trim() || undefined;
    text = text.slice(0, because.index).trim();
  }
  const duration = /(?:^|\s)for\s+(\d{1,6})\s*days?(?=\s|$)/i.exec(text);
  if (duration) {
    parsed.days = Number(duration[1]);
    text = `${text.slice(0, duration.index)} ${text.slice(duration.index + duration[0].length)}`.trim();
  }
  const email = /(?:^|\s)for\s+(\S+@\S+)(?=\s|$)/i.exec(text);
  if (email) {
    parsed.email = email[1];
    text = `${text.slice(0, email.index)} ${text.slice(email.index + email[0].length)}`.trim();
  }
  const app = text.replace(/^["\u201c\u201e](.*)["\u201d]$/s, '$1').trim();
  if (app) parsed.appQuery = app;
  return parsed;
}

export const request = defineCommand({
  name: 'request',
  aliases: [],
  summary: "Ask for a partner's access to an on-prem app; the app's owners (or the admins) approve, and the access ends by itself",
  usage: 'request <app> for <email> [for <N> days] [because <text>]',
  args: z.object({ rest: z.string() }).transform((tokens) => parseRequestText(tokens.rest)),
  permission: 'partnerManagers',
  // Only shows the form: access.submit sends the request.
  sideEffect: 'none',
  examples: ['request Expenses for ana@fabrikam.com for 30 days because quarter-end audit'],
  description:
    'asks for a partner guest\'s access to an application proxy app, also from the **Request access** button on each app in `apps`. The app is matched by name (a pick list when several or none match); a form collects what is missing: the role when the app has several, the duration (`ACCESS_DEFAULT_DAYS`, at most `ACCESS_MAX_DAYS`) and a justification (required). The partner must already be a guest (otherwise the card says to `invite` them first). A Kerberos (KCD) app is refused with the reason when no on-prem directory is configured, except for partners synced from on-prem AD, who have their own account. When the partner already holds the role (directly or through a group), the form, the approval card and the grant say so: approving records "already had access", changes nothing in Graph, and the grant\'s end removes nothing. Otherwise the grant records exactly what it created (the assignment, the shadow account it created or re-enabled), and only that is removed when it ends. Approve plus grant costs three Graph calls: the owners (re-checked at the decision), what the partner holds (read at grant time, before anything changes), and the assignment. See [Access requests](#access-requests).',
  async run({ services, caller }, args) {
    return startReply(await services.accessRequests.start(caller, args));
  },
});
