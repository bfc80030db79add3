import { z } from 'zod';
import { defineCommand } from './defineCommand';
import { resendReply } from '../presenters/invite.presenter';

export const resend = defineCommand({
  name: 'resend',
  aliases: [],
  summary: "Renew a guest's invitation link, or reset an accepted guest's redemption (admins)",
  usage: 'resend <email>',
  args: z
    .object({ args: z.array(z.string()) })
    .refine((t) => t.args.length === 1, { message: "Give the guest's email address, and only that." })
    .transform((t) => ({ email: t.args[0] ?? '' })),
  permission: 'partnerManagers',
  // For a guest who already accepted, this resets the redemption (admins only).
  sideEffect: 'destructive',
  examples: ['resend ana@fabrikam.com'],
  description:
    'renews a pending guest\'s invitation (same account, fresh redemption link); for a guest who already accepted, resets the redemption (`resetRedemption`; admins only).',
  async run({ services, caller }, { email }) {
    return resendReply(await services.invitations.resend(caller, email));
  },
});
