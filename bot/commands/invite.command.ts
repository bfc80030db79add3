import { z } from 'zod';
import { cards } from '../../cards';
import { canBulkInvite } from '../identity/capabilities';
import { splitAddressList } from '../services/emailAddress';
import { bulkCard } from '../presenters/bulk.presenter';
import { defineCommand } from './defineCommand';
import { prepareReply } from '../presenters/invite.presenter';

/** One address (optionally `as "Name"`), several addresses (bulk), or nothing (bulk from an attached CSV). */
const InviteArgs = z.object({ args: z.array(z.string()), rest: z.string() }).transform((tokens) => {
  const [first, second, ...name] = tokens.args;
  if (first !== undefined && second?.toLowerCase() === 'as') {
    return { kind: 'single' as const, email: first, displayName: name.join(' ').trim() || undefined };
  }
  const addresses = splitAddressList(tokens.rest);
  if (addresses.length === 1 && first !== undefined) return { kind: 'single' as const, email: first, displayName: undefined };
  return { kind: 'bulk' as const, addresses };
});

export const invite = defineCommand({
  name: 'invite',
  aliases: [],
  summary: 'Invite a partner as a guest (checked first, confirmed by you); admins can give several addresses or attach the Entra bulk-invite CSV',
  usage: 'invite <email> [as "<display name>"]  |  invite <email>, <email>, …  |  invite (with a CSV attached)',
  args: InviteArgs,
  permission: 'partnerManagers',
  async run({ services, caller, attachments }, args) {
    if (args.kind === 'single') return prepareReply(caller, await services.invitations.prepare(caller, args.email, args.displayName));
    if (!canBulkInvite(caller)) {
      return cards.notice({ tone: 'warning', title: 'Bulk invitations are for admins', text: 'Invite partners one at a time with invite <email>, or ask an admin to run the list.' });
    }
    if (args.addresses.length === 0 && (attachments ?? []).length === 0) {
      return cards.notice({ tone: 'warning', title: "Give the partner's email address", text: 'Usage:', code: 'invite <email> [as "<display name>"]' });
    }
    const created = await services.bulkInvitations.createFromMessage(caller, args.addresses, attachments);
    return created.ok ? bulkCard(created.view, caller) : cards.notice({ tone: 'warning', title: 'The list could not be used', text: created.problem });
  },
});
