import type { ShortenCheck } from '../services/accessRequests';
import { issueConfirmation } from './confirmation';
import type { HandlerContext } from './context';

/** The action that consumes End earlier's confirmation. */
export const SHORTEN_CONFIRM_VERB = 'access.shortenConfirm';

/**
 * End earlier's card is its own confirmation: when the check asks to confirm, store exactly what will change (this grant,
 * from the end it has now to the end that was read) and return the id its button carries. Shared by the `shorten`
 * command and the grant card's End earlier button, so what runs on Confirm is what was shown, whatever the card sends.
 */
export async function issueShortenConfirmation(context: HandlerContext, check: ShortenCheck): Promise<string | undefined> {
  if (check.kind !== 'confirm' || !check.grant.expiresAt) return undefined;
  return issueConfirmation(context, {
    verb: SHORTEN_CONFIRM_VERB,
    payload: { grantId: check.grant.id, from: check.grant.expiresAt.toISOString(), endsAt: check.endsAt.toISOString() },
    summary: `End ${check.grant.guestDisplayName}'s access to ${check.grant.appDisplayName} on ${check.endsAt.toISOString()} instead of ${check.grant.expiresAt.toISOString()}`,
  });
}
