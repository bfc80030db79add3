import { z } from 'zod';
import { submitReply } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

const text = z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The confirm card's button: its inputs arrive as data, so the service parses and validates them again. */
const SubmitData = z.object({
  id: z.guid(),
  displayName: text,
  delivery: z.string().max(20).optional(),
  message: text,
  language: text,
  cc: text,
  redirectUrl: text,
  groups: text,
  justification: text,
});

export const inviteSubmit = defineAction({
  verb: 'invite.submit',
  data: SubmitData,
  permission: 'partnerManagers',
  // Creates the guest (or asks the admins to); the guest can be deleted.
  sideEffect: 'reversible',
  async run({ services, caller }, { id, ...typed }) {
    return submitReply(await services.invitations.submitTyped(caller, id, typed), caller);
  },
});
