import { z } from 'zod';
import { cards } from '../../cards';
import { DEFAULT_STALE_DAYS, MAX_STALE_DAYS } from '../services/stale/staleService';
import { staleCard, staleSummary } from '../presenters/stale.presenter';
import { defineCommand } from './defineCommand';

/** `stale [days]`: at most one whole number of days, 1 to MAX_STALE_DAYS; anything else is refused with what to type. */
export const StaleArgs = z
  .object({ args: z.array(z.string()) })
  .refine((t) => t.args.length <= 1, { message: 'Give at most one number of days, like stale 90.' })
  .transform((t, ctx) => {
    const [raw] = t.args;
    if (raw === undefined) return { days: DEFAULT_STALE_DAYS };
    if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_STALE_DAYS) {
      ctx.addIssue({ code: 'custom', message: `"${raw.slice(0, 40)}" is not a number of days from 1 to ${MAX_STALE_DAYS}. Try stale or stale 90.` });
      return z.NEVER;
    }
    return { days: Number(raw) };
  });

export const stale = defineCommand({
  name: 'stale',
  aliases: [],
  summary: 'Guests to look at: no sign-in for a while, invitations never redeemed, no sponsor left (partner managers, admins)',
  usage: 'stale [days]',
  args: StaleArgs,
  permission: 'partnerManagers',
  sideEffect: 'none',
  examples: ['stale', 'stale 180'],
  description: `every guest read once, in three groups: no sign-in for the given days (default ${DEFAULT_STALE_DAYS}, at most ${MAX_STALE_DAYS}) from signInActivity (the last successful sign-in, else the last interactive or non-interactive attempt); invitations not redeemed after INVITE_UNREDEEMED_DAYS, with who asked through the bot, and Resend; guests whose sponsors are all disabled or deleted, or who have none. Counts first, then 8 guests a page, and Export all as CSV through a signed link. Without an Entra ID P1/P2 licence or AuditLog.Read.All the card says so and lists the redeemed guests created before the window instead. Read-only: one paged guest listing (120 a page with signInActivity) and one \`$batch\` of sponsor reads per 20 guests.`,
  async run({ services }, { days }) {
    if (!services.stale) return cards.notice({ tone: 'warning', title: 'Guest hygiene is not available', text: 'This bot was started without a Graph reader for guest hygiene.' });
    const page = await services.stale.page(days);
    return { card: staleCard(page), text: staleSummary(page) };
  },
});
