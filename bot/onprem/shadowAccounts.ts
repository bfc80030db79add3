import { randomBytes } from 'node:crypto';
import {
  AlreadyExistsError,
  Attribute,
  Change,
  Client,
  ConstraintViolationError,
  InsufficientAccessError,
  NoSuchObjectError,
  ResultCodeError,
  type Entry,
} from 'ldapts';
import { domainRootOf, escapeDnValue, escapeFilterValue } from './ldapEscape';
import { OnPremDirectoryError, withBoundClient } from './ldapConnection';
import type { OnPremSettings } from '../config';

/** How the bot reaches on-prem AD. LDAPS only: AD refuses password writes without encryption, and so do we. */
export type { OnPremSettings };

/** The guest a shadow account stands in for, as Graph describes them. */
export interface GuestIdentity {
  objectId: string;
  userPrincipalName: string;
  displayName: string;
  mail?: string;
}

export interface ShadowAccount {
  dn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  enabled: boolean;
}

export type EnsureOutcome = ShadowAccount & { action: 'created' | 'reenabled' | 'unchanged' };

/** A shadow account as the access doctor inspects it: whether AD has locked it out too, which a grant never reads. */
export type InspectedShadowAccount = ShadowAccount & { lockedOut: boolean };

export { OnPremDirectoryError };

/** userAccountControl bits (MS-ADTS 2.2.16). */
export const UAC = { ACCOUNTDISABLE: 0x2, NORMAL_ACCOUNT: 0x200, SMARTCARD_REQUIRED: 0x40000 } as const;
/** 262656: a normal account that must log on with a smartcard, so its (random) password is never usable interactively. */
export const SHADOW_UAC = UAC.NORMAL_ACCOUNT | UAC.SMARTCARD_REQUIRED;
/** Entra Connect's default "In from AD – User Join" rule skips objects whose adminDescription starts with "User_". */
export const ADMIN_DESCRIPTION = 'User_PartnerAccessBotShadowAccount';

/** Active Directory's limits, enforced here because Samba does not enforce them all (it accepts a 25-character sAMAccountName). */
const MAX_SAM = 20;
const MAX_CN = 64;
const MAX_DISPLAY_NAME = 256;
const MAX_MAIL = 256;
const MAX_UPN = 1024;
const SAM_ILLEGAL = /["/\\[\]:;|=,+*?<>@\s]/g;

/** A password nobody knows: 48 random characters plus one of each class so any complexity policy accepts it. */
export function randomUnusablePassword(): string {
  return `${randomBytes(36).toString('base64')}Aa1!`;
}

function utf16Password(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

function codePoints(value: string, max: number): string {
  return Array.from(value).slice(0, max).join('');
}

/** Printable text for an attribute: control characters dropped, whitespace collapsed. */
function clean(value: string): string {
  return Array.from(value)
    .map((c) => (isControl(c) || /[\u202a-\u202e\u2066-\u2069]/.test(c) ? ' ' : c))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

function isControl(c: string): boolean {
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}

/**
 * The candidates for sAMAccountName, best first, all at most 20 characters: the UPN's local part (before #EXT#), then that
 * shortened with 8 hex digits of the object id, then "b2b-" and 16 hex digits. A fixed list, so nothing can loop; the
 * object id makes the last two unique per guest in practice, and when all three are taken the grant fails with a reason.
 */
export function samCandidates(guest: Pick<GuestIdentity, 'objectId' | 'userPrincipalName'>): string[] {
  const local = guest.userPrincipalName.split(/#EXT#/i)[0]?.split('@')[0] ?? '';
  const ascii = local
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x21-\x7e]/g, '-')
    .replace(SAM_ILLEGAL, '-')
    .replace(/-+/g, '-')
    .toLowerCase();
  const trim = (s: string): string => s.replace(/^[.-]+/, '').replace(/[.-]+$/, '');
  const id = guest.objectId.replace(/-/g, '').toLowerCase();
  const base = trim(ascii);
  const out: string[] = [];
  if (base.length > 0) {
    out.push(trim(base.slice(0, MAX_SAM)));
    out.push(`${trim(base.slice(0, MAX_SAM - 9))}-${id.slice(0, 8)}`);
  }
  out.push(`b2b-${id.slice(0, 16)}`);
  return [...new Set(out.filter((s) => s.length > 0 && s.length <= MAX_SAM && !/^[.-]*$/.test(s)))];
}

/** CN = display name plus a short id, so two guests with the same name never collide; at most 64 characters. */
export function shadowCn(guest: Pick<GuestIdentity, 'objectId' | 'displayName'>): string {
  const suffix = ` (${guest.objectId.slice(0, 8)})`;
  const name = codePoints(clean(guest.displayName), MAX_CN - suffix.length).trim();
  return `${name.length > 0 ? name : 'Guest'}${suffix}`;
}

function first(entry: Entry, name: string): string | undefined {
  const value = entry[name];
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  return Buffer.isBuffer(v) ? v.toString('utf8') : v;
}

function toAccount(entry: Entry): ShadowAccount {
  const uac = Number(first(entry, 'userAccountControl') ?? '0');
  return {
    dn: entry.dn,
    sAMAccountName: first(entry, 'sAMAccountName') ?? '',
    userPrincipalName: first(entry, 'userPrincipalName') ?? '',
    enabled: (uac & UAC.ACCOUNTDISABLE) === 0,
  };
}

const ACCOUNT_ATTRIBUTES = ['sAMAccountName', 'userPrincipalName', 'userAccountControl', 'displayName', 'mail'];
/** userAccountControl's LOCKOUT bit, as the constructed msDS-User-Account-Control-Computed reports it (MS-ADTS 2.2.16). */
const UAC_LOCKOUT = 0x10;
const INSPECT_ATTRIBUTES = [...ACCOUNT_ATTRIBUTES, 'lockoutTime', 'msDS-User-Account-Control-Computed'];

/**
 * Shadow accounts for B2B guests in on-prem AD, so application proxy can do Kerberos constrained delegation for them.
 * Every operation opens one LDAPS connection, binds as the service account, and closes it.
 */
export class ShadowAccounts {
  private readonly domainRoot: string;

  constructor(private readonly settings: OnPremSettings) {
    const root = domainRootOf(settings.guestOu);
    if (!root) throw new OnPremDirectoryError(`ONPREM_GUEST_OU "${settings.guestOu}" has no DC= components.`);
    this.domainRoot = root;
  }

  private async withClient<T>(what: string, work: (client: Client) => Promise<T>): Promise<T> {
    try {
      return await withBoundClient(this.settings, work);
    } catch (error) {
      throw this.explain(what, error);
    }
  }

  private explain(what: string, error: unknown): Error {
    if (error instanceof OnPremDirectoryError) return error;
    if (error instanceof InsufficientAccessError) {
      return new OnPremDirectoryError(`${what}: the service account lacks the rights it needs in ${this.settings.guestOu} (see the README's on-prem section).`);
    }
    if (error instanceof ResultCodeError) return new OnPremDirectoryError(`${what}: the on-prem directory answered ${error.name} (${error.code}).`);
    const detail = error instanceof Error ? error.message : String(error);
    return new OnPremDirectoryError(`${what}: could not reach the on-prem directory at ${this.settings.url} (${detail}).`);
  }

  private async searchAccounts(client: Client, filter: string): Promise<Entry[]> {
    const { searchEntries } = await client.search(this.domainRoot, { scope: 'sub', filter, attributes: ACCOUNT_ATTRIBUTES, sizeLimit: 10 });
    return searchEntries;
  }

  private linkFilter(objectId: string): string {
    return `(&(objectCategory=person)(objectClass=user)(${this.settings.linkAttribute}=${escapeFilterValue(objectId)}))`;
  }

  private async findByLink(client: Client, objectId: string): Promise<Entry | undefined> {
    const hits = await this.searchAccounts(client, this.linkFilter(objectId));
    if (hits.length > 1) {
      throw new OnPremDirectoryError(`${hits.length} on-prem accounts are linked to guest ${objectId} (${hits.map((h) => h.dn).join('; ')}). An admin must remove the extra ones.`);
    }
    return hits[0];
  }

  /** AD (2012 R2 and later) keeps UPNs unique in the forest; Samba does not, so check before writing one. */
  private async assertUpnFree(client: Client, upn: string, ownDn: string | undefined): Promise<void> {
    const holders = (await this.searchAccounts(client, `(userPrincipalName=${escapeFilterValue(upn)})`)).filter((e) => e.dn.toLowerCase() !== ownDn?.toLowerCase());
    if (holders.length > 0) {
      throw new OnPremDirectoryError(`Another on-prem account (${holders[0]?.dn ?? ''}) already uses the UPN ${upn}. An admin must resolve the clash before access can be granted.`);
    }
  }

  private validate(guest: GuestIdentity): void {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guest.objectId)) throw new OnPremDirectoryError(`"${guest.objectId}" is not an Entra object id.`);
    if (guest.userPrincipalName.length === 0 || guest.userPrincipalName.length > MAX_UPN || !guest.userPrincipalName.includes('@') || /\s/.test(guest.userPrincipalName) || Array.from(guest.userPrincipalName).some(isControl)) {
      throw new OnPremDirectoryError(`The guest's UPN "${guest.userPrincipalName}" cannot be used on-prem.`);
    }
    if (guest.mail !== undefined && guest.mail.length > MAX_MAIL) throw new OnPremDirectoryError('The guest\'s mail address is longer than AD allows (256).');
  }

  /** The shadow account linked to this guest, if any. */
  async find(objectId: string): Promise<ShadowAccount | undefined> {
    return this.withClient('Looking up the shadow account', async (client) => {
      const entry = await this.findByLink(client, objectId);
      return entry ? toAccount(entry) : undefined;
    });
  }

  /** The OU shadow accounts are made in (ONPREM_GUEST_OU): an account found elsewhere is not one App Proxy's setup expects. */
  get guestOu(): string {
    return this.settings.guestOu;
  }

  /**
   * The shadow account linked to this guest with its lockout state, in one search: AD does not keep the LOCKOUT bit of
   * userAccountControl current, so the constructed attribute is read, and lockoutTime where a directory lacks it (Samba).
   */
  async inspect(objectId: string): Promise<InspectedShadowAccount | undefined> {
    return this.withClient('Looking up the shadow account', async (client) => {
      const { searchEntries } = await client.search(this.domainRoot, { scope: 'sub', filter: this.linkFilter(objectId), attributes: INSPECT_ATTRIBUTES, sizeLimit: 10 });
      if (searchEntries.length > 1) {
        throw new OnPremDirectoryError(`${searchEntries.length} on-prem accounts are linked to guest ${objectId}. An admin must remove the extra ones.`);
      }
      const entry = searchEntries[0];
      if (!entry) return undefined;
      const computed = Number(first(entry, 'msDS-User-Account-Control-Computed') ?? 'NaN');
      const lockoutTime = first(entry, 'lockoutTime');
      const lockedOut = Number.isFinite(computed) ? (computed & UAC_LOCKOUT) !== 0 : lockoutTime !== undefined && lockoutTime !== '0';
      return { ...toAccount(entry), lockedOut };
    });
  }

  /**
   * Makes sure the guest has exactly one enabled shadow account: reuses (and re-enables) the one linked to their object id,
   * or creates it with a random password in the same add. Safe to repeat: a retry after a crash finds the account by its link.
   */
  async ensure(guest: GuestIdentity): Promise<EnsureOutcome> {
    this.validate(guest);
    return this.withClient('Creating the shadow account', async (client) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.ensureOnce(client, guest);
        } catch (error) {
          // A concurrent writer took a name between our check and our add; one fresh look settles it.
          if (error instanceof AlreadyExistsError && attempt < 2) continue;
          if (error instanceof AlreadyExistsError) throw new OnPremDirectoryError(`An on-prem object with the same name already exists in ${this.settings.guestOu}.`);
          if (error instanceof ConstraintViolationError) throw new OnPremDirectoryError(`The on-prem directory refused the account: ${error.message}`);
          if (error instanceof NoSuchObjectError) throw new OnPremDirectoryError(`The OU ${this.settings.guestOu} does not exist (ONPREM_GUEST_OU).`);
          throw error;
        }
      }
    });
  }

  private async ensureOnce(client: Client, guest: GuestIdentity): Promise<EnsureOutcome> {
    const displayName = codePoints(clean(guest.displayName), MAX_DISPLAY_NAME) || guest.userPrincipalName;
    const existing = await this.findByLink(client, guest.objectId);
    if (existing) {
      const account = toAccount(existing);
      const changes: Change[] = [];
      const replace = (type: string, value: string): void => {
        changes.push(new Change({ operation: 'replace', modification: new Attribute({ type, values: [value] }) }));
      };
      if (account.userPrincipalName !== guest.userPrincipalName) {
        await this.assertUpnFree(client, guest.userPrincipalName, existing.dn);
        replace('userPrincipalName', guest.userPrincipalName);
      }
      if (first(existing, 'displayName') !== displayName) replace('displayName', displayName);
      if (guest.mail && first(existing, 'mail') !== guest.mail) replace('mail', guest.mail);
      const uac = Number(first(existing, 'userAccountControl') ?? '0');
      const wanted = (uac & ~UAC.ACCOUNTDISABLE) | SHADOW_UAC;
      if (wanted !== uac) replace('userAccountControl', String(wanted));
      if (changes.length > 0) await client.modify(existing.dn, changes);
      return { ...account, userPrincipalName: guest.userPrincipalName, enabled: true, action: account.enabled ? 'unchanged' : 'reenabled' };
    }

    await this.assertUpnFree(client, guest.userPrincipalName, undefined);
    const candidates = samCandidates(guest);
    const taken = new Set(
      (await this.searchAccounts(client, `(|${candidates.map((c) => `(sAMAccountName=${escapeFilterValue(c)})`).join('')})`)).map((e) => (first(e, 'sAMAccountName') ?? '').toLowerCase()),
    );
    const sam = candidates.find((c) => !taken.has(c.toLowerCase()));
    if (!sam) throw new OnPremDirectoryError(`Every sAMAccountName I can derive for ${guest.userPrincipalName} (${candidates.join(', ')}) is taken. An admin must free one.`);

    const cn = shadowCn(guest);
    const dn = `CN=${escapeDnValue(cn)},${this.settings.guestOu}`;
    const values: Record<string, string[]> = {
      objectClass: ['top', 'person', 'organizationalPerson', 'user'],
      cn: [cn],
      sAMAccountName: [sam],
      userPrincipalName: [guest.userPrincipalName],
      displayName: [displayName],
      description: [codePoints(`Shadow account for Entra B2B guest ${guest.objectId}, managed by Partner Access Bot`, 1024)],
      adminDescription: [ADMIN_DESCRIPTION],
      [this.settings.linkAttribute]: [guest.objectId],
      userAccountControl: [String(SHADOW_UAC)],
    };
    if (guest.mail) values.mail = [guest.mail];
    await client.add(dn, [
      ...Object.entries(values).map(([type, v]) => new Attribute({ type, values: v })),
      new Attribute({ type: 'unicodePwd', values: [utf16Password(randomUnusablePassword())] }),
    ]);
    return { dn, sAMAccountName: sam, userPrincipalName: guest.userPrincipalName, enabled: true, action: 'created' };
  }

  /** Disables the guest's shadow account (kept, so a re-grant re-enables the same object). */
  async disable(objectId: string): Promise<'disabled' | 'alreadyDisabled' | 'missing'> {
    return this.withClient('Disabling the shadow account', async (client) => {
      const entry = await this.findByLink(client, objectId);
      if (!entry) return 'missing';
      const uac = Number(first(entry, 'userAccountControl') ?? '0');
      if ((uac & UAC.ACCOUNTDISABLE) !== 0) return 'alreadyDisabled';
      await client.modify(entry.dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [String(uac | UAC.ACCOUNTDISABLE)] }) }));
      return 'disabled';
    });
  }
}
