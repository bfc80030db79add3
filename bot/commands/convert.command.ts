import { convertQuestion } from '../handlers/hybridConfirmation';
import { convertReply, CONVERT_USAGE } from '../presenters/hybrid.presenter';
import { defineCommand } from './defineCommand';
import { oneEmail } from './signin.command';

export const convert = defineCommand({
  name: 'convert',
  aliases: [],
  summary: 'Let a locally managed partner sign in with their own organization\'s account instead, keeping their account (admins); asks first',
  usage: CONVERT_USAGE,
  args: oneEmail,
  permission: 'admins',
  // Their local password stops working in the cloud, and Microsoft documents the conversion as one-way.
  sideEffect: 'destructive',
  confirm: async (context, { email }) => convertQuestion(await context.services.hybrid.planConvert(context.caller, email)),
  examples: ['convert wmoran@fabrikam.com'],
  description:
    'invites an existing internal partner account to B2B collaboration (POST /invitations with `invitedUser`, as "Invite internal users to B2B collaboration" documents): the account keeps its object id, UPN, groups and app assignments, and once the partner accepts, their cloud sign-in moves to their home realm and the local password stops working in the cloud (on-prem it works until reset). A confirmation card first says what changes. Refused, with the reason, where Microsoft\'s page says conversion is not possible or not wise: the account already has B2B credentials, it has onPremisesUserPrincipalName (Entra Connect\'s default rule writes it and Microsoft blocks those), its Mail is not the external address, the address is in one of our own domains, it is disabled, or it is not a partner account. No email is sent; the card gives the redemption link. Audited.',
  async run({ services, caller, confirmed }, { email }) {
    if (!confirmed) return convertReply({ kind: 'refused', reason: 'Convert runs only after its confirmation.' });
    return convertReply(await services.hybrid.convert(caller, email));
  },
});
