import { canResetRedemption } from '../identity/capabilities';
import type { ConfirmDecision } from './confirmation';
import type { HandlerContext } from './context';

/**
 * What `resend` would do to this guest, for the confirmation gate. Renewing a pending invitation takes nothing away, so it
 * runs at once; resetting an accepted guest's redemption does (their next sign-in starts over, and may land on another
 * identity), so it is asked first, in words. A caller who may not reset is not asked: the service says why not.
 */
export async function describeResend(context: HandlerContext, email: string): Promise<ConfirmDecision> {
  const checked = await context.services.invitations.precheck(context.caller, email, 'invite.resend');
  if (checked.kind !== 'existingGuest' || checked.user.externalUserState !== 'Accepted' || !canResetRedemption(context.caller)) {
    return { notDestructive: 'renews a pending invitation, or is refused by the service' };
  }
  const { address, user } = checked;
  const name = user.displayName?.trim() || address.display;
  return {
    title: `Reset ${name}'s redemption?`,
    consequence:
      `${name} will have to accept a new invitation before they can sign in again. Until then they cannot use anything here. ` +
      'They keep their account, groups and app access; the bot shows you the new redemption link to send them.',
    confirmLabel: 'Reset redemption',
    facts: [
      { title: 'Guest', value: address.display },
      { title: 'Sign-in name', value: user.userPrincipalName },
      { title: 'State now', value: 'Accepted' },
    ],
  };
}
