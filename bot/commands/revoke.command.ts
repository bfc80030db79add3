import { z } from 'zod';
import { unwrapTeamsLinks } from '../services/userRef';
import { issueRevokeConfirmation } from '../handlers/revokeConfirmation';
import { defineCommand } from './defineCommand';
import { REVOKE_USAGE, revokeCheckReply } from '../presenters/revoke.presenter';

/** `<app words…> for <email>`: the last "for" splits them, so an app name may itself contain "for". Quotes are optional. */
const RevokeArgs = z.object({ rest: z.string() }).transform((tokens, ctx) => {
  const text = unwrapTeamsLinks(tokens.rest).replace(/\s+/g, ' ').trim();
  const match = /^(.*\S)\s+for\s+(\S+)$/i.exec(text);
  const app = (match?.[1] ?? '').replace(/^["\u201c\u201e]+|["\u201d]+$/g, '').trim();
  const email = match?.[2] ?? '';
  if (!match || app === '') {
    ctx.addIssue({ code: 'custom', message: "Name the app and the partner's email address." });
    return z.NEVER;
  }
  return { app, email };
});

export const revoke = defineCommand({
  name: 'revoke',
  aliases: [],
  summary: "Remove a partner's access to an on-prem app now (admins, and the app's owners): the bot's grants, and direct ones you choose; asks you to confirm first",
  usage: REVOKE_USAGE,
  args: RevokeArgs,
  // App owners may revoke whatever their role here, so the right is checked per app, against Graph's owner list.
  permission: 'everyone',
  audience: 'admins, and the app\'s owners',
  // Only shows what would go: the confirm card's revoke.confirm removes it.
  sideEffect: 'none',
  examples: ['revoke Expenses for ana@fabrikam.com'],
  description:
    'removes a partner\'s access to an on-prem app at once, after one confirmation card that lists every app role assignment the guest holds on the app with its origin: granted by this bot (request, requester, approver, end date), direct in Entra and not the bot\'s, or through a group (named). The confirm button removes the bot\'s grants; a direct assignment goes only when its toggle on the card is switched on (off by default); a group\'s assignment is never touched (the card says which group to leave instead). An optional reason goes to the audit log and to the requester\'s notice. The button carries only a one-time confirmation id: the app, the partner and the offered assignments are the stored ones. For a Kerberos app, the shadow account is disabled only when the bot created or re-enabled it and no other grant or Kerberos app still uses it (kept, so a later grant re-enables the same AD object); a synced partner\'s own AD account is never touched. The bot\'s live grants are marked revoked with one compare-and-set and audited, and the partner manager who asked for them is told. The right is checked against Graph\'s owner list when the card is shown and again at the click. An app name that is ambiguous or mistyped gives a pick list. Grants also end by themselves: a durable job at each grant\'s expiry removes only what that grant created (its assignment, the shadow account it created or re-enabled), once even with several instances on one PostgreSQL, and tells the requester; a grant revoked earlier, or one that found the access already there, removes nothing.',
  async run(context, { app, email }) {
    const check = await context.services.accessRevocation.prepare(context.caller, app, email);
    return revokeCheckReply(check, await issueRevokeConfirmation(context, check));
  },
});
