import { AndFilter, EqualityFilter, NoSuchObjectError, OrFilter, InsufficientAccessError, ResultCodeError, type Client, type Entry, type Filter } from 'ldapts';
import { matchPartnerRule, type OnPremSettings, type PartnerMarkerConfig, type PartnerRuleMatch } from '../config';
import { domainRootOf, escapeFilterValue } from './ldapEscape';
import { OnPremDirectoryError, withBoundClient } from './ldapConnection';

/** userAccountControl bits (MS-ADTS 2.2.16) that the partner states read. */
const UAC_ACCOUNTDISABLE = 0x2;
const UAC_LOCKOUT = 0x10;
/** AD documents a 20-character limit for a user's sAMAccountName (Samba does not enforce it). */
export const MAX_SAM_ACCOUNT_NAME = 20;
const SAM_ILLEGAL = /["/\\[\]:;|=,+*?<>@]/;
/** Binary attributes: read as Buffers, never as UTF-8 text. */
const BINARY = ['objectSid', 'objectGUID', 'mS-DS-ConsistencyGuid'];
const ATTRIBUTES = [
  ...BINARY,
  'distinguishedName',
  'sAMAccountName',
  'userPrincipalName',
  'displayName',
  'mail',
  'proxyAddresses',
  'userAccountControl',
  'msDS-User-Account-Control-Computed',
  'lockoutTime',
  'accountExpires',
];
/** Page size of the LDAP paged-results control (RFC 2696); AD's MaxPageSize is 1000 by default. */
export const PARTNER_PAGE_SIZE = 500;
/** Keys per OR filter when looking accounts up by the keys Entra holds; keeps each filter well under AD's MaxQueryDuration. */
const KEYS_PER_FILTER = 200;

/** A locally managed partner account as AD holds it, with what the join to Entra needs. */
export interface PartnerAccount {
  dn: string;
  /** String form, S-1-5-21-…; Entra Connect writes it to onPremisesSecurityIdentifier. */
  objectSid: string;
  /** The dashed GUID (AD's mixed-endian byte order decoded). */
  objectGuid: string;
  /** ms-DS-ConsistencyGuid as base64, the form of onPremisesImmutableId; undefined when not set. */
  consistencyGuid?: string;
  /** The source anchor Entra Connect used: ms-DS-ConsistencyGuid when set, else objectGUID, as base64 (onPremisesImmutableId). */
  immutableId: string;
  /** objectGUID as base64: the source anchor of installations that predate ms-DS-ConsistencyGuid. */
  objectGuidBase64: string;
  userPrincipalName?: string;
  sAMAccountName: string;
  displayName?: string;
  mail?: string;
  proxyAddresses: string[];
  userAccountControl: number;
  disabled: boolean;
  locked: boolean;
  accountExpires: Date | 'never';
  /** The value of the marker attribute (PARTNER_MARKER_ATTRIBUTE) on this account; undefined when unset or no marker is configured. */
  markerValue?: string;
  /** What makes this account a partner under the partner rule; undefined when the rule does not mark it. */
  partner?: PartnerRuleMatch;
}

/** How a person named an AD account in chat. */
export type PartnerAccountRef = { kind: 'sid'; value: string } | { kind: 'address'; value: string } | { kind: 'sAMAccountName'; value: string };

export type PartnerAccountLookup =
  | { kind: 'found'; account: PartnerAccount }
  | { kind: 'ambiguous'; accounts: PartnerAccount[] }
  | { kind: 'notFound' };

/** Keys Entra holds for a synced user, to find its AD account. */
export interface SyncedKeys {
  sids?: readonly string[];
  immutableIds?: readonly string[];
  userPrincipalNames?: readonly string[];
  sAMAccountNames?: readonly string[];
}

/** Whether an account has expired on-prem at `now` (accountExpires is the end of the last valid day, as AD stores it). */
export function isExpired(account: Pick<PartnerAccount, 'accountExpires'>, now: Date): boolean {
  return account.accountExpires !== 'never' && account.accountExpires.getTime() <= now.getTime();
}

/**
 * Reads a typed account reference: an objectSid (S-1-…), a UPN or email (anything with @), else a sAMAccountName, which must
 * fit AD's 20 characters and its character rules. Throws a message that says what was wrong.
 */
export function parsePartnerAccountRef(text: string): PartnerAccountRef {
  const value = text.trim();
  if (value.length === 0) throw new OnPremDirectoryError('Give an account: a sAMAccountName (wmoran), a UPN or an email address.');
  if (/^S-1-\d+(-\d+)+$/i.test(value)) return { kind: 'sid', value: value.toUpperCase() };
  if (value.includes('@')) {
    if (/\s/.test(value) || value.length > 1024) throw new OnPremDirectoryError(`"${value}" is not a UPN or an email address.`);
    return { kind: 'address', value };
  }
  if (Array.from(value).length > MAX_SAM_ACCOUNT_NAME) {
    throw new OnPremDirectoryError(`"${value}" is longer than the ${MAX_SAM_ACCOUNT_NAME} characters AD allows for a sAMAccountName; give the UPN or email address instead.`);
  }
  if (SAM_ILLEGAL.test(value) || Array.from(value).some((c) => (c.codePointAt(0) ?? 0) < 0x20)) {
    throw new OnPremDirectoryError(`"${value}" cannot be a sAMAccountName (it may not contain " / \\ [ ] : ; | = , + * ? < > @); give the UPN or email address instead.`);
  }
  return { kind: 'sAMAccountName', value };
}

/** objectSid bytes (MS-DTYP 2.4.2) as the S-1-… string Entra shows. */
export function sidToString(bytes: Buffer): string {
  if (bytes.length < 8) throw new OnPremDirectoryError('An objectSid is shorter than 8 bytes.');
  const count = bytes.readUInt8(1);
  const authority = bytes.readUIntBE(2, 6);
  const parts = [`S-${bytes.readUInt8(0)}-${authority}`];
  for (let i = 0; i < count && 8 + 4 * i + 4 <= bytes.length; i++) parts.push(String(bytes.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

/** The S-1-… string as objectSid bytes, for a binary equality filter (ldapts corrupts `\XX` escapes ≥ 0x80 in string filters). */
export function sidToBytes(sid: string): Buffer {
  const match = /^S-(\d+)-(\d+)((?:-\d+)*)$/i.exec(sid.trim());
  if (!match) throw new OnPremDirectoryError(`"${sid}" is not a security identifier (S-1-…).`);
  const subs = (match[3] ?? '').split('-').filter((s) => s.length > 0).map(Number);
  if (subs.length > 15 || subs.some((n) => !Number.isSafeInteger(n) || n > 0xffffffff)) throw new OnPremDirectoryError(`"${sid}" is not a security identifier (S-1-…).`);
  const out = Buffer.alloc(8 + 4 * subs.length);
  out.writeUInt8(Number(match[1]), 0);
  out.writeUInt8(subs.length, 1);
  out.writeUIntBE(Number(match[2]), 2, 6);
  subs.forEach((n, i) => out.writeUInt32LE(n, 8 + 4 * i));
  return out;
}

/** AD's GUID bytes (first three fields little-endian) as the dashed form. */
export function guidToString(bytes: Buffer): string {
  const h = (s: number, e: number, reverse: boolean): string => {
    const part = Buffer.from(bytes.subarray(s, e));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return [h(0, 4, true), h(4, 6, true), h(6, 8, true), h(8, 10, false), h(10, 16, false)].join('-');
}

/**
 * accountExpires (MS-ADA1): 100-ns intervals since 1601-01-01 UTC; 0 and 0x7FFFFFFFFFFFFFFF both mean the account never expires.
 */
export function accountExpiresFrom(raw: string | undefined): Date | 'never' {
  if (!raw || !/^\d+$/.test(raw.trim())) return 'never';
  const ticks = BigInt(raw.trim());
  if (ticks === 0n || ticks >= 0x7fffffffffffffffn) return 'never';
  const ms = Number(ticks / 10_000n) - 11_644_473_600_000;
  return Number.isFinite(ms) && ms < 8.64e15 ? new Date(ms) : 'never';
}

function valuesOf(entry: Entry, name: string): (string | Buffer)[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key ? entry[key] : undefined;
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function text(entry: Entry, name: string): string | undefined {
  const v = valuesOf(entry, name)[0];
  if (v === undefined) return undefined;
  const s = Buffer.isBuffer(v) ? v.toString('utf8') : v;
  return s.length > 0 ? s : undefined;
}

function binary(entry: Entry, name: string): Buffer | undefined {
  const v = valuesOf(entry, name)[0];
  if (v === undefined) return undefined;
  const b = Buffer.isBuffer(v) ? v : Buffer.from(v, 'binary');
  return b.length > 0 ? b : undefined;
}

/** The ms-DS-ConsistencyGuid or objectGUID value of an onPremisesImmutableId (base64 of the 16 bytes). */
function immutableIdBytes(immutableId: string): Buffer | undefined {
  const bytes = Buffer.from(immutableId, 'base64');
  return bytes.length === 16 && bytes.toString('base64') === immutableId ? bytes : undefined;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const PERSON = [new EqualityFilter({ attribute: 'objectCategory', value: 'person' }), new EqualityFilter({ attribute: 'objectClass', value: 'user' })];

/**
 * The read side of locally managed partner accounts in on-prem AD (issue 10): one account, the paged scan of
 * ONPREM_PARTNER_SEARCH_BASE, and the accounts behind keys Entra holds. Over the same LDAPS connection settings as shadow
 * accounts; read access is enough. Every account carries whether the partner rule (the same `matchPartnerRule` whois uses)
 * makes it a partner.
 */
export class PartnerAccounts {
  /** The DN scanned: ONPREM_PARTNER_SEARCH_BASE, or the domain root of ONPREM_GUEST_OU. */
  readonly searchBase: string;

  constructor(
    private readonly settings: OnPremSettings,
    private readonly rules: PartnerMarkerConfig,
  ) {
    const base = settings.partnerSearchBase ?? domainRootOf(settings.guestOu);
    if (!base) throw new OnPremDirectoryError(`ONPREM_GUEST_OU "${settings.guestOu}" has no DC= components, so there is no domain root to scan.`);
    this.searchBase = base;
  }

  private toAccount(entry: Entry): PartnerAccount {
    const sid = binary(entry, 'objectSid');
    const guid = binary(entry, 'objectGUID');
    const consistency = binary(entry, 'mS-DS-ConsistencyGuid');
    const uac = Number(text(entry, 'userAccountControl') ?? '0');
    const computed = Number(text(entry, 'msDS-User-Account-Control-Computed') ?? 'NaN');
    const lockoutTime = text(entry, 'lockoutTime');
    const marker = this.rules.markerAttribute;
    const markerValue = marker ? text(entry, marker) : undefined;
    const userPrincipalName = text(entry, 'userPrincipalName');
    const account: PartnerAccount = {
      dn: entry.dn,
      objectSid: sid ? sidToString(sid) : '',
      objectGuid: guid ? guidToString(guid) : '',
      ...(consistency ? { consistencyGuid: consistency.toString('base64') } : {}),
      immutableId: (consistency ?? guid ?? Buffer.alloc(0)).toString('base64'),
      objectGuidBase64: guid ? guid.toString('base64') : '',
      ...(userPrincipalName ? { userPrincipalName } : {}),
      sAMAccountName: text(entry, 'sAMAccountName') ?? '',
      ...(text(entry, 'displayName') ? { displayName: text(entry, 'displayName') } : {}),
      ...(text(entry, 'mail') ? { mail: text(entry, 'mail') } : {}),
      proxyAddresses: valuesOf(entry, 'proxyAddresses').map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)),
      userAccountControl: uac,
      disabled: (uac & UAC_ACCOUNTDISABLE) !== 0,
      // AD does not keep the LOCKOUT bit of userAccountControl current; the constructed attribute is, and lockoutTime otherwise.
      locked: Number.isFinite(computed) ? (computed & UAC_LOCKOUT) !== 0 : lockoutTime !== undefined && lockoutTime !== '0',
      accountExpires: accountExpiresFrom(text(entry, 'accountExpires')),
      ...(markerValue !== undefined ? { markerValue } : {}),
    };
    const partner = matchPartnerRule({ markerValueOf: () => markerValue, userPrincipalNames: [userPrincipalName] }, this.rules);
    return partner ? { ...account, partner } : account;
  }

  private explain(what: string, error: unknown): Error {
    if (error instanceof OnPremDirectoryError) return error;
    if (error instanceof NoSuchObjectError) {
      return new OnPremDirectoryError(`${what}: the search base ${this.searchBase} does not exist in the on-prem directory. Set ONPREM_PARTNER_SEARCH_BASE to an existing OU or the domain root.`);
    }
    if (error instanceof InsufficientAccessError) return new OnPremDirectoryError(`${what}: the service account may not read ${this.searchBase} (it needs read access to user objects there).`);
    if (error instanceof ResultCodeError) return new OnPremDirectoryError(`${what}: the on-prem directory answered ${error.name} (${error.code}).`);
    const detail = error instanceof Error ? error.message : String(error);
    return new OnPremDirectoryError(`${what}: could not reach the on-prem directory at ${this.settings.url} (${detail}).`);
  }

  private async read<T>(what: string, work: (client: Client) => Promise<T>): Promise<T> {
    try {
      return await withBoundClient(this.settings, work);
    } catch (error) {
      throw this.explain(what, error);
    }
  }

  private async search(client: Client, filter: Filter | string, paged: boolean, sizeLimit?: number): Promise<PartnerAccount[]> {
    const { searchEntries } = await client.search(this.searchBase, {
      scope: 'sub',
      filter,
      attributes: [...ATTRIBUTES, ...(this.rules.markerAttribute ? [this.rules.markerAttribute] : [])],
      explicitBufferAttributes: BINARY,
      ...(paged ? { paged: { pageSize: PARTNER_PAGE_SIZE } } : {}),
      ...(sizeLimit ? { sizeLimit } : {}),
    });
    return searchEntries.map((e) => this.toAccount(e));
  }

  /** One account by objectSid, UPN, email (mail or an smtp: proxy address) or sAMAccountName. */
  async find(ref: PartnerAccountRef): Promise<PartnerAccountLookup> {
    const match: Filter =
      ref.kind === 'sid'
        ? new EqualityFilter({ attribute: 'objectSid', value: sidToBytes(ref.value) })
        : ref.kind === 'sAMAccountName'
          ? new EqualityFilter({ attribute: 'sAMAccountName', value: ref.value })
          : new OrFilter({
              filters: [
                new EqualityFilter({ attribute: 'userPrincipalName', value: ref.value }),
                new EqualityFilter({ attribute: 'mail', value: ref.value }),
                new EqualityFilter({ attribute: 'proxyAddresses', value: `smtp:${ref.value}` }),
              ],
            });
    const found = await this.read('Looking up the on-prem account', (client) => this.search(client, new AndFilter({ filters: [...PERSON, match] }), false, 10));
    const [only] = found;
    if (!only) return { kind: 'notFound' };
    return found.length === 1 ? { kind: 'found', account: only } : { kind: 'ambiguous', accounts: found };
  }

  /** The LDAP filter for every account the partner rule marks; undefined when the rule marks nobody (no marker, no suffix). */
  partnerFilter(): string | undefined {
    const terms: string[] = [];
    if (this.rules.markerAttribute) terms.push(`(${this.rules.markerAttribute}=${escapeFilterValue(this.rules.markerValue.trim())})`);
    for (const suffix of this.rules.upnSuffixes) {
      terms.push(`(userPrincipalName=*@${escapeFilterValue(suffix)})`, `(userPrincipalName=*.${escapeFilterValue(suffix)})`);
    }
    if (terms.length === 0) return undefined;
    return `(&(objectCategory=person)(objectClass=user)(|${terms.join('')}))`;
  }

  /**
   * Every account under the search base that the partner rule makes a partner, read with the paged-results control so a
   * directory of 10,000 partners comes back in pages AD serves (its MaxPageSize) instead of failing at the size limit.
   */
  async scanPartners(): Promise<PartnerAccount[]> {
    const filter = this.partnerFilter();
    if (!filter) return [];
    const found = await this.read('Scanning the on-prem partner accounts', (client) => this.search(client, filter, true));
    // The LDAP filter is a superset test (AD compares case-insensitively); the rule itself has the last word.
    return found.filter((a) => a.partner !== undefined);
  }

  /** The AD accounts (under the search base) behind keys Entra holds for synced users, e.g. the synced guests the rule misses. */
  async findBySyncedKeys(keys: SyncedKeys): Promise<PartnerAccount[]> {
    const terms: Filter[] = [
      ...(keys.sids ?? []).flatMap((s) => {
        try {
          return [new EqualityFilter({ attribute: 'objectSid', value: sidToBytes(s) })];
        } catch {
          return [];
        }
      }),
      ...(keys.immutableIds ?? []).flatMap((id) => {
        const bytes = immutableIdBytes(id);
        return bytes ? [new EqualityFilter({ attribute: 'mS-DS-ConsistencyGuid', value: bytes }), new EqualityFilter({ attribute: 'objectGUID', value: bytes })] : [];
      }),
      ...(keys.userPrincipalNames ?? []).map((u) => new EqualityFilter({ attribute: 'userPrincipalName', value: u })),
      ...(keys.sAMAccountNames ?? []).map((s) => new EqualityFilter({ attribute: 'sAMAccountName', value: s })),
    ];
    if (terms.length === 0) return [];
    return this.read('Looking up the on-prem accounts of synced guests', async (client) => {
      const byDn = new Map<string, PartnerAccount>();
      for (const part of chunks(terms, KEYS_PER_FILTER)) {
        for (const account of await this.search(client, new AndFilter({ filters: [...PERSON, new OrFilter({ filters: part })] }), true)) byDn.set(account.dn.toLowerCase(), account);
      }
      return [...byDn.values()];
    });
  }
}
