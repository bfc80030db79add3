import { Attribute, NoSuchObjectError, type Client } from 'ldapts';
import type { Fixture, FixtureUser } from './fixture';

/**
 * Locally managed partner accounts for a local Samba DC, one per state of `partners` (issue 10), and the Entra users the
 * sandbox fixture syncs from them. `npm run sandbox:ad` and the partners integration test seed the DC first, then give the
 * fixture the objectSid and objectGUID the DC assigned, so the join works exactly as against a real AD and Entra Connect.
 */
export interface PartnerSeedAccount {
  sam: string;
  cn: string;
  upn: string;
  mail?: string;
  proxyAddresses?: string[];
  marker?: string;
  disabled?: boolean;
  /** Which Entra user it is synced to (an existing fixture user or one added here), and which key Entra holds for it. */
  entra?: { id: string; key: 'sid' | 'immutableId' | 'upn' | 'sam' };
}

/** The state each account ends up in, for the README and the tests: drift, unsynced, disabled on-prem, dual identity, guest not marked. */
export const PARTNER_SEED: readonly (PartnerSeedAccount & { expected: string })[] = [
  { sam: 'wmoran', cn: 'Moran, Wendy', upn: 'wmoran@partners.contoso.com', mail: 'wmoran@fabrikam.com', proxyAddresses: ['SMTP:wmoran@fabrikam.com', 'smtp:wmoran@partners.contoso.com'], marker: 'Partner', entra: { id: 'd0000000-0000-4000-8000-000000000001', key: 'sid' }, expected: 'consistent' },
  { sam: 'rpatel', cn: 'Raj Patel', upn: 'rpatel@contoso.com', mail: 'raj.patel@northwindtraders.com', marker: 'Partner', entra: { id: 'd0000000-0000-4000-8000-000000000002', key: 'immutableId' }, expected: 'consistent' },
  { sam: 'dvolkov', cn: 'Dmitri Volkov', upn: 'dvolkov@partners.contoso.com', mail: 'dvolkov@partners.contoso.com', marker: 'Partner', entra: { id: 'd0000000-0000-4000-8000-000000000003', key: 'upn' }, expected: 'securityGap' },
  { sam: 'jnovak', cn: 'Jana Nováková', upn: 'jnovak@partners.contoso.com', mail: 'jana.novakova@adatum.cz', marker: 'Partner', expected: 'notInEntra' },
  { sam: 'tbaker', cn: 'Baker, Tom #2', upn: 'tbaker@partners.contoso.com', mail: 'tom.baker@litware.com', marker: 'Partner', disabled: true, entra: { id: 'd0000000-0000-4000-8000-000000000004', key: 'sid' }, expected: 'disabledOnPrem' },
  { sam: 'kchen', cn: 'Kim Chen', upn: 'kchen@partners.contoso.com', mail: 'kim.chen@wingtiptoys.com', proxyAddresses: ['SMTP:kim.chen@wingtiptoys.com'], marker: 'Partner', entra: { id: 'd0000000-0000-4000-8000-000000000005', key: 'sid' }, expected: 'twoIdentities' },
  { sam: 'mgarcia', cn: 'Maria Garcia', upn: 'mgarcia@contoso.com', mail: 'maria.garcia@contoso.com', entra: { id: 'd0000000-0000-4000-8000-000000000006', key: 'sam' }, expected: 'guestNotMarked' },
];

/** The invited B2B guest that is Kim Chen's second identity. */
export const KIM_CHEN_INVITED_ID = 'e0000000-0000-4000-8000-000000000007';

export interface AssignedIds {
  sid: string;
  /** objectGUID as base64: what Entra Connect writes to onPremisesImmutableId when no ms-DS-ConsistencyGuid is set. */
  objectGuidBase64: string;
}

export function partnerOu(baseDn: string): string {
  return `OU=Partners,${baseDn}`;
}

function sidString(bytes: Buffer): string {
  const count = bytes.readUInt8(1);
  const parts = [`S-${bytes.readUInt8(0)}-${bytes.readUIntBE(2, 6)}`];
  for (let i = 0; i < count; i++) parts.push(String(bytes.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

function escapeRdn(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`).replace(/^[ #]/, (c) => `\\${c}`);
}

/**
 * Creates OU=Partners and its accounts (an existing account is kept, so a second run changes nothing) and reads back the ids
 * the DC assigned. `extra` adds more accounts of the same shape (the bench's thousands, without passwords: 4× faster to add).
 */
export async function seedPartnerAccounts(client: Client, baseDn: string, extra: readonly PartnerSeedAccount[] = []): Promise<Map<string, AssignedIds>> {
  const ou = partnerOu(baseDn);
  try {
    await client.search(ou, { scope: 'base', attributes: ['ou'] });
  } catch (error) {
    if (!(error instanceof NoSuchObjectError)) throw error;
    await client.add(ou, { objectClass: ['top', 'organizationalUnit'], ou: 'Partners' });
  }
  const all = [...PARTNER_SEED, ...extra];
  const { searchEntries: existing } = await client.search(ou, { scope: 'one', filter: '(objectClass=user)', attributes: ['sAMAccountName'], paged: { pageSize: 500 } });
  const have = new Set(existing.map((e) => String(e.sAMAccountName).toLowerCase()));
  for (const a of all) {
    if (have.has(a.sam.toLowerCase())) continue;
    const values: [string, string[]][] = [
      ['objectClass', ['top', 'person', 'organizationalPerson', 'user']],
      ['cn', [a.cn]],
      ['sAMAccountName', [a.sam]],
      ['userPrincipalName', [a.upn]],
      ['displayName', [a.cn]],
      ['userAccountControl', [a.disabled ? '514' : '512']],
    ];
    if (a.mail) values.push(['mail', [a.mail]]);
    if (a.proxyAddresses) values.push(['proxyAddresses', a.proxyAddresses]);
    if (a.marker) values.push(['extensionAttribute1', [a.marker]]);
    const isSeed = PARTNER_SEED.includes(a as (typeof PARTNER_SEED)[number]);
    await client.add(`CN=${escapeRdn(a.cn)},${ou}`, [
      ...values.map(([type, v]) => new Attribute({ type, values: v })),
      ...(isSeed ? [new Attribute({ type: 'unicodePwd', values: [Buffer.from('"Partn3r!Sandbox-2026"', 'utf16le')] })] : []),
    ]);
  }
  const { searchEntries } = await client.search(ou, {
    scope: 'one',
    filter: '(objectClass=user)',
    attributes: ['sAMAccountName', 'objectSid', 'objectGUID'],
    explicitBufferAttributes: ['objectSid', 'objectGUID'],
    paged: { pageSize: 500 },
  });
  const out = new Map<string, AssignedIds>();
  for (const e of searchEntries) {
    const sid = e.objectSid;
    const guid = e.objectGUID;
    if (Buffer.isBuffer(sid) && Buffer.isBuffer(guid)) out.set(String(e.sAMAccountName).toLowerCase(), { sid: sidString(sid), objectGuidBase64: guid.toString('base64') });
  }
  return out;
}

function syncedKeys(a: PartnerSeedAccount, ids: AssignedIds | undefined, domain: string): Partial<FixtureUser> {
  const keys: Partial<FixtureUser> = { onPremisesSyncEnabled: true, onPremisesDomainName: domain, onPremisesSamAccountName: null, onPremisesUserPrincipalName: null, onPremisesSecurityIdentifier: null, onPremisesImmutableId: null };
  switch (a.entra?.key) {
    case 'sid':
      return { ...keys, onPremisesSecurityIdentifier: ids?.sid ?? null, onPremisesSamAccountName: a.sam, onPremisesUserPrincipalName: a.upn, onPremisesImmutableId: ids?.objectGuidBase64 ?? null };
    case 'immutableId':
      return { ...keys, onPremisesImmutableId: ids?.objectGuidBase64 ?? null };
    case 'upn':
      return { ...keys, onPremisesUserPrincipalName: a.upn };
    case 'sam':
      return { ...keys, onPremisesSamAccountName: a.sam };
    case undefined:
      return keys;
  }
}

/**
 * The fixture with the seeded partners synced: the existing partner users get the keys the DC assigned (each joined by the
 * key its seed names, so the card shows every key), and the users a state needs are added: Tom Baker (disabled on-prem),
 * Kim Chen synced and invited (two identities, each with its own app access) and Maria Garcia (a guest not marked).
 */
export function withSyncedPartners(fixture: Fixture, ids: ReadonlyMap<string, AssignedIds>, domain: string): Fixture {
  const out = structuredClone(fixture);
  const added: FixtureUser[] = [
    { id: 'd0000000-0000-4000-8000-000000000004', userPrincipalName: 'tbaker@partners.contoso.com', displayName: 'Tom Baker (Litware)', userType: 'Guest', mail: 'tom.baker@litware.com', companyName: 'Litware', accountEnabled: true },
    { id: 'd0000000-0000-4000-8000-000000000005', userPrincipalName: 'kchen@partners.contoso.com', displayName: 'Kim Chen (Wingtip Toys)', userType: 'Guest', mail: 'kim.chen@wingtiptoys.com', proxyAddresses: ['SMTP:kim.chen@wingtiptoys.com'], companyName: 'Wingtip Toys' },
    { id: 'd0000000-0000-4000-8000-000000000006', userPrincipalName: 'mgarcia@contoso.com', displayName: 'Maria Garcia', userType: 'Guest', mail: 'maria.garcia@contoso.com', companyName: 'Contoso' },
    {
      id: KIM_CHEN_INVITED_ID,
      userPrincipalName: 'kim.chen_wingtiptoys.com#EXT#@contoso.onmicrosoft.com',
      displayName: 'Kim Chen (invited)',
      userType: 'Guest',
      mail: 'kim.chen@wingtiptoys.com',
      otherMails: ['kim.chen@wingtiptoys.com'],
      proxyAddresses: ['SMTP:kim.chen@wingtiptoys.com'],
      creationType: 'Invitation',
      externalUserState: 'Accepted',
      identities: [{ signInType: 'federated', issuer: 'ExternalAzureAD', issuerAssignedId: null }],
    },
  ].filter((u) => !out.users.some((x) => x.id === u.id)) as FixtureUser[];
  out.users.push(...added);
  for (const a of PARTNER_SEED) {
    if (!a.entra) continue;
    const user = out.users.find((u) => u.id === a.entra?.id);
    if (!user) continue;
    Object.assign(user, syncedKeys(a, ids.get(a.sam), domain));
    // Entra Connect syncs extensionAttribute1..15 as they are in AD.
    user.onPremisesExtensionAttributes = { ...(user.onPremisesExtensionAttributes ?? {}), extensionAttribute1: a.marker ?? null };
  }
  const [synced, invited] = out.appRoleAssignments.slice(0, 2);
  if (synced && invited && !out.appRoleAssignments.some((x) => x.principalId === KIM_CHEN_INVITED_ID)) {
    out.appRoleAssignments.push(
      { ...invited, id: 'kChenSyncedAssignment01', principalId: 'd0000000-0000-4000-8000-000000000005' },
      { ...synced, id: 'kChenInvitedAssignment1', principalId: KIM_CHEN_INVITED_ID },
    );
  }
  return out;
}
