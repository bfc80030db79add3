import { z } from 'zod';
import { describeResend } from '../handlers/resendConfirmation';
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
  confirm: (context, { email }) => describeResend(context, email),
  examples: ['resend ana@fabrikam.com'],
  description:
    'renews a pending guest\'s invitation at once (same account, fresh redemption link). For a guest who already accepted, it resets the redemption (`resetRedemption`; admins only), after a confirmation card that says what happens: the guest must accept a new invitation before signing in again (they keep their account, groups and apps). What runs on Confirm is what was asked, once.',
  async run({ services, caller, confirmed }, { email }) {
    return resendReply(await services.invitations.resend(caller, email, { resetConfirmed: confirmed !== undefined }));
  },
});
