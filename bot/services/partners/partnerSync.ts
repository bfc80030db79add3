import type { PartnerMarkerConfig } from '../../config';
import type { EntraPartnerUser, SyncKey } from '../../graph/partnerUsers';
import type { UserAppAccessFacts } from '../../graph/userAppAccess';
import type { PartnerAccount, PartnerAccountLookup, PartnerAccountRef, SyncedKeys } from '../../onprem/partnerAccounts';
import { addressesOf, countStates, PARTNER_STATES, dnsDomainOf, isInvitedGuest, partnerRecord, SyncedUserIndex, type JoinKey, type PartnerRecord, type StateCounts } from './partnerStates';

export type { PartnerAccount };

/** The AD side: PartnerAccounts implements it. */
export interface PartnerAccountReader {
  readonly searchBase: string;
  find(ref: PartnerAccountRef): Promise<PartnerAccountLookup>;
  scanPartners(): Promise<PartnerAccount[]>;
  findBySyncedKeys(keys: SyncedKeys): Promise<PartnerAccount[]>;
}

/** The Entra side: GraphPartnerUsers implements it. */
export interface PartnerUserReader {
  listGuests(): Promise<EntraPartnerUser[]>;
  findByKey(key: SyncKey, values: readonly string[]): Promise<EntraPartnerUser[]>;
  findByAddresses(addresses: readonly string[]): Promise<EntraPartnerUser[]>;
  appAccessOf(userIds: readonly string[]): Promise<Map<string, UserAppAccessFacts>>;
}

export interface PartnerScan {
  searchBase: string;
  counts: StateCounts;
  /** Every record, the ones needing action first in the order of PARTNER_STATES, then by name. */
  records: PartnerRecord[];
  /** When the scan ran (the clock passed in). */
  at: Date;
}

export type PartnerDetail =
  | { kind: 'found'; record: PartnerRecord }
  | { kind: 'ambiguous'; query: string; accounts: PartnerAccount[] }
  | { kind: 'notFound'; query: string; searchBase: string };

/** The order keys are tried in, and the AD values each one looks for. */
const KEY_ORDER: { key: SyncKey; joinKey: JoinKey; values(a: PartnerAccount, domain: string): string[] }[] = [
  { key: 'onPremisesSecurityIdentifier', joinKey: 'objectSid', values: (a) => (a.objectSid ? [a.objectSid] : []) },
  { key: 'onPremisesImmutableId', joinKey: 'immutableId', values: (a) => [a.consistencyGuid, a.objectGuidBase64].filter((v): v is string => Boolean(v)) },
  { key: 'onPremisesUserPrincipalName', joinKey: 'userPrincipalName', values: (a) => (a.userPrincipalName ? [a.userPrincipalName] : []) },
  { key: 'onPremisesSamAccountName', joinKey: 'sAMAccountName', values: (a) => (a.sAMAccountName ? [a.sAMAccountName] : []) },
];

function nameOf(r: PartnerRecord): string {
  return (r.account?.sAMAccountName ?? r.entra?.userPrincipalName ?? '').toLowerCase();
}

/**
 * `partners`: on-prem AD and Entra seen together. Joins every AD account the partner rule marks, and every synced guest, to
 * its other side, then sorts each into one of the six states with the sentence that says what to do. Read-only on both sides.
 */
export class PartnerSyncService {
  /** The AD domain's DNS name, derived from the search base; onPremisesDomainName holds the same. */
  readonly domain: string;

  constructor(
    private readonly ad: PartnerAccountReader,
    private readonly entra: PartnerUserReader,
    private readonly rules: PartnerMarkerConfig,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.domain = dnsDomainOf(ad.searchBase);
  }

  /**
   * Round trips for N partner accounts: the guest listing (N/999 pages), then only for the accounts not found among the
   * guests (members, unsynced) one `$batch` per 300 keys and key kind, the AD look-up of unmarked synced guests, and one
   * `$batch` per 19 people with two identities for their app access.
   */
  async scan(): Promise<PartnerScan> {
    const [accounts, guests] = await Promise.all([this.ad.scanPartners(), this.entra.listGuests()]);
    const syncedGuests = guests.filter((g) => g.onPremisesSyncEnabled === true);
    const index = new SyncedUserIndex(syncedGuests);
    const joined = new Map<PartnerAccount, { user: EntraPartnerUser; key: JoinKey }>();
    for (const a of accounts) {
      const hit = index.join(a, this.domain);
      if (hit) joined.set(a, hit);
    }
    // Partners not among the guests: synced as Member, or not synced. Each key kind is asked only for those still unmatched.
    for (const step of KEY_ORDER) {
      const open = accounts.filter((a) => !joined.has(a));
      const values = open.flatMap((a) => step.values(a, this.domain));
      if (values.length === 0) continue;
      const found = new SyncedUserIndex((await this.entra.findByKey(step.key, values)).filter((u) => u.onPremisesSyncEnabled === true));
      for (const a of open) {
        const hit = found.join(a, this.domain);
        if (hit) joined.set(a, { user: hit.user, key: hit.key });
      }
    }
    const joinedIds = new Set([...joined.values()].map((j) => j.user.id.toLowerCase()));
    // Synced guests the partner rule did not bring in: find their AD accounts to say why.
    const strays = syncedGuests.filter((g) => !joinedIds.has(g.id.toLowerCase()));
    const strayAccounts = strays.length === 0 ? [] : await this.ad.findBySyncedKeys(syncedKeysOf(strays, this.domain));
    const strayIndex = new SyncedUserIndex(strays);
    const strayJoined = new Map<string, { account: PartnerAccount; key: JoinKey }>();
    for (const a of strayAccounts) {
      const hit = strayIndex.join(a, this.domain);
      if (hit) strayJoined.set(hit.user.id.toLowerCase(), { account: a, key: hit.key });
    }

    const twins = twinIndex(guests.filter(isInvitedGuest));
    const inputs = [
      ...accounts.map((account) => {
        const j = joined.get(account);
        const twin = j ? findTwin(twins, account, j.user) : undefined;
        return { account, ...(j ? { entra: j.user, matchedBy: j.key } : {}), ...(twin ? { twin } : {}) };
      }),
      ...strays.map((entra) => {
        const s = strayJoined.get(entra.id.toLowerCase());
        return { entra, ...(s ? { account: s.account, matchedBy: s.key } : {}) };
      }),
    ];
    let records = inputs.map((i) => partnerRecord(i, this.rules, this.now()));
    const dual = records.filter((r) => r.state === 'twoIdentities');
    if (dual.length > 0) {
      const access = await this.entra.appAccessOf(dual.flatMap((r) => [r.entra?.id, r.twin?.id].filter((id): id is string => Boolean(id))));
      records = records.map((r) => (r.state === 'twoIdentities' ? partnerRecord({ ...r, appAccess: accessFor(access, r) }, this.rules, this.now()) : r));
    }
    return { searchBase: this.ad.searchBase, counts: countStates(records), records: sortRecords(records), at: this.now() };
  }

  /** `partners <account>`: one account, both sides, the key that joined them; the twin's app access when there are two identities. */
  async detail(ref: PartnerAccountRef, query: string): Promise<PartnerDetail> {
    const found = await this.ad.find(ref);
    if (found.kind === 'notFound') return { kind: 'notFound', query, searchBase: this.ad.searchBase };
    if (found.kind === 'ambiguous') return { kind: 'ambiguous', query, accounts: found.accounts };
    const account = found.account;
    let joined: { user: EntraPartnerUser; key: JoinKey } | undefined;
    for (const step of KEY_ORDER) {
      const values = step.values(account, this.domain);
      if (values.length === 0) continue;
      const hit = new SyncedUserIndex((await this.entra.findByKey(step.key, values)).filter((u) => u.onPremisesSyncEnabled === true)).join(account, this.domain);
      if (hit) {
        joined = hit;
        break;
      }
    }
    const addresses = [...new Set([...addressesOf(account), ...(joined ? addressesOf(joined.user) : [])])];
    const holders = addresses.length > 0 ? await this.entra.findByAddresses(addresses) : [];
    const twin = joined ? findTwin(twinIndex(holders.filter(isInvitedGuest)), account, joined.user) : undefined;
    const input = { account, ...(joined ? { entra: joined.user, matchedBy: joined.key } : {}), ...(twin ? { twin } : {}) };
    let record = partnerRecord(input, this.rules, this.now());
    if (record.state === 'twoIdentities' && joined && twin) {
      const access = await this.entra.appAccessOf([joined.user.id, twin.id]);
      record = partnerRecord({ ...input, appAccess: accessFor(access, record) }, this.rules, this.now());
    }
    return { kind: 'found', record };
  }
}

function accessFor(access: Map<string, UserAppAccessFacts>, r: Pick<PartnerRecord, 'entra' | 'twin'>): PartnerRecord['appAccess'] {
  const synced = r.entra ? access.get(r.entra.id.toLowerCase()) : undefined;
  const twin = r.twin ? access.get(r.twin.id.toLowerCase()) : undefined;
  return { ...(synced ? { synced } : {}), ...(twin ? { twin } : {}) };
}

function syncedKeysOf(users: readonly EntraPartnerUser[], domain: string): SyncedKeys {
  const pick = (f: (u: EntraPartnerUser) => string | undefined): string[] => users.flatMap((u) => (f(u) ? [f(u) ?? ''] : []));
  return {
    sids: pick((u) => u.onPremisesSecurityIdentifier),
    immutableIds: pick((u) => u.onPremisesImmutableId),
    userPrincipalNames: pick((u) => u.onPremisesUserPrincipalName),
    // A sAMAccountName is unique only within its domain: ask for those of our domain alone.
    sAMAccountNames: pick((u) => (u.onPremisesDomainName?.toLowerCase() === domain ? u.onPremisesSamAccountName : undefined)),
  };
}

function twinIndex(invited: readonly EntraPartnerUser[]): Map<string, EntraPartnerUser> {
  const byAddress = new Map<string, EntraPartnerUser>();
  for (const g of invited) for (const a of addressesOf(g)) if (!byAddress.has(a)) byAddress.set(a, g);
  return byAddress;
}

function findTwin(twins: Map<string, EntraPartnerUser>, account: PartnerAccount, synced: EntraPartnerUser): EntraPartnerUser | undefined {
  for (const a of [...addressesOf(account), ...addressesOf(synced)]) {
    const t = twins.get(a);
    if (t && t.id.toLowerCase() !== synced.id.toLowerCase()) return t;
  }
  return undefined;
}

const ORDER = new Map<string, number>(PARTNER_STATES.map((s, i) => [s, i]));

function sortRecords(records: PartnerRecord[]): PartnerRecord[] {
  return [...records].sort((a, b) => (ORDER.get(a.state) ?? 9) - (ORDER.get(b.state) ?? 9) || nameOf(a).localeCompare(nameOf(b)));
}
