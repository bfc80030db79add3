import { z } from 'zod';
import { parseUserRef } from '../services/userRef';
import { whoisCard } from '../presenters/whois.presenter';
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

export const whois = defineCommand({
  name: 'whois',
  aliases: ['usertype'],
  summary: 'Show whether someone is a guest or a member, where the account comes from, and how they sign in',
  usage: 'whois <email | UPN | object id | display name>',
  args: userRefArgs,
  permission: 'everyone',
  async run({ services, caller }, { ref }) {
    return whoisCard(await services.lookup.whois(ref), caller);
  },
});
