import { z } from 'zod';
import { REVOKE_TOGGLE_INPUT } from '../../cards/revokeConfirm';
import { revokeOutcomeCard } from '../presenters/revoke.presenter';
import { defineAction } from './defineAction';

/**
 * The confirm card's button. The router runs this with the data stored when the card was issued (the app, the partner,
 * the direct assignments it offered), never the clicked card's, and with the toggles switched on among those offered; the
 * service checks the caller's right, the partner and their access against Graph again before anything goes.
 */
export const revokeConfirm = defineAction({
  verb: 'revoke.confirm',
  data: z.object({ servicePrincipalId: z.guid(), email: z.string().min(3).max(254), offered: z.array(z.string().min(1).max(200)).max(50).default([]) }),
  // Owners of the app may revoke whatever their role here; the service checks that against Graph at click time.
  permission: 'everyone',
  // Removes the bot's assignments (and any direct ones chosen) and may disable the Kerberos shadow account.
  sideEffect: 'destructive',
  // The confirm card is the confirmation: revoke and revoke.prepare issue its id; the router runs this with the stored data.
  // Its reason is words for the audit log and the requester, read from the click.
  confirm: { onItsOwnCard: true, notes: ['reason'] },
  async run({ services, caller, confirmed }, { servicePrincipalId, email, offered }) {
    const chosen = confirmed?.choices[REVOKE_TOGGLE_INPUT] ?? [];
    const reason = confirmed?.notes?.reason;
    return { card: revokeOutcomeCard(await services.accessRevocation.revoke(caller, servicePrincipalId, email, { offered, chosen, ...(reason ? { reason } : {}) })) };
  },
});
