import { z } from 'zod';
import { signinReply, SIGNIN_USAGE } from '../presenters/hybrid.presenter';
import { unwrapTeamsLinks } from '../services/userRef';
import { defineCommand } from './defineCommand';

/** One email address, as a Teams mailto link or typed. */
export const oneEmail = z
  .object({ args: z.array(z.string()) })
  .refine((t) => t.args.length === 1, { message: "Give the partner's email address, and only that." })
  .transform((t) => ({ email: unwrapTeamsLinks(t.args[0] ?? '').trim().replace(/^mailto:/i, '') }))
  .refine((t) => /^[^@\s]+@[^@\s]+$/.test(t.email), { message: 'That is not an email address.' });

export const signin = defineCommand({
  name: 'signin',
  aliases: [],
  summary: 'Check the four steps that let a synced partner sign in with their own email address (admins and partner managers)',
  usage: SIGNIN_USAGE,
  args: oneEmail,
  permission: 'partnerManagers',
  sideEffect: 'none',
  examples: ['signin wmoran@fabrikam.com'],
  description:
    'the checklist of Microsoft\'s "Let your partners use email as sign-in to access cloud apps" for one partner account, each step done or missing with the fact behind it: 1. synced from AD as a Guest (onPremisesSyncEnabled, UserType); 2. the cloud UPN suffix is a verified domain of ours federated with our on-prem IdP (`federationConfiguration`); 3. the apps they are assigned to in Entra, with each app\'s sign-in mode; 4. the exact tenanted sign-in address to send them, and where a sign-in with their email at a common endpoint would go instead. Reads only.',
  async run({ services, caller }, { email }) {
    return signinReply(await services.hybrid.signin(caller, email));
  },
});
