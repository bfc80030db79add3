import { z } from 'zod';
import { submitReply } from '../presenters/access.presenter';
import { defineAction } from './defineAction';

const text = z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The form's Send button: its inputs arrive as data, so the service checks every one of them again. */
export const accessSubmit = defineAction({
  verb: 'access.submit',
  data: z.object({
    formId: z.guid(),
    servicePrincipalId: z.guid(),
    partner: text,
    email: text,
    appRoleId: text,
    days: z.union([z.string(), z.number()]).optional(),
    justification: z.string().optional(),
  }),
  permission: 'partnerManagers',
  sideEffect: 'reversible',
  async run({ services, caller }, data) {
    const outcome = await services.accessRequests.submit(caller, data);
    return submitReply(outcome, caller.teamsUserId);
  },
});
