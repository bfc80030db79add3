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
  async run({ services, caller }, data) {
    return extensionSubmitReply(await services.accessRequests.submitExtension(caller, data), caller);
  },
});
