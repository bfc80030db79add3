import { z } from 'zod';
import { revokeCheckReply } from '../presenters/revoke.presenter';
import { issueRevokeConfirmation } from '../handlers/revokeConfirmation';
import { defineAction } from './defineAction';

/** A pick-list button: the chosen app and the partner's address; the service checks everything as if typed. */
export const revokePrepare = defineAction({
  verb: 'revoke.prepare',
  data: z.object({ servicePrincipalId: z.guid(), email: z.string().min(3).max(254) }),
  // Owners of the app may revoke whatever their role here; the service checks that against Graph.
  permission: 'everyone',
  sideEffect: 'none',
  async run(context, { servicePrincipalId, email }) {
    const check = await context.services.accessRevocation.prepareFor(context.caller, servicePrincipalId, email);
    return { card: revokeCheckReply(check, await issueRevokeConfirmation(context, check)) };
  },
});
