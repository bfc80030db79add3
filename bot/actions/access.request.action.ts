import { z } from 'zod';
import { startReply } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const text = z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** Request access on an app of the apps card, or a pick from the request pick list: the form for that app. */
export const accessRequest = defineAction({
  verb: 'access.request',
  data: z.object({
    servicePrincipalId: text,
    partner: text,
    days: text.transform((v) => (v !== undefined && /^\d{1,6}$/.test(v) ? Number(v) : undefined)),
    justification: text,
  }),
  permission: 'partnerManagers',
  sideEffect: 'none',
  async run({ services, caller }, data) {
    if (!data.servicePrincipalId) return { message: 'Choose an app first.' };
    if (!GUID.test(data.servicePrincipalId)) return { message: 'This card is out of date. Send request again for a fresh one.' };
    const outcome = await services.accessRequests.formFor(caller, data.servicePrincipalId, { email: data.partner, days: data.days, justification: data.justification });
    return { card: startReply(outcome) };
  },
});
