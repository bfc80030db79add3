import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { MissingPermissionError } from '../graph/errors';

/**
 * The card for a step Graph refused for want of consent: which feature is unavailable, which application permission an
 * admin must grant, and that retrying will not help. The role check gates every command, so it alone says nothing works.
 */
export function missingPermissionCard(error: MissingPermissionError, incidentId: string): Attachment {
  const permissions = error.permissions.join(' and ');
  const everything = error.step === 'Checking group membership';
  return cards.notice({
    tone: 'attention',
    title: `${error.feature}: unavailable until an admin grants ${permissions}`,
    text:
      `Microsoft Graph refused "${error.step}" with 403 Authorization_RequestDenied: the bot's app registration lacks the ` +
      `application permission ${permissions}. An admin must add it in Microsoft Entra (App registrations → API permissions) ` +
      `and grant admin consent; trying again will not help until then. The bot sees a new consent with its next access ` +
      `token, within about an hour (or at once after a restart). Nothing was changed.` +
      (everything ? '' : ' Features that do not need it keep working.'),
    reference: incidentId,
  });
}

/**
 * A 403 on POST /invitations is shown as Graph's refusal; when Graph's reason is insufficient privileges, this says what the
 * admin grants: User.Invite.All to invite or resend, User.ReadWrite.All to reset a redemption (GD invitation-post).
 */
export function forbiddenInvitationNote(action: 'invite' | 'resend'): string {
  const needs =
    action === 'invite'
      ? 'User.Invite.All'
      : 'User.Invite.All to resend a pending invitation, User.ReadWrite.All to reset the redemption of a guest who accepted';
  return `When Graph says "Insufficient privileges", the bot's app registration lacks the application permission ${needs}: an admin must grant it with admin consent in Microsoft Entra. Other commands keep working.`;
}
