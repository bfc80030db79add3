import { Attribute, type Client } from 'ldapts';
import { ADMIN_DESCRIPTION, OnPremDirectoryError, SHADOW_UAC, ShadowAccounts, type GuestIdentity, type OnPremSettings } from '../../../bot/onprem/shadowAccounts';
import { escapeFilterValue } from '../../../bot/onprem/ldapEscape';
import { GraphAppProxy, type ProxyApp } from '../../../bot/graph/appProxy';
import { AppAccessRefused, AppAccessService } from '../../../bot/services/appAccess';
import type { RunningSandbox } from '../../../sandbox/server';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { contosoFixture, sandboxGraphClient, startTestSandbox } from '../../helpers/sandbox';
import { describeWithService } from '../../helpers/services';

const LINK = 'msDS-cloudExtensionAttribute1';

function guest(n: number, overrides: Partial<GuestIdentity> = {}): GuestIdentity {
  return {
    objectId: `e0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    userPrincipalName: `guest${n}_fabrikam.com#EXT#@contoso.onmicrosoft.com`,
    displayName: `Guest ${n}`,
    mail: `guest${n}@fabrikam.com`,
    ...overrides,
  };
}

describeWithService('Samba AD DC', sambaMissingReason(), 'shadow accounts in a real Samba AD DC over LDAPS', () => {
  let dc: RunningDc;
  let admin: Client;
  let accounts: ShadowAccounts;
  let settings: OnPremSettings;

  beforeAll(async () => {
    dc = await startSambaDc();
    admin = await dc.connect();
    settings = {
      url: dc.url,
      bindDn: dc.bindDn,
      bindPassword: dc.bindPassword,
      guestOu: dc.guestOu,
      caFile: dc.caFile,
      tlsServername: dc.tlsServername,
      tlsInsecure: false,
      linkAttribute: LINK,
      timeoutMs: 5000,
    };
    accounts = new ShadowAccounts(settings);
  }, 60_000);

  afterAll(async () => {
    await admin?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  async function linked(objectId: string): Promise<Record<string, unknown>[]> {
    const { searchEntries } = await admin.search(dc.baseDn, {
      filter: `(${LINK}=${escapeFilterValue(objectId)})`,
      attributes: ['cn', 'sAMAccountName', 'userPrincipalName', 'displayName', 'mail', 'userAccountControl', 'adminDescription', 'description', LINK, 'pwdLastSet', 'distinguishedName'],
    });
    return searchEntries;
  }

  it('creates the account with the guest UPN, a safe sAMAccountName, smartcard-only UAC, sync exclusion and the link', async () => {
    const g = guest(1, { userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com', displayName: 'Alice Smith (Fabrikam)' });
    const made = await accounts.ensure(g);
    expect(made.action).toBe('created');
    const [entry, ...others] = await linked(g.objectId);
    expect(others).toHaveLength(0);
    expect(entry).toMatchObject({
      cn: 'Alice Smith (Fabrikam) (e0000000)',
      sAMAccountName: 'alice_fabrikam.com',
      userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      displayName: 'Alice Smith (Fabrikam)',
      mail: g.mail,
      userAccountControl: String(SHADOW_UAC),
      adminDescription: ADMIN_DESCRIPTION,
      [LINK]: g.objectId,
    });
    expect(String(entry?.description)).toContain(g.objectId);
    expect(entry?.pwdLastSet).not.toBe('0');
    expect(entry?.dn).toBe(`CN=Alice Smith (Fabrikam) (e0000000),${dc.guestOu}`);
  });

  it('reuses the same account when asked again, and re-enables it after a disable, never duplicating it', async () => {
    const g = guest(2);
    const first = await accounts.ensure(g);
    await expect(accounts.ensure(g)).resolves.toMatchObject({ dn: first.dn, action: 'unchanged' });
    await expect(accounts.disable(g.objectId)).resolves.toBe('disabled');
    await expect(accounts.disable(g.objectId)).resolves.toBe('alreadyDisabled');
    expect((await linked(g.objectId))[0]?.userAccountControl).toBe(String(SHADOW_UAC | 2));
    await expect(accounts.find(g.objectId)).resolves.toMatchObject({ dn: first.dn, enabled: false });
    await expect(accounts.ensure(g)).resolves.toMatchObject({ dn: first.dn, action: 'reenabled', enabled: true });
    const all = await linked(g.objectId);
    expect(all).toHaveLength(1);
    expect(all[0]?.userAccountControl).toBe(String(SHADOW_UAC));
    await expect(accounts.disable(guest(999).objectId)).resolves.toBe('missing');
  });

  it('picks the next sAMAccountName candidate on a collision, and refuses when all are taken', async () => {
    const taken = async (sam: string): Promise<void> => {
      await admin.add(`CN=${sam},CN=Users,${dc.baseDn}`, [
        new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
        new Attribute({ type: 'sAMAccountName', values: [sam] }),
      ]);
    };
    await taken('bob_tailspintoys.com');
    const g = guest(3, { userPrincipalName: 'bob_tailspintoys.com#EXT#@contoso.onmicrosoft.com' });
    await expect(accounts.ensure(g)).resolves.toMatchObject({ sAMAccountName: 'bob_tailspi-e0000000' });

    const h = guest(4, { userPrincipalName: 'carol_x.com#EXT#@contoso.onmicrosoft.com' });
    await taken('carol_x.com');
    await taken('carol_x.com-e0000000');
    await taken('b2b-e000000000004000');
    const refused = accounts.ensure(h);
    await expect(refused).rejects.toBeInstanceOf(OnPremDirectoryError);
    await expect(refused).rejects.toThrow('Every sAMAccountName');
    expect(await linked(h.objectId)).toHaveLength(0);
  });

  it.each([
    ['DN metacharacters', 'Smith, John + "Jr" <x> ; a=b \\ end '],
    ['a leading hash', '#1 Partner'],
    ['non-ASCII', 'Zoë Krüger-Łukasiewicz 東京'],
    ['filter metacharacters', '*)(objectClass=*)'],
  ])('creates a correct object for a name with %s', async (_label, displayName) => {
    const n = 100 + displayName.length;
    const g = guest(n, { displayName, userPrincipalName: `h${n}*)(x_y.com#EXT#@contoso.onmicrosoft.com` });
    const made = await accounts.ensure(g);
    const [entry, ...rest] = await linked(g.objectId);
    expect(rest).toHaveLength(0);
    expect(entry?.displayName).toBe(displayName.trim().replace(/\s+/g, ' '));
    expect(entry?.cn).toBe(`${displayName.trim().replace(/\s+/g, ' ')} (e0000000)`);
    expect(entry?.userPrincipalName).toBe(g.userPrincipalName);
    const atDn = await admin.search(made.dn, { scope: 'base', attributes: [LINK] });
    expect(atDn.searchEntries.map((e) => e[LINK])).toEqual([g.objectId]);
    const again = await accounts.ensure(g);
    expect(again.action).toBe('unchanged');
    expect((await admin.search(again.dn, { scope: 'base', attributes: [LINK] })).searchEntries.map((e) => e[LINK])).toEqual([g.objectId]);
  });

  it('refuses a UPN another on-prem account already holds (AD keeps UPNs unique; Samba does not)', async () => {
    const upn = 'clash_fabrikam.com#EXT#@contoso.onmicrosoft.com';
    await admin.add(`CN=clash,CN=Users,${dc.baseDn}`, [
      new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
      new Attribute({ type: 'sAMAccountName', values: ['clash'] }),
      new Attribute({ type: 'userPrincipalName', values: [upn] }),
    ]);
    const g = guest(5, { userPrincipalName: upn });
    await expect(accounts.ensure(g)).rejects.toThrow('already uses the UPN');
    expect(await linked(g.objectId)).toHaveLength(0);
  });

  it('explains a wrong bind password and an untrusted certificate without leaking secrets', async () => {
    const wrong = new ShadowAccounts({ ...settings, bindPassword: 'not-the-password' });
    const failure = wrong.find(guest(1).objectId);
    await expect(failure).rejects.toThrow('refused the service account');
    await expect(failure).rejects.not.toThrow('not-the-password');
    const untrusted = new ShadowAccounts({ ...settings, caFile: undefined });
    await expect(untrusted.find(guest(1).objectId)).rejects.toThrow('could not reach the on-prem directory');
  });
  describe('granting and removing app access (sandbox Graph + this DC)', () => {
    let sandbox: RunningSandbox;
    let service: AppAccessService;
    let removeOwn: (target: ProxyApp, guestObjectId: string) => ReturnType<AppAccessService['removeAssignments']>;
    let apps: ProxyApp[];
    const ALICE: GuestIdentity = {
      objectId: 'e0000000-0000-4000-8000-000000000001',
      userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      displayName: 'Alice Smith (Fabrikam)',
      mail: 'alice@fabrikam.com',
    };
    const app = (kind: string): ProxyApp => {
      const found = apps.find((a) => a.ssoKind === kind);
      if (!found) throw new Error(`no ${kind} app in the fixture`);
      return found;
    };
    const assignmentsOf = (spId: string, principalId: string) =>
      sandbox.state.appRoleAssignments.filter((a) => a.resourceId === spId && a.principalId === principalId);

    beforeAll(async () => {
      // A second Kerberos app: the wiki, switched from header-based to KCD.
      const fixture = contosoFixture();
      const wiki = fixture.applications.find((a) => a.id === 'f1000000-0000-4000-8000-000000000003');
      if (wiki?.onPremisesPublishing) {
        wiki.onPremisesPublishing.singleSignOnSettings = {
          singleSignOnMode: 'onPremisesKerberos',
          kerberosSignOnSettings: { kerberosServicePrincipalName: 'HTTP/wiki.corp.contoso.com', kerberosSignOnMappingAttributeType: 'userPrincipalName' },
        };
      }
      sandbox = await startTestSandbox({ fixture });
      service = new AppAccessService(new GraphAppProxy(sandboxGraphClient(sandbox).client), accounts);
      // Ending a grant the bot made: its own assignments go, and the shadow account is the bot's to disable.
      removeOwn = async (target, guestObjectId) => {
        const own = (await service.heldOn(target.servicePrincipalId, guestObjectId)).filter((a) => a.via === 'direct');
        return service.removeAssignments(target, guestObjectId, { assignmentIds: own.map((a) => a.id), shadow: 'owned' });
      };
      apps = await service.listApps();
    });
    afterAll(async () => {
      await sandbox?.close();
    });

    it('KCD: creates the shadow account, then assigns; a repeat assigns nothing new and creates no second object', async () => {
      const timesheets = app('kerberos');
      sandbox.resetStats();
      const granted = await service.grant(timesheets, ALICE);
      expect(granted.shadow?.userPrincipalName).toBe(ALICE.userPrincipalName);
      expect(granted.alreadyAssigned).toBe(false);
      const writes = sandbox.stats().requests.filter((r) => r.method !== 'GET');
      expect(writes).toHaveLength(1);
      expect(assignmentsOf(timesheets.servicePrincipalId, ALICE.objectId)).toHaveLength(1);
      const again = await service.grant(timesheets, ALICE);
      expect(again).toMatchObject({ alreadyAssigned: true, shadow: { action: 'unchanged', dn: granted.shadow?.dn } });
      expect(assignmentsOf(timesheets.servicePrincipalId, ALICE.objectId)).toHaveLength(1);
      expect(await linked(ALICE.objectId)).toHaveLength(1);
    });

    it('SAML: assigns without touching AD, and asks for a role when the app has several', async () => {
      const expenses = app('saml');
      const bob = 'e0000000-0000-4000-8000-000000000002';
      const g = { ...ALICE, objectId: bob, userPrincipalName: 'bob_tailspintoys.com#EXT#@contoso.onmicrosoft.com' };
      const objectsBefore = (await linked(bob)).length;
      await expect(service.grant(expenses, g)).rejects.toBeInstanceOf(AppAccessRefused);
      const role = expenses.roles[1]?.id ?? '';
      const granted = await service.grant(expenses, g, role);
      expect(granted.shadow).toBeUndefined();
      expect(assignmentsOf(expenses.servicePrincipalId, bob).map((a) => a.appRoleId)).toEqual([role]);
      expect(await linked(bob)).toHaveLength(objectsBefore);
      await expect(removeOwn(expenses, bob)).resolves.toEqual({ removedAssignments: 1, keptThroughGroups: 0, keptDirect: 0, shadow: 'notKerberos' });
      expect(assignmentsOf(expenses.servicePrincipalId, bob)).toHaveLength(0);
    });

    it('removal takes the assignment away and disables the account; a re-grant re-enables the same object', async () => {
      const timesheets = app('kerberos');
      const before = await accounts.find(ALICE.objectId);
      await expect(removeOwn(timesheets, ALICE.objectId)).resolves.toEqual({ removedAssignments: 1, keptThroughGroups: 0, keptDirect: 0, shadow: 'disabled' });
      expect(assignmentsOf(timesheets.servicePrincipalId, ALICE.objectId)).toHaveLength(0);
      await expect(accounts.find(ALICE.objectId)).resolves.toMatchObject({ dn: before?.dn, enabled: false });
      await expect(removeOwn(timesheets, ALICE.objectId)).resolves.toEqual({ removedAssignments: 0, keptThroughGroups: 0, keptDirect: 0, shadow: 'alreadyDisabled' });
      const regrant = await service.grant(timesheets, ALICE);
      expect(regrant.shadow).toMatchObject({ action: 'reenabled', dn: before?.dn });
      expect(await linked(ALICE.objectId)).toHaveLength(1);
    });

    it('keeps the account enabled while another Kerberos app still uses it', async () => {
      const timesheets = app('kerberos');
      const second = apps.find((a) => a.ssoKind === 'kerberos' && a.servicePrincipalId !== timesheets.servicePrincipalId);
      if (!second) throw new Error('the fixture change did not make a second Kerberos app');
      await service.grant(second, ALICE);
      await expect(removeOwn(timesheets, ALICE.objectId)).resolves.toEqual({ removedAssignments: 1, keptThroughGroups: 0, keptDirect: 0, shadow: 'keptForOtherKerberosApps' });
      await expect(accounts.find(ALICE.objectId)).resolves.toMatchObject({ enabled: true });
      await expect(removeOwn(second, ALICE.objectId)).resolves.toEqual({ removedAssignments: 1, keptThroughGroups: 0, keptDirect: 0, shadow: 'disabled' });
      await expect(accounts.find(ALICE.objectId)).resolves.toMatchObject({ enabled: false });
    });

    it("removes only the guest's own assignment, never their group's, and keeps the account while the group still gives access", async () => {
      const timesheets = app('kerberos');
      const financePortalUsers = '9a000000-0000-4000-8000-000000000005'; // Alice is a direct member
      await service.grant(timesheets, ALICE);
      sandbox.state.appRoleAssignments.push({
        id: 'groupTimesheetsAssignment01',
        principalId: financePortalUsers,
        resourceId: timesheets.servicePrincipalId,
        appRoleId: timesheets.roles[0]?.id ?? '00000000-0000-0000-0000-000000000000',
        createdDateTime: '2025-01-01T00:00:00Z',
      });
      await expect(removeOwn(timesheets, ALICE.objectId)).resolves.toEqual({ removedAssignments: 1, keptThroughGroups: 1, keptDirect: 0, shadow: 'keptForOtherKerberosApps' });
      expect(assignmentsOf(timesheets.servicePrincipalId, ALICE.objectId)).toHaveLength(0);
      expect(assignmentsOf(timesheets.servicePrincipalId, financePortalUsers)).toHaveLength(1);
      await expect(accounts.find(ALICE.objectId)).resolves.toMatchObject({ enabled: true });
    });
  });
});
