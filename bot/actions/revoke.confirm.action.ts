import { z } from 'zod';
import { revokeOutcomeCard } from '../presenters/revoke.presenter';
import { defineAction } from './defineAction';

/** The confirm card's button: the caller's right, the partner and their access are all checked again before anything goes. */
export const revokeConfirm = defineAction({
  verb: 'revoke.confirm',
  data: z.object({ servicePrincipalId: z.guid(), email: z.string().min(3).max(254) }),
  // Owners of the app may revoke whatever their role here; the service checks that against Graph at click time.
  permission: 'everyone',
  // Removes the assignments and may disable the Kerberos shadow account.
  sideEffect: 'destructive',
  // The confirm card is the confirmation: revoke and revoke.prepare issue its id; the router runs this with the stored data.
  confirm: { onItsOwnCard: true },
  async run({ services, caller }, { servicePrincipalId, email }) {
    return { card: revokeOutcomeCard(await services.accessRevocation.revoke(caller, servicePrincipalId, email)) };
  },
});
