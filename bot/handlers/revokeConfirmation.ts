import type { RevokeCheck } from '../services/accessRevocation';
import { issueConfirmation } from './confirmation';
import type { HandlerContext } from './context';

/**
 * Revoke's confirm card is its own confirmation: when the check asks to confirm, store what revoke.confirm will remove
 * (this app, this partner) and return the id its button carries. Shared by the revoke command and the pick list's button.
 */
export async function issueRevokeConfirmation(context: HandlerContext, check: RevokeCheck): Promise<string | undefined> {
  if (check.kind !== 'confirm') return undefined;
  const { preview } = check;
  return issueConfirmation(context, {
    verb: 'revoke.confirm',
    payload: { servicePrincipalId: preview.app.servicePrincipalId, email: preview.address },
    summary: `Revoke ${preview.email}'s access to ${preview.app.displayName}`,
  });
}
