import { z } from 'zod';
import { extensionSubmitReply } from '../presenters/grantLife.presenter';
import { defineAction } from './defineAction';

/** The extension form's Send: the inputs arrive as data, so the service reads the new end strictly and checks everything again. */
export const accessExtendSubmit = defineAction({
  verb: 'access.extendSubmit',
  data: z.object({
    formId: z.guid(),
    grantId: z.guid(),
    until: z.string().max(2000).optional(),
    justification: z.string().max(20_000).optional(),
  }),
  permission: 'everyone',
  // A request to the approvers; the grant changes only when one approves, and the extension can be withdrawn or denied.
  sideEffect: 'reversible',
  async run({ services, caller, zone }, data) {
    // The typed end is read in the person's own zone, as Teams gave it with this click.
    return extensionSubmitReply(await services.accessRequests.submitExtension(caller, { ...data, ...(zone ? { zone } : {}) }), caller, zone);
  },
});
