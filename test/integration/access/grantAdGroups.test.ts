import { randomUUID } from 'node:crypto';
import { Attribute, Change, type Client } from 'ldapts';
import type { ProxyApp } from '../../../bot/graph/appProxy';
import { ACCESS_EXPIRY_JOB_KIND } from '../../../bot/services/access/schedule';
import type { AccessRequestRecord } from '../../../bot/store';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { startTestSandbox } from '../../helpers/sandbox';
import { describeWithService } from '../../helpers/services';

const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';
const ALICE = 'e0000000-0000-4000-8000-000000000001';

/**
 * The whole path in the running bot: ONPREM_APP_ROLE_GROUPS checked at start-up against the sandbox's apps and the Samba
 * DC, the grant job's step putting the shadow account in the mapped groups (and leaving a membership that was there), whois
 * showing them, and the expiry job taking out only the one it added.
 */
describeWithService('Samba AD DC', sambaMissingReason(), 'a Kerberos grant adds the shadow account to the AD groups of its role, in the running bot', () => {
  let dc: RunningDc;
  let ldap: Client;
  let sandbox: RunningSandbox;
  let bot: TestBot;
  let users: string;
  let readers: string;
  const ou = (base: string): string => `OU=AdGroupsBot,${base}`;

  function onprem(groups: string): Record<string, string> {
    return {
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: dc.bindDn,
      ONPREM_BIND_PASSWORD: dc.bindPassword,
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
      ONPREM_APP_ROLE_GROUPS: groups,
      JOB_POLL_MS: '3600000',
    };
  }

  async function membersOf(groupDn: string): Promise<string[]> {
    const value = (await ldap.search(groupDn, { scope: 'base', attributes: ['member'] })).searchEntries[0]?.member;
    return ([] as unknown[]).concat(value ?? []).map((v) => String(v).toLowerCase());
  }

  async function grantTimesheets(role: string, app: ProxyApp, guest: { userPrincipalName: string; displayName?: string | null; mail?: string | null }): Promise<AccessRequestRecord> {
    const { services } = bot.bot;
    const now = new Date();
    const created = await services.store.accessRequests.create({
      id: randomUUID(),
      requesterObjectId: MANAGER.aadObjectId,
      requesterName: MANAGER.name,
      guestObjectId: ALICE,
      guestUpn: guest.userPrincipalName,
      guestDisplayName: guest.displayName ?? 'Alice',
      ...(guest.mail ? { guestMail: guest.mail } : {}),
      servicePrincipalId: app.servicePrincipalId,
      appId: app.appId,
      appDisplayName: app.displayName,
      appRoleId: role,
      ...(app.roles.find((r) => r.id === role) ? { appRoleName: app.roles.find((r) => r.id === role)?.displayName } : {}),
      ssoKind: app.ssoKind,
      durationDays: 30,
      justification: 'Quarter close',
      approverSource: 'owners',
      approverObjectIds: [ADMIN.aadObjectId],
      approvalDeadline: new Date(now.getTime() + 86_400_000),
      grantProgress: { adGroups: { planned: [users, readers] } },
    });
    expect(await services.store.accessRequests.transition(created, 'approved', { decided_by: ADMIN.aadObjectId, decided_by_name: ADMIN.name, decided_at: now.toISOString() })).toBe(true);
    let payload = { requestId: created.id, announced: true };
    for (let i = 0; i < 5; i++) {
      const step = await services.accessRequests.grantStep(payload);
      if (step.status === 'retry') throw new Error(step.error);
      payload = { ...payload, ...step.payload };
      if ((await services.store.accessRequests.get(created.id))?.state === 'granted') break;
    }
    return created;
  }

  beforeAll(async () => {
    dc = await startSambaDc({ lockTimeoutMs: 240_000 });
    ldap = await dc.connect();
    await ldap.add(ou(dc.baseDn), { objectClass: ['top', 'organizationalUnit'], ou: 'AdGroupsBot' });
    users = `CN=Timesheet Users,${ou(dc.baseDn)}`;
    readers = `CN=Timesheet\\, Readers,${ou(dc.baseDn)}`;
    await ldap.add(users, { objectClass: ['top', 'group'], cn: 'Timesheet Users', sAMAccountName: 'timesheet-users' });
    await ldap.add(readers, { objectClass: ['top', 'group'], cn: 'Timesheet, Readers', sAMAccountName: 'timesheet-readers' });
    sandbox = await startTestSandbox();
  }, 300_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    await ldap?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  it('refuses to start when an entry names a group that does not exist, naming the entry', async () => {
    const missing = `CN=No Such Group,${ou(dc.baseDn)}`;
    await expect(startBotOn(sandbox, onprem(JSON.stringify([{ app: 'Contoso Timesheets (IWA)', groups: [users, missing] }])))).rejects.toThrow(
      `ONPREM_APP_ROLE_GROUPS[0] (app "Contoso Timesheets (IWA)"): the group ${missing} does not exist in the on-prem directory.`,
    );
  });

  it('grants: the shadow account joins the mapped groups, whois shows the one the bot added, and expiry removes only that one', async () => {
    bot = await startBotOn(sandbox, onprem(JSON.stringify([{ app: TIMESHEETS, groups: [users, readers] }])));
    for (const user of [ADMIN, MANAGER]) await bot.say(user, 'whoami');
    const { services } = bot.bot;
    const app = (await services.appAccess.listApps()).find((a) => a.servicePrincipalId === TIMESHEETS);
    if (!app) throw new Error('no Timesheets app');
    const role = services.appAccess.roleFor(app, undefined);
    const guest = sandbox.state.findUser(ALICE);
    if (!guest) throw new Error('no Alice');

    // The shadow account exists already and is in the readers group: a membership the bot must leave alone.
    const shadow = await services.appAccess.shadowAccounts?.ensure({ objectId: ALICE, userPrincipalName: guest.userPrincipalName, displayName: guest.displayName ?? 'Alice', ...(guest.mail ? { mail: guest.mail } : {}) });
    if (!shadow) throw new Error('no shadow account');
    await ldap.modify(readers, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [shadow.dn] }) }));

    const created = await grantTimesheets(role, app, guest);
    const granted = await services.store.accessRequests.get(created.id);
    expect(granted?.state).toBe('granted');
    expect(granted?.grantProgress.adGroups).toEqual({ planned: [users, readers], added: [users], alreadyMember: [readers] });
    expect(await membersOf(users)).toContain(shadow.dn.toLowerCase());
    const grantAudit = (await services.store.audit.list({ target: guest.userPrincipalName, action: 'access.grant' }))[0];
    expect(grantAudit?.detail).toMatchObject({ adGroupsAdded: [users], adGroupsAlreadyMember: [readers] });

    const whois = (await bot.say(MANAGER, 'whois alice@fabrikam.com')).map((c) => cardText(cardOf(c))).join('\n');
    expect(whois).toContain('AD groups added by the bot: Timesheet Users');
    expect(whois).not.toContain('Timesheet, Readers');

    await services.store.db.updateTable('access_request').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', created.id).execute();
    await services.store.db.updateTable('job').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('kind', '=', ACCESS_EXPIRY_JOB_KIND).execute();
    expect(await bot.bot.runner.runDue()).toBeGreaterThanOrEqual(3);
    expect((await services.store.accessRequests.get(created.id))?.state).toBe('expired');
    expect(await membersOf(users)).not.toContain(shadow.dn.toLowerCase());
    expect(await membersOf(readers)).toContain(shadow.dn.toLowerCase());
    const expired = (await services.store.audit.list({ target: guest.userPrincipalName, action: 'access.expire' })).find((a) => a.outcome === 'success');
    expect(expired?.detail).toMatchObject({ adGroups: { removed: [users], keptForOtherGrant: [] } });
  });

  it("revoke's confirmation names the group the bot added, and confirming takes the account out of that one only", async () => {
    const { services } = bot.bot;
    const app = (await services.appAccess.listApps()).find((a) => a.servicePrincipalId === TIMESHEETS);
    const guest = sandbox.state.findUser(ALICE);
    if (!app || !guest) throw new Error('fixture');
    const created = await grantTimesheets(services.appAccess.roleFor(app, undefined), app, guest);
    const shadow = await services.appAccess.shadowAccounts?.find(ALICE);
    if (!shadow) throw new Error('no shadow account');
    expect(await membersOf(users)).toContain(shadow.dn.toLowerCase());
    const admin = { aadObjectId: ADMIN.aadObjectId, tenantId: sandbox.tenantId, teamsUserId: `29:${ADMIN.aadObjectId}`, name: ADMIN.name, roles: ['admin' as const] };
    const check = await services.accessRevocation.prepareFor(admin, TIMESHEETS, 'alice@fabrikam.com');
    expect(check.kind === 'confirm' && check.preview.adGroups).toEqual([users]);
    const outcome = await services.accessRevocation.revoke(admin, TIMESHEETS, 'alice@fabrikam.com');
    expect(outcome.kind === 'revoked' && outcome.removal.adGroups).toEqual({ removed: [users], keptForOtherGrant: [] });
    expect((await services.store.accessRequests.get(created.id))?.state).toBe('revoked');
    expect(await membersOf(users)).not.toContain(shadow.dn.toLowerCase());
    expect(await membersOf(readers)).toContain(shadow.dn.toLowerCase());
    const removed = (await services.store.audit.list({ target: guest.userPrincipalName, action: 'access.adGroup.remove' })).filter((a) => a.detail?.request === created.id);
    expect(removed.map((a) => [a.outcome, a.actor])).toEqual([['success', ADMIN.aadObjectId]]);
  });
});
