import { randomUUID } from 'node:crypto';
import type { Client } from 'ldapts';
import type { ProxyApp } from '../../../bot/graph/appProxy';
import { JobQueue, JobRunner } from '../../../bot/jobs';
import { ACCESS_EXPIRY_JOB_KIND, accessExpiryJob } from '../../../bot/jobs/accessExpiry.job';
import { createLogger } from '../../../bot/logger';
import { escapeFilterValue } from '../../../bot/onprem/ldapEscape';
import { SHADOW_UAC, UAC, type GuestIdentity } from '../../../bot/onprem/shadowAccounts';
import { ExpiryPayloadSchema } from '../../../bot/services/accessRevocation';
import type { RunningSandbox } from '../../../sandbox/server';
import { grantAccess, makeDue, type GrantedAccess } from '../../helpers/accessGrants';
import { cardOf, cardText, formData, waitFor, revokeConfirmClick, startBotOn, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { contosoFixture, startTestSandbox } from '../../helpers/sandbox';
import { describeWithService } from '../../helpers/services';

const LINK = 'msDS-cloudExtensionAttribute1';
const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';
/** Switched from header-based to Kerberos in this file's fixture: a second KCD app. */
const WIKI = 'f3000000-0000-4000-8000-000000000003';
const log = createLogger('silent');

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describeWithService('Samba AD DC', sambaMissingReason(), 'expiry and revoke of Kerberos app access, with shadow accounts in a real Samba AD DC', () => {
  let dc: RunningDc;
  let ldap: Client;
  let sandbox: RunningSandbox;
  let bot: TestBot;
  let apps: Map<string, ProxyApp>;

  function guest(objectId: string): GuestIdentity {
    const user = sandbox.state.findUser(objectId);
    if (!user) throw new Error(`fixture lacks ${objectId}`);
    return { objectId, userPrincipalName: user.userPrincipalName, displayName: user.displayName ?? '', ...(user.mail ? { mail: user.mail } : {}) };
  }

  function app(id: string): ProxyApp {
    const found = apps.get(id);
    if (!found) throw new Error(`no app ${id}`);
    return found;
  }

  function assignments(spId: string, principalId: string) {
    return sandbox.state.appRoleAssignments.filter((a) => a.resourceId === spId && a.principalId === principalId);
  }

  async function grant(spId: string, objectId: string, expiresAt: Date): Promise<GrantedAccess> {
    const { services } = bot.bot;
    return grantAccess({ store: services.store, appAccess: services.appAccess, queue: bot.bot.jobs.queue }, { app: app(spId), guest: guest(objectId), requester: MANAGER, expiresAt });
  }

  /** The shadow account as AD has it, read back over our own admin connection. */
  async function shadowOf(objectId: string): Promise<{ dn: string; enabled: boolean; guid: string }[]> {
    const { searchEntries } = await ldap.search(dc.baseDn, {
      filter: `(${LINK}=${escapeFilterValue(objectId)})`,
      attributes: ['userAccountControl', 'objectGUID'],
      explicitBufferAttributes: ['objectGUID'],
    });
    return searchEntries.map((e) => ({
      dn: e.dn,
      enabled: (Number(e.userAccountControl) & UAC.ACCOUNTDISABLE) === 0,
      guid: Buffer.isBuffer(e.objectGUID) ? e.objectGUID.toString('hex') : String(e.objectGUID),
    }));
  }

  function messagesTo(user: TestUser, from: number) {
    return bot.connector.calls.slice(from).filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${user.aadObjectId}`);
  }

  beforeAll(async () => {
    // Other suites hold the one DC this machine can run while they work; wait for it.
    dc = await startSambaDc({ lockTimeoutMs: 240_000 });
    ldap = await dc.connect();
    const fixture = contosoFixture();
    const wiki = fixture.applications.find((a) => a.id === 'f1000000-0000-4000-8000-000000000003');
    if (wiki?.onPremisesPublishing) {
      wiki.onPremisesPublishing.singleSignOnSettings = {
        singleSignOnMode: 'onPremisesKerberos',
        kerberosSignOnSettings: { kerberosServicePrincipalName: 'HTTP/wiki.corp.contoso.com', kerberosSignOnMappingAttributeType: 'userPrincipalName' },
      };
    }
    sandbox = await startTestSandbox({ fixture });
    bot = await startBotOn(sandbox, {
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: dc.bindDn,
      ONPREM_BIND_PASSWORD: dc.bindPassword,
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
      // The tests run the jobs themselves, at the moments they choose.
      JOB_POLL_MS: '3600000',
    });
    for (const user of [ADMIN, MANAGER]) await bot.say(user, 'whoami');
    apps = new Map((await bot.bot.services.appAccess.listApps()).map((a) => [a.servicePrincipalId, a]));
  }, 300_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    await ldap?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  const ALICE = 'e0000000-0000-4000-8000-000000000001';

  it('at expiry removes the assignment, disables the shadow account in AD, audits and tells the requester', async () => {
    const granted = await grant(TIMESHEETS, ALICE, new Date(Date.now() + 86_400_000));
    const [account] = await shadowOf(ALICE);
    expect(account?.enabled).toBe(true);
    expect(assignments(TIMESHEETS, ALICE)).toHaveLength(1);

    // Not due yet: the job does not run.
    expect(await bot.bot.runner.runDue()).toBe(0);
    await makeDue(bot.bot.services.store, granted);
    const before = bot.connector.calls.length;
    expect(await bot.bot.runner.runDue()).toBe(3);

    expect(assignments(TIMESHEETS, ALICE)).toHaveLength(0);
    const after = await shadowOf(ALICE);
    expect(after).toEqual([{ ...account, enabled: false }]);
    const uac = (await ldap.search(after[0]?.dn ?? '', { scope: 'base', attributes: ['userAccountControl'] })).searchEntries[0]?.userAccountControl;
    expect(Number(uac)).toBe(SHADOW_UAC | UAC.ACCOUNTDISABLE);
    expect(await bot.bot.services.store.accessRequests.get(granted.record.id)).toMatchObject({ state: 'expired', endedBy: undefined });
    const audit = await bot.bot.services.store.audit.list({ target: granted.record.guestUpn, action: 'access.expire' });
    expect(audit.map((a) => a.outcome)).toEqual(['success', 'started']);
    expect(audit[0]).toMatchObject({ actor: 'system:expiry', detail: { request: granted.record.id, removedAssignments: 1, shadow: 'disabled' } });
    const told = messagesTo(MANAGER, before);
    expect(told).toHaveLength(1);
    expect(cardText(cardOf(told[0]))).toContain("Alice Smith (Fabrikam)'s access to Contoso Timesheets (IWA) has expired");
    expect(cardText(cardOf(told[0]))).toContain('Shadow account disabled in on-prem AD (kept, so a later grant re-enables the same account)');
    expect((await bot.bot.jobs.queue.get(granted.jobId))?.state).toBe('succeeded');
  });

  it('a later grant re-enables the same AD object instead of creating another', async () => {
    const [disabled] = await shadowOf(ALICE);
    expect(disabled?.enabled).toBe(false);
    const again = await grant(TIMESHEETS, ALICE, new Date(Date.now() + 86_400_000));
    expect(again.record.state).toBe('granted');
    const accounts = await shadowOf(ALICE);
    expect(accounts).toEqual([{ dn: disabled?.dn, guid: disabled?.guid, enabled: true }]);
    expect(assignments(TIMESHEETS, ALICE)).toHaveLength(1);
  });

  it('keeps the shadow account enabled when the guest still holds another Kerberos app', async () => {
    const dana = 'e0000000-0000-4000-8000-000000000003';
    const timesheets = await grant(TIMESHEETS, dana, new Date(Date.now() + 86_400_000));
    const wiki = await grant(WIKI, dana, new Date(Date.now() + 30 * 86_400_000));
    await makeDue(bot.bot.services.store, timesheets);
    await bot.bot.runner.runDue();

    expect(assignments(TIMESHEETS, dana)).toHaveLength(0);
    expect(assignments(WIKI, dana)).toHaveLength(1);
    expect((await shadowOf(dana)).map((a) => a.enabled)).toEqual([true]);
    const [success] = await bot.bot.services.store.audit.list({ target: timesheets.record.guestUpn, action: 'access.expire' });
    expect(success?.detail).toMatchObject({ request: timesheets.record.id, shadow: 'keptForOtherGrant' });
    expect((await bot.bot.services.store.accessRequests.get(wiki.record.id))?.state).toBe('granted');

    // When the second grant ends too, nothing Kerberos is left: the account is disabled.
    await makeDue(bot.bot.services.store, wiki);
    await bot.bot.runner.runDue();
    expect(assignments(WIKI, dana)).toHaveLength(0);
    expect((await shadowOf(dana)).map((a) => a.enabled)).toEqual([false]);
  });

  it('a crash inside each step of the expiry job is harmless: the next instance repeats the step and it all happens once', async () => {
    const erik = 'e0000000-0000-4000-8000-000000000004';
    const granted = await grant(TIMESHEETS, erik, new Date(Date.now() + 86_400_000));
    await makeDue(bot.bot.services.store, granted);
    let clock = new Date();
    const queue = new JobQueue(bot.bot.services.store.db, () => clock);
    const handler = accessExpiryJob(bot.bot.services.accessRevocation);
    const survivor = new JobRunner(queue, [handler], log, { owner: 'survivor', leaseMs: 1000, now: () => clock });
    const before = bot.connector.calls.length;
    sandbox.resetStats();

    for (const phase of ['end', 'remove', 'report'] as const) {
      // An instance claims the step, does its work, and dies before saving the outcome.
      const claimed = await queue.claimNext('crashing-instance', 1000, [ACCESS_EXPIRY_JOB_KIND]);
      if (!claimed) throw new Error(`nothing to claim at ${phase}`);
      const payload = ExpiryPayloadSchema.parse(claimed.payload);
      expect(payload.phase).toBe(phase);
      await handler.step({ ...claimed, payload }, { log, extendLease: () => Promise.resolve(true) });
      // Its lease runs out; another instance takes the job over and runs the same step again, then saves it.
      clock = new Date(clock.getTime() + 1001);
      expect(await survivor.runDue(1)).toBe(1);
    }

    expect(await survivor.runDue()).toBe(0);
    expect((await queue.get(granted.jobId))?.state).toBe('succeeded');
    expect(await bot.bot.services.store.accessRequests.get(granted.record.id)).toMatchObject({ state: 'expired' });
    expect(assignments(TIMESHEETS, erik)).toHaveLength(0);
    expect((await shadowOf(erik)).map((a) => a.enabled)).toEqual([false]);
    const deletes = sandbox.stats().requests.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    const audit = await bot.bot.services.store.audit.list({ target: granted.record.guestUpn, action: 'access.expire' });
    expect(audit.map((a) => a.outcome)).toEqual(['success', 'started']);
    // Teams has no idempotent send: a crash after sending and before the checkpoint means the requester hears it twice.
    // Everything that changes access happened exactly once.
    expect(messagesTo(MANAGER, before)).toHaveLength(2);
  });

  it('revoke by an admin removes the Kerberos access at once and disables the shadow account; the expiry job later does nothing', async () => {
    const fiona = 'e0000000-0000-4000-8000-000000000005';
    const granted = await grant(TIMESHEETS, fiona, new Date(Date.now() + 30 * 86_400_000));
    const [account] = await shadowOf(fiona);
    expect(account?.enabled).toBe(true);

    const [reply] = await bot.say(ADMIN, 'revoke timesheets for fiona.grant@gmail.com');
    const confirm = cardText(cardOf(reply));
    expect(confirm).toContain('Kerberos (KCD)');
    expect(confirm).toContain('Shadow account will be disabled (kept, so a later grant re-enables the same account)');
    const before = bot.connector.calls.length;
    const result = await bot.click(ADMIN, 'revoke.confirm', revokeConfirmClick(cardOf(reply)));
    const text = invokeText(result);
    expect(text).toContain("Fiona Grant's access to Contoso Timesheets (IWA) is revoked");
    expect(text).toContain('Shadow account disabled in on-prem AD');
    expect(assignments(TIMESHEETS, fiona)).toHaveLength(0);
    expect(await shadowOf(fiona)).toEqual([{ ...account, enabled: false }]);
    expect(await bot.bot.services.store.accessRequests.get(granted.record.id)).toMatchObject({ state: 'revoked', endedBy: ADMIN.aadObjectId });
    expect(cardText(cardOf(messagesTo(MANAGER, before)[0]))).toContain('was revoked');

    await makeDue(bot.bot.services.store, granted);
    await bot.bot.runner.runDue();
    expect((await bot.bot.services.store.accessRequests.get(granted.record.id))?.state).toBe('revoked');
    expect(await bot.bot.services.store.audit.list({ target: granted.record.guestUpn, action: 'access.expire' })).toHaveLength(0);
  });

  it('finishes a removal that stopped before the on-prem step: the enabled shadow account is what revoke still disables', async () => {
    const bob = 'e0000000-0000-4000-8000-000000000002';
    const granted = await grant(TIMESHEETS, bob, new Date(Date.now() + 86_400_000));
    // The grant was ended and the assignment removed, but AD was not reached.
    await bot.bot.services.store.accessRequests.endGrant(granted.record.id, 'revoked', ADMIN.aadObjectId);
    const assignment = assignments(TIMESHEETS, bob)[0];
    sandbox.state.appRoleAssignments.splice(sandbox.state.appRoleAssignments.indexOf(assignment as never), 1);
    expect((await shadowOf(bob)).map((a) => a.enabled)).toEqual([true]);

    const [reply] = await bot.say(ADMIN, 'revoke timesheets for bob@tailspintoys.com');
    const confirm = cardText(cardOf(reply));
    expect(confirm).toContain('Shadow account will be disabled');
    expect(confirm).toContain("this bot's grant was revoked on");
    const result = await bot.click(ADMIN, 'revoke.confirm', revokeConfirmClick(cardOf(reply)));
    expect(invokeText(result)).toContain('is revoked');
    expect((await shadowOf(bob)).map((a) => a.enabled)).toEqual([false]);

    const [again] = await bot.say(ADMIN, 'revoke timesheets for bob@tailspintoys.com');
    expect(cardText(cardOf(again))).toContain('Bob Kelly has no access to Contoso Timesheets (IWA)');
  });

  it('end to end in chat: request → approve → grant, expiry disables the account, and a new request re-enables the same AD object', async () => {
    const carla = 'e0000000-0000-4000-8000-000000000006';
    const store = bot.bot.services.store;

    /** Megan asks for Timesheets for Carla in chat and Adele approves; resolves once the grant job has granted it. */
    async function requestAndApprove() {
      const activityId = randomUUID();
      await bot.say(MANAGER, 'request timesheets for carla.diaz@wingtiptoys.com for 10 days because Month-end timesheets for Wingtip', { activityId, expectReplies: 0 });
      const form = await waitFor('the request form', () => bot.connector.calls.find((c) => c.activity.replyToId === activityId));
      const data = formData(cardOf(form), 'access.submit');
      if (!data) throw new Error(`no request form in: ${cardText(cardOf(form))}`);
      await bot.click(MANAGER, 'access.submit', data);
      const id = String(data.formId);
      expect((await store.accessRequests.get(id))?.state).toBe('pending');
      const approved = await bot.click(ADMIN, 'access.approve', { id });
      expect(approved.type).toBe('application/vnd.microsoft.card.adaptive');
      return waitFor('the grant', async () => {
        const record = await store.accessRequests.get(id);
        return record?.state === 'granted' ? record : undefined;
      });
    }

    const first = await requestAndApprove();
    expect(first.expiresAt).toBeDefined();
    const [created] = await shadowOf(carla);
    expect(created?.enabled).toBe(true);
    expect(assignments(TIMESHEETS, carla)).toHaveLength(1);
    const job = await bot.bot.jobs.queue.findByUniqueKey(`access.expire:${first.id}`);
    expect(job).toMatchObject({ state: 'pending', runAt: first.expiresAt });

    await makeDue(store, { record: first, jobId: job?.id ?? '' });
    const beforeExpiry = bot.connector.calls.length;
    await bot.bot.runner.runDue();
    expect((await store.accessRequests.get(first.id))?.state).toBe('expired');
    // The approvers' cards now say so, and the requester is told.
    const updated = bot.connector.calls.slice(beforeExpiry).filter((c) => c.method === 'PUT' && c.conversationId === `a:personal-${ADMIN.aadObjectId}`);
    expect(updated.map((c) => cardText(cardOf(c))).some((t) => t.includes('Expired'))).toBe(true);
    expect(messagesTo(MANAGER, beforeExpiry).some((c) => cardText(cardOf(c)).includes('has expired'))).toBe(true);
    expect(assignments(TIMESHEETS, carla)).toHaveLength(0);
    expect(await shadowOf(carla)).toEqual([{ ...created, enabled: false }]);

    const second = await requestAndApprove();
    expect(second.id).not.toBe(first.id);
    expect(await shadowOf(carla)).toEqual([{ ...created, enabled: true }]);
    expect(assignments(TIMESHEETS, carla)).toHaveLength(1);
  });
});
