import { z } from 'zod';
import { cards } from '../../cards';
import { expiringCard } from '../presenters/grantLife.presenter';
import { defineCommand } from './defineCommand';

/** The days `expiring` looks ahead when not told. */
export const DEFAULT_EXPIRING_DAYS = 14;

const ExpiringArgs = z
  .object({ args: z.array(z.string()) })
  .refine((t) => t.args.length <= 1, { message: 'Give at most one number of days, like expiring 30.' })
  .transform((t, ctx) => {
    const [raw] = t.args;
    if (raw === undefined) return { days: DEFAULT_EXPIRING_DAYS };
    if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > 365) {
      ctx.addIssue({ code: 'custom', message: `"${raw.slice(0, 40)}" is not a number of days from 1 to 365.` });
      return z.NEVER;
    }
    return { days: Number(raw) };
  });

export const expiring = defineCommand({
  name: 'expiring',
  aliases: [],
  summary: 'The grants that end soon, soonest first, each with Extend (partner managers, admins)',
  usage: 'expiring [days]',
  args: ExpiringArgs,
  permission: 'partnerManagers',
  sideEffect: 'none',
  examples: ['expiring', 'expiring 30'],
  description: `the bot's live grants that end within the given number of days (default ${DEFAULT_EXPIRING_DAYS}, at most 365), soonest first, with who asked, the role, and whether an extension is waiting or someone chose Let it end. Each has Extend (a new request for the same app and role with a new end and a justification, approved like any other) and Open, the grant's card, where admins find End earlier.`,
  async run({ services, caller }, { days }) {
    const reply = expiringCard(await services.accessRequests.expiring(caller, days), caller);
    return 'card' in reply ? reply.card : cards.notice({ tone: 'warning', title: reply.message });
  },
});
