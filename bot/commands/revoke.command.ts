import { z } from 'zod';
import { unwrapTeamsLinks } from '../services/userRef';
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
  async run({ services, caller }, { app, email }) {
    return revokeCheckReply(await services.accessRevocation.prepare(caller, app, email));
  },
});
