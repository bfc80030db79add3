import { z } from 'zod';
import { historyCard } from '../presenters/audit.presenter';
import { parsePersonRef } from '../services/audit/auditFilter';
import { defineCommand } from './defineCommand';

/** Everything after the command word as one address: `history ana@fabrikam.com`. */
const historyArgs = z.object({ args: z.array(z.string()) }).transform((tokens, ctx) => {
  const parsed = parsePersonRef(tokens.args.join(' '), 'history');
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  }
  return { ref: parsed.value };
});

export const history = defineCommand({
  name: 'history',
  aliases: [],
  summary: "A partner's timeline: invitations, requests, decisions, grants, ends",
  usage: 'history <email | UPN | object id>',
  args: historyArgs,
  permission: 'partnerManagers',
  sideEffect: 'none',
  examples: ['history ana@fabrikam.com'],
  description:
    "One timeline for a partner from the audit log, newest first, each line with when and who: invited (by whom, how the invitation was delivered), every access request and its decision, grants with their end date, shadow accounts created, re-enabled and disabled, revocations and expiries; kinds of entry it does not know are shown by their audit action. Graph adds the account's creation, the invitation's redemption and the last sign-in (or why it cannot be read: the AuditLog.Read.All permission or the Entra ID P1 licence). 15 entries a page; Older pages on. An address several people share gets the list to pick a UPN from; one nobody has says so, or shows what the log recorded under it for a removed guest.",
  async run({ services }, { ref }) {
    return historyCard(await services.auditTrail.history(ref));
  },
});
