import type { RevokeCheck } from '../services/accessRevocation';
import { issueConfirmation } from './confirmation';
import type { HandlerContext } from './context';

/** The confirmation card's toggles are `remove:<assignment id>` (cards/revokeConfirm.ts, REVOKE_TOGGLE_INPUT). */
const REVOKE_TOGGLE_INPUT = 'remove';

/**
 * Revoke's confirm card is its own confirmation: when the check asks to confirm, store what revoke.confirm will act on
 * (this app, this partner) and, as the only choices, the partner's direct assignments the bot did not make (one toggle
 * each, off by default); return the id its button carries. Shared by the revoke command and the pick list's button.
 */
export async function issueRevokeConfirmation(context: HandlerContext, check: RevokeCheck): Promise<string | undefined> {
  if (check.kind !== 'confirm') return undefined;
  const { preview } = check;
  const offered = preview.held.filter((h) => h.origin.kind === 'direct').map((h) => h.id);
  return issueConfirmation(context, {
    verb: 'revoke.confirm',
    payload: { servicePrincipalId: preview.app.servicePrincipalId, email: preview.address, offered },
    choices: { [REVOKE_TOGGLE_INPUT]: offered },
    summary: `Revoke ${preview.email}'s access to ${preview.app.displayName}`,
  });
}
