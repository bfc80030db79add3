import { z } from 'zod';
import { markQuestion } from '../handlers/hybridConfirmation';
import { markReply, MARK_USAGE } from '../presenters/hybrid.presenter';
import { defineCommand } from './defineCommand';

/** `<account> as partner|employee`: one account reference (sAMAccountName, UPN, email or objectSid), then the verdict. */
const MarkArgs = z.object({ args: z.array(z.string()) }).transform((tokens, ctx) => {
  const [account, word, verdict, ...extra] = tokens.args;
  const as = verdict?.toLowerCase();
  if (!account || word?.toLowerCase() !== 'as' || (as !== 'partner' && as !== 'employee') || extra.length > 0) {
    ctx.addIssue({ code: 'custom', message: 'Name one account, then "as partner" or "as employee".' });
    return z.NEVER;
  }
  return { account, as: as === 'partner' ? ('partner' as const) : ('employee' as const) };
});

export const mark = defineCommand({
  name: 'mark',
  aliases: [],
  summary: 'Mark an on-prem AD account as a partner or an employee: writes the partner marker attribute (admins); asks first',
  usage: MARK_USAGE,
  args: MarkArgs,
  permission: 'admins',
  // The next sync cycle changes the account's UserType, and with it what the person may reach.
  sideEffect: 'destructive',
  confirm: async (context, { account, as }) => markQuestion(await context.services.hybrid.planMark(account, as)),
  examples: ['mark wmoran as partner', 'mark dvolkov@partners.contoso.com as employee'],
  description:
    'writes the partner marker attribute (PARTNER_MARKER_ATTRIBUTE, e.g. extensionAttribute1 = PARTNER_MARKER_VALUE) on one AD account over LDAPS: "as partner" sets it, "as employee" clears it. A confirmation card first shows the account (DN, sAMAccountName, UPN), the attribute\'s value before and after, and what the next Entra Connect sync cycle will do to its UserType, with Microsoft\'s documented caveats (UserType sync is off by default, older Entra Connect versions set UserType only at creation, a non-Guest/Member value needs an expression rule). The write is one LDAP modify that deletes the value shown and adds the new one, so a value changed since the card is not overwritten and nothing is half-written. Refused when no marker attribute is configured, or when the UPN suffix still makes the account a partner. Audited. Needs Write on that one attribute.',
  async run({ services, caller, confirmed }, { account, as }) {
    if (!confirmed) return markReply(await services.hybrid.planMark(account, as).then((p) => (p.kind === 'ready' ? { kind: 'refused', reason: 'Mark runs only after its confirmation.' } : p)));
    return markReply(await services.hybrid.mark(caller, account, as));
  },
});
