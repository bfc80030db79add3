import { z } from 'zod';
import { REVOKE_TOGGLE_PREFIX } from '../../cards/revokeConfirm';
import { revokeOutcomeCard } from '../presenters/revoke.presenter';
import { defineAction } from './defineAction';

const MAX_OFFERED = 50;

/**
 * The confirm card's data: the app, the partner, the direct assignments it offered (comma-separated), the optional reason,
 * and one `remove:<assignment id>` toggle per offered assignment. All of it is user input: the service checks every chosen
 * id against what it offered and what Graph lists at the click.
 */
const ConfirmData = z
  .looseObject({
    servicePrincipalId: z.guid(),
    email: z.string().min(3).max(254),
    offered: z.string().max(MAX_OFFERED * 120).optional(),
    reason: z.string().max(500).optional(),
  })
  .transform((data) => {
    const offered = (data.offered ?? '').split(',').map((id) => id.trim()).filter((id) => id.length > 0).slice(0, MAX_OFFERED);
    const chosen = Object.entries(data)
      .filter(([key, value]) => key.startsWith(REVOKE_TOGGLE_PREFIX) && value === 'true')
      .map(([key]) => key.slice(REVOKE_TOGGLE_PREFIX.length))
      .slice(0, MAX_OFFERED + 1);
    return { servicePrincipalId: data.servicePrincipalId, email: data.email, offered, chosen, ...(data.reason?.trim() ? { reason: data.reason.trim() } : {}) };
  });

/** The confirm card's button: the caller's right, the partner and their access are all checked again before anything goes. */
export const revokeConfirm = defineAction({
  verb: 'revoke.confirm',
  data: ConfirmData,
  // Owners of the app may revoke whatever their role here; the service checks that against Graph at click time.
  permission: 'everyone',
  // Removes the bot's assignments (and any direct ones chosen) and may disable the Kerberos shadow account.
  sideEffect: 'destructive',
  // The confirm card is the confirmation: revoke and revoke.prepare issue its id; the router runs this with the stored data.
  confirm: { onItsOwnCard: true },
  async run({ services, caller }, { servicePrincipalId, email, offered, chosen, reason }) {
    return { card: revokeOutcomeCard(await services.accessRevocation.revoke(caller, servicePrincipalId, email, { offered, chosen, ...(reason ? { reason } : {}) })) };
  },
});
