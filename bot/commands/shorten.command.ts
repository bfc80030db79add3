import { z } from 'zod';
import { cards } from '../../cards';
import { issueShortenConfirmation } from '../handlers/shortenConfirmation';
import { shortenCheckReply } from '../presenters/grantLife.presenter';
import { unwrapTeamsLinks } from '../services/userRef';
import { defineCommand } from './defineCommand';

export const SHORTEN_USAGE = 'shorten <app> for <email> until <date> | end on <date>';

/**
 * `<app words…> for <email> <when…>`: the email splits them (an app name may contain "for"); the rest is the new end as
 * typed, read by the strict parser ("until 2027-01-31", "end on Friday", "on 31 Jan").
 */
const ShortenArgs = z.object({ rest: z.string() }).transform((tokens, ctx) => {
  const text = unwrapTeamsLinks(tokens.rest).replace(/\s+/g, ' ').trim();
  const match = /^(.*\S)\s+for\s+(\S+@\S+)\s+(.+)$/i.exec(text);
  const app = (match?.[1] ?? '').replace(/^["\u201c\u201e]+|["\u201d]+$/g, '').trim();
  if (!match || app === '') {
    ctx.addIssue({ code: 'custom', message: "Name the app, the partner's email address and the new end, like: shorten Expenses for ana@fabrikam.com until 2027-01-31." });
    return z.NEVER;
  }
  const when = (match[3] ?? '').replace(/^on\s+/i, 'end on ');
  return { app, email: match[2] ?? '', when };
});

export const shorten = defineCommand({
  name: 'shorten',
  aliases: [],
  summary: "End a partner's grant earlier than planned (admins, and the app's owners); asks you to confirm first",
  usage: SHORTEN_USAGE,
  args: ShortenArgs,
  // App owners may shorten whatever their role here: the right is checked per app, against Graph's owner list.
  permission: 'everyone',
  audience: "admins, and the app's owners",
  // Only shows what would change: the card's confirmation button (access.shortenConfirm) moves the end date.
  sideEffect: 'none',
  examples: ['shorten Expenses for ana@fabrikam.com until 2027-01-31', 'shorten Expenses for ana@fabrikam.com end on Friday'],
  description:
    "moves the end of the partner's live grant of the app to an earlier date, after a confirmation card that shows the old and the new end (the grant's card in `expiring` has the same End earlier). The date is read strictly, in your time zone when Teams gives it: an ambiguous date (01/02), one that has passed, or one not earlier than the current end is asked again, never guessed. Confirm moves the end date with one compare-and-set on the date shown (a grant extended meanwhile changes nothing), moves its expiry job and its notices, withdraws an extension still waiting for approval, and is audited. The access is then removed at the new end like at any expiry.",
  async run(context, { app, email, when }) {
    const check = await context.services.accessRequests.prepareShorten(context.caller, app, email, when, context.zone);
    const reply = shortenCheckReply(check, context.caller, await issueShortenConfirmation(context, check));
    return 'card' in reply ? reply.card : cards.notice({ tone: 'warning', title: reply.message });
  },
});
