import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, EqualityFilter, type Client } from 'ldapts';
import type { OnPremSettings } from '../../../bot/config';
import type { ProxyApp } from '../../../bot/graph/appProxy';
import { AdGroupMembership } from '../../../bot/onprem/adGroups';
import { escapeDnValue } from '../../../bot/onprem/ldapEscape';
import { PartnerAccounts, sidToString } from '../../../bot/onprem/partnerAccounts';
import { AdGroupGrants, resolveGroupMappings, SyncedOwnAccounts, type ResolvedGroupMapping } from '../../../bot/services/access/adGroups';
import { openStore, type AccessRequestRecord, type Store } from '../../../bot/store';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { describeWithService } from '../../helpers/services';

const SP = 'f3000000-0000-4000-8000-0000000000a1';
const ROLE_APPROVER = 'r0000000-0000-4000-8000-000000000001';
const ROLE_VIEWER = 'r0000000-0000-4000-8000-000000000002';
const KCD_APP: ProxyApp = {
  servicePrincipalId: SP,
  appId: 'a9000000-0000-4000-8000-0000000000a1',
  displayName: 'Contoso Ledger (IWA)',
  ssoKind: 'kerberos',
  roles: [
    { id: ROLE_APPROVER, displayName: 'Approver', value: 'Ledger.Approve' },
    { id: ROLE_VIEWER, displayName: 'Viewer', value: 'Ledger.View' },
  ],
};
const SAML_APP: ProxyApp = { servicePrincipalId: 'f3000000-0000-4000-8000-0000000000a2', appId: 'a9000000-0000-4000-8000-0000000000a2', displayName: 'Contoso Expenses', ssoKind: 'saml', roles: [] };

/**
 * AD groups for Kerberos grants against a real Samba AD DC: the groups are found (or refused) at start-up, a grant adds
 * only what is missing and records it, ending removes only what the bot added, and a crash at any point repeats cleanly.
 */
describeWithService('Samba AD DC', sambaMissingReason(), 'AD groups for Kerberos app roles in a real Samba AD DC', () => {
  let dc: RunningDc;
  let admin: Client;
  let settings: OnPremSettings;
  let membership: AdGroupMembership;
  let store: Store;
  let dataDir: string;
  const ou = (base: string): string => `OU=AdGroupsTest,${base}`;
  let approvers: string;
  let special: string;
  let viewers: string;
  let member: string;
  let other: string;

  async function group(cn: string): Promise<string> {
    const dn = `CN=${escapeDnValue(cn)},${ou(dc.baseDn)}`;
    await admin.add(dn, { objectClass: ['top', 'group'], cn, sAMAccountName: `g-${randomUUID().slice(0, 8)}` });
    return dn;
  }

  async function user(cn: string, sam: string): Promise<string> {
    const dn = `CN=${escapeDnValue(cn)},${ou(dc.baseDn)}`;
    await admin.add(dn, [
      ...Object.entries({ objectClass: ['top', 'person', 'organizationalPerson', 'user'], cn: [cn], sAMAccountName: [sam], userPrincipalName: [`${sam}@partners.contoso.test`], userAccountControl: ['512'] }).map(
        ([type, values]) => new Attribute({ type, values }),
      ),
      new Attribute({ type: 'unicodePwd', values: [Buffer.from('"Partn3r!Pass-2026"', 'utf16le')] }),
    ]);
    return dn;
  }

  /** Direct members as AD lists them, read over our own admin connection. */
  async function membersOf(groupDn: string): Promise<string[]> {
    const { searchEntries } = await admin.search(groupDn, { scope: 'base', attributes: ['member'] });
    const value = searchEntries[0]?.member;
    return ([] as unknown[]).concat(value ?? []).map((v) => String(v).toLowerCase());
  }

  async function grantRecord(appRoleId: string, guestObjectId = randomUUID()): Promise<AccessRequestRecord> {
    const now = new Date();
    const created = await store.accessRequests.create({
      id: randomUUID(),
      requesterObjectId: 'b0000000-0000-4000-8000-000000000001',
      requesterName: 'Megan Bowen',
      guestObjectId,
      guestUpn: `${guestObjectId.slice(0, 8)}@partners.contoso.test`,
      guestDisplayName: 'Wendy Moran',
      servicePrincipalId: SP,
      appId: KCD_APP.appId,
      appDisplayName: KCD_APP.displayName,
      appRoleId,
      ssoKind: 'kerberos',
      durationDays: 30,
      justification: 'Quarter close',
      approverSource: 'owners',
      approverObjectIds: [],
      approvalDeadline: new Date(now.getTime() + 86_400_000),
    });
    if (!(await store.accessRequests.transition(created, 'approved', { decided_by: 'a0000000-0000-4000-8000-000000000001', decided_by_name: 'Adele Vance', decided_at: now.toISOString() }))) throw new Error('not approved');
    const approved = await store.accessRequests.get(created.id);
    if (!approved || !(await store.accessRequests.transition(approved, 'granted', { granted_at: now.toISOString(), expires_at: new Date(now.getTime() + 86_400_000).toISOString() }))) throw new Error('not granted');
    const granted = await store.accessRequests.get(created.id);
    if (!granted) throw new Error('gone');
    return granted;
  }

  async function end(record: AccessRequestRecord): Promise<void> {
    if (!(await store.accessRequests.endGrant(record.id, 'revoked', 'a0000000-0000-4000-8000-000000000001'))) throw new Error('not ended');
  }

  function grants(mappings: ResolvedGroupMapping[], directory = membership): AdGroupGrants {
    return new AdGroupGrants({ store, directory, mappings });
  }

  beforeAll(async () => {
    dc = await startSambaDc({ lockTimeoutMs: 240_000 });
    admin = await dc.connect();
    settings = {
      url: dc.url,
      bindDn: dc.bindDn,
      bindPassword: dc.bindPassword,
      guestOu: dc.guestOu,
      caFile: dc.caFile,
      tlsServername: dc.tlsServername,
      tlsInsecure: false,
      linkAttribute: 'msDS-cloudExtensionAttribute1',
      timeoutMs: 5000,
      partnerSearchBase: ou(dc.baseDn),
    };
    await admin.add(ou(dc.baseDn), { objectClass: ['top', 'organizationalUnit'], ou: 'AdGroupsTest' });
    approvers = await group('Ledger Approvers');
    // RFC 4514 specials in the group's own name: the DN in configuration escapes them, and so must every filter and write.
    special = await group('Ledger, Viewers + "EU" #1 \\ ');
    viewers = await group('Ledger Readers');
    member = await user('Wendy Moran', 'wmoran');
    other = await user('Erik Nason', 'enason');
    membership = new AdGroupMembership(settings);
  }, 300_000);

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pab-adgroups-'));
    store = await openStore({ dataDir });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  it('at start-up resolves an app by name and a role by value, and names every bad entry and what is wrong with it', async () => {
    const { resolved, problems } = await resolveGroupMappings(
      [
        { app: 'contoso ledger (iwa)', role: 'Ledger.Approve', groups: [approvers.toUpperCase(), special] },
        { app: KCD_APP.appId, role: 'Nope', groups: [viewers] },
        { app: 'Contoso Expenses', groups: [viewers] },
        { app: 'Unknown app', groups: [viewers] },
        { app: SP, role: 'Viewer', groups: [`CN=Missing Group,${ou(dc.baseDn)}`, member, 'CN=a,b,DC=corp'] },
      ],
      [KCD_APP, SAML_APP],
      membership,
    );
    // Each group is recorded as the directory spells its DN (Samba escapes the '#' too), whatever case the setting used.
    const spelled = (await admin.search(special, { scope: 'base', attributes: ['cn'] })).searchEntries[0]?.dn;
    expect(spelled).toMatch(/^CN=Ledger\\, Viewers/);
    expect(resolved).toEqual([{ servicePrincipalId: SP, appDisplayName: KCD_APP.displayName, appRoleId: ROLE_APPROVER, roleName: 'Approver', groups: [approvers, spelled] }]);
    expect(problems).toEqual([
      'ONPREM_APP_ROLE_GROUPS[1] (app "a9000000-0000-4000-8000-0000000000a1", role "Nope"): Contoso Ledger (IWA) has no role with that value, id or name (it has Ledger.Approve, Ledger.View).',
      'ONPREM_APP_ROLE_GROUPS[2] (app "Contoso Expenses"): Contoso Expenses does not sign users in with Kerberos (KCD); AD groups apply only to Kerberos apps\' grants.',
      'ONPREM_APP_ROLE_GROUPS[3] (app "Unknown app"): no application proxy app has that appId, service principal id or display name.',
      `ONPREM_APP_ROLE_GROUPS[4] (app "${SP}", role "Viewer"): the group CN=Missing Group,${ou(dc.baseDn)} does not exist in the on-prem directory.`,
      `ONPREM_APP_ROLE_GROUPS[4] (app "${SP}", role "Viewer"): ${member} exists but is not a group.`,
      `ONPREM_APP_ROLE_GROUPS[4] (app "${SP}", role "Viewer"): CN=a,b,DC=corp is not a valid DN: "b" is not type=value (a comma inside a name is written \\,).`,
    ]);
  });

  it('a grant adds the account to the groups it was not in, keeps the one it was in, and ending it removes only what it added', async () => {
    await admin.modify(viewers, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [member] }) }));
    const adGroups = grants([{ servicePrincipalId: SP, appDisplayName: KCD_APP.displayName, appRoleId: ROLE_APPROVER, roleName: 'Approver', groups: [approvers, special, viewers] }]);
    const record = await grantRecord(ROLE_APPROVER);

    expect(await adGroups.grant(record, member)).toEqual({ added: [approvers, special], alreadyMember: [viewers] });
    for (const g of [approvers, special, viewers]) expect(await membersOf(g)).toContain(member.toLowerCase());
    // Repeating the grant step changes nothing and audits nothing more.
    expect(await adGroups.grant(record, member)).toEqual({ added: [approvers, special], alreadyMember: [viewers] });
    expect((await store.audit.list({ target: record.guestUpn, action: 'access.adGroup.add' })).map((a) => a.detail?.group)).toEqual([special, approvers]);
    expect((await adGroups.heldFor(record.guestObjectId)).map((r) => [r.groupDn, r.state])).toEqual([
      [approvers, 'added'],
      [special, 'added'],
      [viewers, 'preExisting'],
    ]);

    await end(record);
    expect(await adGroups.release([record], { actor: 'a0000000-0000-4000-8000-000000000001', actorName: 'Adele Vance' })).toEqual({ removed: [approvers, special], keptForOtherGrant: [] });
    expect(await membersOf(approvers)).not.toContain(member.toLowerCase());
    expect(await membersOf(special)).not.toContain(member.toLowerCase());
    // The membership that was there before the grant stays.
    expect(await membersOf(viewers)).toContain(member.toLowerCase());
    expect((await store.audit.list({ target: record.guestUpn, action: 'access.adGroup.remove' })).map((a) => [a.outcome, a.detail?.group, a.actor])).toEqual([
      ['success', special, 'a0000000-0000-4000-8000-000000000001'],
      ['success', approvers, 'a0000000-0000-4000-8000-000000000001'],
    ]);
    // Repeating the release removes nothing more.
    expect(await adGroups.release([record])).toEqual({ removed: [], keptForOtherGrant: [] });
    await admin.modify(viewers, new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [member] }) }));
  });

  it('repeats after a crash: an add done but not recorded is finished, a remove done but not recorded is finished, each audited once', async () => {
    const adGroups = grants([{ servicePrincipalId: SP, appDisplayName: KCD_APP.displayName, groups: [approvers] }]);
    const record = await grantRecord(ROLE_VIEWER);
    // The first attempt recorded "not a member", added the member in AD, and died before marking the row added.
    await store.adGroupMemberships.begin({ requestId: record.id, groupDn: approvers, memberDn: other, guestObjectId: record.guestObjectId, state: 'adding' });
    await membership.add(approvers, other);
    expect(await adGroups.grant(record, other)).toEqual({ added: [approvers], alreadyMember: [] });
    expect((await store.adGroupMemberships.get(record.id, approvers))?.state).toBe('added');
    const adds = await store.audit.list({ target: record.guestUpn, action: 'access.adGroup.add' });
    expect(adds).toHaveLength(1);
    expect(adds[0]?.detail).toMatchObject({ alreadyMemberOnRepeat: true });

    // The release removed the member in AD and died before recording it: the repeat finds "not a member" and finishes.
    await end(record);
    await membership.remove(approvers, other);
    expect(await adGroups.release([record])).toEqual({ removed: [approvers], keptForOtherGrant: [] });
    expect(await membersOf(approvers)).not.toContain(other.toLowerCase());
    const removes = await store.audit.list({ target: record.guestUpn, action: 'access.adGroup.remove' });
    expect(removes.map((a) => [a.outcome, a.actor, a.detail?.alreadyGone])).toEqual([['success', 'system:expiry', true]]);
  });

  it('a membership another live grant needs is handed to it: the first grant to end keeps it, the last one removes it', async () => {
    const adGroups = grants([{ servicePrincipalId: SP, appDisplayName: KCD_APP.displayName, groups: [viewers] }]);
    const guest = randomUUID();
    const first = await grantRecord(ROLE_APPROVER, guest);
    const second = await grantRecord(ROLE_VIEWER, guest);
    expect(await adGroups.grant(first, member)).toEqual({ added: [viewers], alreadyMember: [] });
    // The second grant finds the first one's membership: to it, the membership was there before.
    expect(await adGroups.grant(second, member)).toEqual({ added: [], alreadyMember: [viewers] });

    await end(first);
    expect(await adGroups.release([first])).toEqual({ removed: [], keptForOtherGrant: [viewers] });
    expect(await membersOf(viewers)).toContain(member.toLowerCase());
    expect((await store.adGroupMemberships.get(second.id, viewers))?.state).toBe('added');

    await end(second);
    expect(await adGroups.release([second])).toEqual({ removed: [viewers], keptForOtherGrant: [] });
    expect(await membersOf(viewers)).not.toContain(member.toLowerCase());
  });

  it("a synced partner's own AD account is found by the objectSid Entra holds, and is the one put in the groups", async () => {
    const { searchEntries } = await admin.search(ou(dc.baseDn), { filter: new EqualityFilter({ attribute: 'sAMAccountName', value: 'wmoran' }), attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
    const sidBytes = searchEntries[0]?.objectSid;
    if (!Buffer.isBuffer(sidBytes)) throw new Error('no objectSid');
    const sid = sidToString(sidBytes);
    const accounts = new PartnerAccounts(settings, { markerAttribute: undefined, markerValue: 'Partner', upnSuffixes: [] });
    const entra = { syncedUser: (id: string) => Promise.resolve(id === 'synced' ? { onPremisesSyncEnabled: true, onPremisesSecurityIdentifier: sid, onPremisesUserPrincipalName: 'enason@partners.contoso.test' } : { onPremisesSyncEnabled: false }) };
    const own = new SyncedOwnAccounts(entra, accounts);
    // The SID wins over a UPN that names another account.
    expect(await own.ownAccountOf('synced')).toEqual({ dn: member });
    expect(await own.ownAccountOf('cloud-only')).toEqual({ problem: 'The partner is no longer synced from on-prem AD, so the bot has no AD account of theirs to put in the groups.' });

    const adGroups = new AdGroupGrants({ store, directory: membership, mappings: [{ servicePrincipalId: SP, appDisplayName: KCD_APP.displayName, groups: [special] }], ownAccounts: own });
    const record = await grantRecord(ROLE_APPROVER);
    expect(await adGroups.grant(record, await adGroups.ownAccountDn('synced'))).toEqual({ added: [special], alreadyMember: [] });
    expect(await membersOf(special)).toContain(member.toLowerCase());
    await end(record);
    expect(await adGroups.release([record])).toEqual({ removed: [special], keptForOtherGrant: [] });
    expect(await membersOf(special)).not.toContain(member.toLowerCase());
  });
});
