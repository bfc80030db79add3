import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import { JOIN_KEY_WORDS, PARTNER_STATES, STATE_TITLES, type PartnerRecord, type PartnerState } from '../services/partners/partnerStates';
import type { PartnerAccount, PartnerDetail } from '../services/partners/partnerSync';
import type { PartnersPage } from '../services/partners/partnersService';

const ATTENTION: ReadonlySet<PartnerState> = new Set(['securityGap', 'disabledOnPrem']);

function recordName(r: PartnerRecord): string {
  const a = r.account;
  if (a) return `${a.displayName ?? a.sAMAccountName} (${a.userPrincipalName ?? a.sAMAccountName})`;
  return `${r.entra?.displayName ?? ''} (${r.entra?.userPrincipalName ?? r.entra?.id ?? ''})`;
}

function matchedWords(r: PartnerRecord): string {
  return r.matchedBy ? `Joined by ${JOIN_KEY_WORDS[r.matchedBy]}` : '';
}

/** The overview: counts of every state first, then this page's accounts grouped by state. */
export function partnersCard(page: PartnersPage): Attachment {
  const { scan } = page;
  const total = scan.records.length;
  const needing = total - scan.counts.consistent;
  return cards.partners({
    scanId: page.scanId,
    title: needing === 0 ? `${total} partner accounts, all consistent` : `${needing} of ${total} partner accounts need action`,
    scope: `AD: ${scan.searchBase}. Read at ${scan.at.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    counts: PARTNER_STATES.map((s) => ({ title: STATE_TITLES[s], value: String(scan.counts[s]) })),
    groups: PARTNER_STATES.filter((s) => s !== 'consistent')
      .map((s) => ({ state: s, records: page.records.filter((r) => r.state === s) }))
      .filter((g) => g.records.length > 0)
      .map((g) => ({
        title: STATE_TITLES[g.state],
        attention: ATTENTION.has(g.state),
        records: g.records.map((r) => ({ name: recordName(r), sentence: r.sentence, matched: matchedWords(r) })),
      })),
    page: page.page,
    pages: page.pages,
    ...(page.exportUrl ? { exportUrl: page.exportUrl } : {}),
  });
}

function expiresWords(a: PartnerAccount): string {
  return a.accountExpires === 'never' ? 'never' : a.accountExpires.toISOString().slice(0, 10);
}

function same(x: string | undefined, y: string | undefined): boolean {
  return (x ?? '').toLowerCase() === (y ?? '').toLowerCase();
}

/** Both sides of one account, attribute by attribute; a pair that should agree and does not is shown in red. */
function rows(r: PartnerRecord, domain: string) {
  const a = r.account;
  const e = r.entra;
  const none = '—';
  const row = (attribute: string, ad: string | undefined, entra: string | undefined, compare = true) => ({
    attribute,
    ad: ad ?? none,
    entra: entra ?? none,
    differs: compare && Boolean(a && e) && !same(ad, entra),
  });
  const markerKey = a?.partner && 'attribute' in a.partner ? a.partner.attribute : undefined;
  const entraMarker = markerKey && e ? Object.entries(e.onPremisesExtensionAttributes).find(([k]) => k.toLowerCase() === markerKey.toLowerCase())?.[1] : undefined;
  return [
    row('objectSid / onPremisesSecurityIdentifier', a?.objectSid, e?.onPremisesSecurityIdentifier),
    row('Source anchor / onPremisesImmutableId', a?.immutableId, e?.onPremisesImmutableId),
    row('userPrincipalName / onPremisesUserPrincipalName', a?.userPrincipalName, e?.onPremisesUserPrincipalName),
    row('sAMAccountName / onPremisesSamAccountName', a?.sAMAccountName, e?.onPremisesSamAccountName),
    row('Domain / onPremisesDomainName', a ? domain : undefined, e?.onPremisesDomainName),
    row('distinguishedName / onPremisesDistinguishedName', a?.dn, e?.onPremisesDistinguishedName),
    row('mail', a?.mail, e?.mail),
    row('proxyAddresses', a ? a.proxyAddresses.join(', ') || undefined : undefined, e ? e.proxyAddresses.join(', ') || undefined : undefined, false),
    ...(markerKey ? [row(`${markerKey} (partner marker)`, a?.markerValue, entraMarker)] : []),
    row('Partner rule / userType', a ? (a.partner ? 'partner' : 'not a partner') : undefined, e?.userType, false),
    row('Enabled', a ? String(!a.disabled) : undefined, e?.accountEnabled === undefined ? undefined : String(e.accountEnabled)),
    row('Locked out', a ? String(a.locked) : undefined, undefined, false),
    row('accountExpires', a ? expiresWords(a) : undefined, undefined, false),
    row('Cloud UPN', undefined, e?.userPrincipalName, false),
    row('Object id', undefined, e?.id, false),
    row('Last sync', undefined, e?.onPremisesLastSyncDateTime, false),
  ];
}

/** `partners <account>`: found, several accounts, nothing, or a reference that cannot be an AD account. */
export function partnerDetailCard(detail: PartnerDetail | { kind: 'invalid'; problem: string }, domain: string): Attachment {
  switch (detail.kind) {
    case 'invalid':
      return cards.notice({ tone: 'warning', title: 'That is not an AD account name', text: detail.problem });
    case 'notFound':
      return cards.notice({
        tone: 'warning',
        title: `No AD account matches "${detail.query}"`,
        text: `I looked under ${detail.searchBase} for a sAMAccountName, UPN, mail or smtp proxy address, or objectSid. Check the spelling, or set ONPREM_PARTNER_SEARCH_BASE if the account lives elsewhere.`,
      });
    case 'ambiguous':
      return cards.notice({
        tone: 'warning',
        title: `${detail.accounts.length} AD accounts match "${detail.query}"`,
        text: `Give the sAMAccountName of one: ${detail.accounts.map((a) => a.sAMAccountName).join(', ')}.`,
      });
    case 'found': {
      const r = detail.record;
      const keep =
        r.state === 'twoIdentities' && r.entra && r.twin
          ? {
              text: 'Microsoft\'s way to end up with one identity: move the app access (assignments and group memberships) to the identity that stays, then remove or disable the other. Each step asks to confirm first, and only what the bot moved is touched.',
              syncedId: r.entra.id.toLowerCase(),
              syncedName: r.entra.userPrincipalName ?? r.entra.id,
              twinId: r.twin.id.toLowerCase(),
              twinName: r.twin.userPrincipalName ?? r.twin.id,
            }
          : undefined;
      return cards.partnerDetail({
        stateTitle: STATE_TITLES[r.state],
        attention: ATTENTION.has(r.state),
        name: recordName(r),
        dn: r.account?.dn ?? '',
        sentence: r.sentence,
        matched: r.matchedBy ? `Joined by ${JOIN_KEY_WORDS[r.matchedBy]}.` : 'No Entra user joined: no key matched.',
        rows: rows(r, domain),
        ...(keep ? { keep } : {}),
      });
    }
  }
}

/** On-prem AD refused or could not answer: its message says what and what to do (a missing search base, a refused bind). */
export function onPremProblemCard(error: Error): Attachment {
  return cards.notice({ tone: 'attention', title: 'The on-prem directory could not be read', text: `${error.message} Nothing was changed.` });
}
