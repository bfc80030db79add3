import { z } from 'zod';
import { cards } from '../../cards';
import { OnPremDirectoryError } from '../services/partners/partnersService';
import { onPremProblemCard, partnerDetailCard, partnersCard } from '../presenters/partners.presenter';
import { defineCommand } from './defineCommand';

export const partners = defineCommand({
  name: 'partners',
  aliases: ['sync'],
  summary: 'Compare the partner accounts in on-prem AD with Entra: what is consistent and what needs action',
  usage: 'partners [sAMAccountName | UPN | email]',
  args: z.object({ args: z.array(z.string()) }).transform(({ args }) => ({ account: args.join(' ').trim() })),
  permission: 'partnerManagers',
  sideEffect: 'none',
  examples: ['partners', 'partners wmoran', 'sync wmoran@fabrikam.com'],
  description:
    'Every AD account under ONPREM_PARTNER_SEARCH_BASE that the partner rule (PARTNER_MARKER_*, PARTNER_UPN_SUFFIXES) marks, and every synced Guest, joined to its other side by objectSid = onPremisesSecurityIdentifier, else ms-DS-ConsistencyGuid / objectGUID = onPremisesImmutableId, else UPN or sAMAccountName + domain. Counts of the six states first (consistent; security gap: a partner synced as Member; a Guest the rule does not mark; not in Entra yet; two identities for one person; disabled or expired in AD but enabled in Entra), then the accounts that need action, grouped by state, 8 per page, each with what to do; an Export button downloads the whole list as CSV through a signed link. `partners <account>` shows one account, both sides attribute by attribute, with the key that matched; for two identities, buttons to keep one. Read-only: LDAP paged search, and Graph reads as one guest listing plus `$batch` look-ups (20 × 15 keys per call).',
  async run({ services }, { account }) {
    if (!services.partners) {
      return cards.notice({ tone: 'warning', title: 'On-prem AD is not configured', text: 'partners reads the partner accounts in on-prem AD over LDAPS. An admin must set ONPREM_LDAP_URL, ONPREM_BIND_DN, ONPREM_BIND_PASSWORD and ONPREM_GUEST_OU (see the README).' });
    }
    try {
      if (account.length > 0) return partnerDetailCard(await services.partners.detail(account), services.partners.domain);
      const page = await services.partners.page(1);
      return { card: partnersCard(page), text: `${page.scan.records.length - page.scan.counts.consistent} partner accounts need action` };
    } catch (error) {
      if (error instanceof OnPremDirectoryError) return onPremProblemCard(error);
      throw error;
    }
  },
});
