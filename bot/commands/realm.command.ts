import { z } from 'zod';
import { cards } from '../../cards';
import { parseRealmInput } from '../services/userRef';
import { defineCommand } from './defineCommand';

export const realmArgs = z
  .object({ args: z.array(z.string()) })
  .transform((tokens, ctx) => {
    if (tokens.args.length > 1) {
      ctx.addIssue({ code: 'custom', message: 'Give one email address or domain at a time.' });
      return z.NEVER;
    }
    const input = tokens.args[0] ?? '';
    const parsed = parseRealmInput(input);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    const { email, domain } = parsed.value;
    return { emailOrDomain: email ? `${email.local}@${domain.unicode}` : domain.unicode };
  });

export const realm = defineCommand({
  name: 'realm',
  aliases: ['homerealm'],
  summary: "Show where a partner's sign-in goes: their own Entra tenant, their IdP, a Microsoft account or a one-time passcode, or ours",
  usage: 'realm <email | domain>',
  args: realmArgs,
  permission: 'everyone',
  sideEffect: 'none',
  examples: ['realm ana@fabrikam.com', 'realm fabrikam.com'],
  description:
    'where a sign-in with that address goes, as a sentence: another organization\'s Entra tenant, its own IdP, a Microsoft account or one-time passcode, or one of our own (managed or federated) domains; and the home-realm problem when one of our synced local accounts holds an address in another tenant\'s domain. Answers within 2 s, saying what could not be found out.',
  async run({ services }, { emailOrDomain }) {
    return cards.realm(await services.lookup.checkRealm(emailOrDomain));
  },
});
