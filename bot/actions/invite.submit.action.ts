import { z } from 'zod';
import { submitReply } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

const text = z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** The confirm card's button: its inputs arrive as data, so they are parsed and validated again here and in the service. */
const SubmitData = z.object({
  id: z.guid(),
  displayName: text,
  delivery: z.enum(['link', 'email']).optional(),
  message: text,
  language: text,
  cc: text,
  redirectUrl: text,
  groups: text,
});

export const inviteSubmit = defineAction({
  verb: 'invite.submit',
  data: SubmitData,
  permission: 'partnerManagers',
  // Creates the guest (or asks the admins to); the guest can be deleted.
  sideEffect: 'reversible',
  async run({ services, caller }, data) {
    const groupIds = (data.groups ?? '').split(/[\s,;]+/).filter((g) => g.length > 0);
    const options = { ...data, delivery: data.delivery ?? 'link', groupIds };
    const parsed = services.invitations.parseOptions(options);
    if (!parsed.ok) return { message: `Please correct: ${parsed.problems.join(' ')}` };
    return submitReply(await services.invitations.submit(caller, data.id, parsed.options));
  },
});
