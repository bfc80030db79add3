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
  if (addresses.length === 1 && first !== undefined) return { kind: 'single' as const, email: addresses[0] ?? first, displayName: undefined };
  return { kind: 'bulk' as const, addresses };
});

export const invite = defineCommand({
  name: 'invite',
  aliases: [],
  summary: 'Invite a partner as a guest (checked first, confirmed by you); admins can give several addresses or attach the Entra bulk-invite CSV',
  usage: 'invite <email> [as "<display name>"]  |  invite <email>, <email>, …  |  invite (with a CSV attached)',
  args: InviteArgs,
  permission: 'partnerManagers',
  audience: 'partner managers, admins (several addresses or a CSV: admins)',
  // Only prepares: the confirm card's invite.submit (or bulk.start) is what invites.
  sideEffect: 'none',
  examples: ['invite ana@fabrikam.com as "Ana Ruiz"', 'invite ana@fabrikam.com, li@northwind.example'],
  description:
    'One partner: checks the address strictly (no quoted local parts or control characters: `invite "a b"@fabrikam.com` is one invalid address; an international domain shown in Unicode and punycode), applies `PARTNER_DOMAINS_ALLOW`/`_BLOCK`, then the tenant\'s own collaboration restrictions (its allow or block list in Entra, read from `GET /beta/policies/b2bManagementPolicies` with Policy.Read.B2BManagementPolicy and kept for a minute): a listed domain is refused before the form, with what to do for your role; where the list cannot be read, or a subdomain may be covered, the form says the tenant may still refuse. It looks the address up once (mail, otherMails, proxyAddresses, guest UPN): an existing guest is shown with its state and a Resend button, an existing member or synced partner is explained. Otherwise a card shows where sign-in will go and collects display name, delivery (the bot shows the redemption link, or Microsoft\'s email), personal message, language, one cc, redirect URL and groups, and for a manager a required justification; a form with a problem comes back as typed, the problem by its field; Cancel drops it. Admins send after one confirmation; a manager\'s invitation goes to every admin as an approval card with the justification and where sign-in goes (Approve/Deny with an optional comment, refreshed so each admin sees the current state); another admin decides once, and the requester is told, with the comment. At most 4 Graph calls (2 writes) plus one per group. Several addresses, or `invite` with the Entra bulk-invite CSV attached (admins): bulk invite: every row validated first; above `BULK_APPROVAL_THRESHOLD` rows a second admin approves. The confirmation says how the partners get their invitation: Microsoft\'s email, or redemption links for the inviter to send. A durable job (survives restarts) invites at `BULK_INVITES_PER_MINUTE`, one budget for the whole tenant shared by every run and instance, honours Retry-After, and stops at once on Microsoft\'s anti-abuse 403. One progress card updates in place (at most every `BULK_PROGRESS_UPDATE_MS`; where the channel cannot update it, the state arrives as a new message) with counts and a progress bar, and ends with the links: a signed, expiring link to per-row results as CSV (on `PUBLIC_BASE_URL`, which in sandbox mode defaults to the bot\'s own loopback address; outside sandbox mode with `DOWNLOAD_LINK_SECRET` shared by every instance), or, without a public address, a paged results card.',
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
