import { z } from 'zod';
import { resendReply } from '../presenters/invite.presenter';
import { defineAction } from './defineAction';

/** The Resend button on an existing guest's card; the same checks as the resend command. */
export const inviteResend = defineAction({
  verb: 'invite.resend',
  data: z.object({ email: z.string().min(3).max(320) }),
  permission: 'partnerManagers',
  // For a guest who already accepted, this resets the redemption (admins only).
  sideEffect: 'destructive',
  async run({ services, caller }, { email }) {
    return { card: resendReply(await services.invitations.resend(caller, email)) };
  },
});
