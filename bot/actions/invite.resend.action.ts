import { z } from 'zod';
import { describeResend } from '../handlers/resendConfirmation';
import { resendReply } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

/** The invitation button on a guest's card; the same checks, and the same confirmation, as the resend command. */
export const inviteResend = defineAction({
  verb: 'invite.resend',
  data: z.object({ email: z.string().min(3).max(320) }),
  permission: 'partnerManagers',
  // For a guest who already accepted, this resets the redemption (admins only): asked first, in words.
  sideEffect: 'destructive',
  confirm: (context, { email }) => describeResend(context, email),
  async run({ services, caller, confirmed }, { email }) {
    return { card: resendReply(await services.invitations.resend(caller, email, { resetConfirmed: confirmed !== undefined })) };
  },
});
