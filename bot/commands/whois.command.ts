import type { Attachment } from 'botbuilder';
import { z } from 'zod';
import { cards } from '../../cards';
import { inviteResend } from '../actions/invite.resend.action';
import type { Caller } from '../identity/caller';
import { isAllowed } from '../identity/policy';
import type { WhoisResult } from '../services/lookup';
import { parseUserRef } from '../services/userRef';
import { defineCommand } from './defineCommand';

/** Everything after the command word, as one reference: `whois Wendy Moran` and `whois "Siobhán O'Brien"` alike. */
export const userRefArgs = z
  .object({ args: z.array(z.string()) })
  .transform((tokens, ctx) => {
    const parsed = parseUserRef(tokens.args.join(' '));
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return { ref: parsed.value };
  });

/** The reply for a whois answer; shared with the pick list's Show button. The caller's roles decide which buttons it offers. */
export function whoisCard(result: WhoisResult, caller: Caller): Attachment {
  switch (result.kind) {
    case 'found':
      return cards.userSummary(result.user, { canResend: isAllowed(caller.roles, inviteResend.permission) });
    case 'ambiguous':
      return cards.userPicker(result);
    case 'notFound':
      return cards.notice({
        tone: 'warning',
        title: `No user matches "${result.query}"`,
        text: 'Check the spelling, or use their email address, UPN or object id. Guests are also found by their own email address; a display name matches from the start of the full name, given name or surname.',
      });
  }
}

export const whois = defineCommand({
  name: 'whois',
  aliases: ['usertype'],
  summary: 'Show whether someone is a guest or a member, where the account comes from, and how they sign in',
  usage: 'whois <email | UPN | object id | display name>',
  args: userRefArgs,
  permission: 'lookup',
  async run({ services, caller }, { ref }) {
    return whoisCard(await services.lookup.whois(ref), caller);
  },
});
