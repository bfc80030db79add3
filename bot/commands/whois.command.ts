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
  sideEffect: 'none',
  examples: ['whois ana@fabrikam.com', 'whois Wendy Moran'],
  description:
    'Guest or Member in plain words; where the account comes from (invited B2B guest, locally managed partner synced from AD, synced or cloud-only member, self-service sign-up); a partner synced as Member flagged as a security gap; for guests the invitation state and how they sign in; enabled, created. Partner managers and admins also see the last sign-in, the sponsors and the on-prem (App Proxy) apps and roles the person holds, with the end date of each grant the bot made; the owners of an app see the assignments on the apps they own. What a caller may not see is not read. One Graph round trip (one `$batch`); a second for the last sign-in of a UPN (Graph reads it by object id only) or for the assignments on the apps an owner holds; a pick list when a name matches several people. Partner managers and admins get Resend invitation on a guest whose invitation is pending; admins get Reset redemption… on one who accepted, which asks to confirm first.',
  async run({ services, caller }, { ref }) {
    return whoisCard(await services.accessRequests.withGrantEnds(await services.lookup.whois(ref, caller)), caller);
  },
});
