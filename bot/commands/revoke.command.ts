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
  summary: "Remove a partner's access to an on-prem app now (admins, and the app's owners); asks you to confirm first",
  usage: REVOKE_USAGE,
  args: RevokeArgs,
  // App owners may revoke whatever their role here, so the right is checked per app, against Graph's owner list.
  permission: 'everyone',
  audience: 'admins, and the app\'s owners',
  // Only shows what would go: the confirm card's revoke.confirm removes it.
  sideEffect: 'none',
  examples: ['revoke Expenses for ana@fabrikam.com'],
  description:
    'removes a partner\'s access to an on-prem app at once, after one confirmation card: every app role assignment the guest holds on the app (Entra is the source of truth, so an assignment the bot did not grant is removed too, and the card says so), and the Kerberos shadow account is disabled unless another Kerberos app still uses it (kept, so a later grant re-enables the same AD object). The bot\'s live grants are marked revoked with one compare-and-set and audited, and the partner manager who asked for them is told. The right is checked against Graph\'s owner list when the card is shown and again at the click. An app name that is ambiguous or mistyped gives a pick list. Grants also end by themselves: a durable job at each grant\'s expiry does the same removal (once, even with several instances on one PostgreSQL) and tells the requester; a grant revoked earlier is left alone.',
  async run(context, { app, email }) {
    const check = await context.services.accessRevocation.prepare(context.caller, app, email);
    return revokeCheckReply(check, await issueRevokeConfirmation(context, check));
  },
});
