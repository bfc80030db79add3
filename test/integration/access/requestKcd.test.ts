import { randomUUID } from 'node:crypto';
import type { Client } from 'ldapts';
import { accessRequestMessages } from '../../../bot/presenters/access.presenter';
import { GraphAppProxy } from '../../../bot/graph/appProxy';
import { GraphInvitations } from '../../../bot/graph/graphInvitations';
import { JobQueue, JobRunner } from '../../../bot/jobs';
import { accessGrantJob } from '../../../bot/jobs/accessRequest.job';
import { createLogger } from '../../../bot/logger';
import type { Notifier } from '../../../bot/notify/notifier';
import { escapeFilterValue } from '../../../bot/onprem/ldapEscape';
import { ADMIN_DESCRIPTION, SHADOW_UAC, type ShadowAccounts } from '../../../bot/onprem/shadowAccounts';
import { AccessRequestService } from '../../../bot/services/accessRequests';
import { AppAccessService, type AppDirectory } from '../../../bot/services/appAccess';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, formData, waitFor, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { sambaMissingReason, startSambaDc, type RunningDc } from '../../helpers/samba';
import { sandboxGraphClient, startTestSandbox } from '../../helpers/sandbox';
import { describeWithService } from '../../helpers/services';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';
const LINK = 'msDS-cloudExtensionAttribute1';
const log = createLogger('silent');

/** Where a simulated crash stops the doomed instance: after the named step has really happened, before anything is recorded. */
type CrashPoint = 'announced' | 'shadowAccount' | 'assignment' | 'granted';

describeWithService('Samba AD DC', sambaMissingReason(), 'request → approve → Kerberos grant with a shadow account in a real Samba AD DC', () => {
  let dc: RunningDc;
  let ldap: Client;
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    dc = await startSambaDc({ lockTimeoutMs: 240_000 });
    ldap = await dc.connect();
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, {
      ONPREM_LDAP_URL: dc.url,
      ONPREM_BIND_DN: dc.bindDn,
      ONPREM_BIND_PASSWORD: dc.bindPassword,
      ONPREM_GUEST_OU: dc.guestOu,
      ONPREM_CA_FILE: dc.caFile,
      ONPREM_TLS_SERVERNAME: dc.tlsServername,
      ROLE_CACHE_SECONDS: '600',
      JOB_POLL_MS: '50',
    });
    for (const user of [ADMIN, NESTED_ADMIN, MANAGER]) await bot.say(user, 'whoami');
  }, 300_000);

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    await ldap?.unbind().catch(() => undefined);
    await dc?.stop();
  });

  const store = () => bot.bot.services.store;
  const assignments = (principalId: string) => sandbox.state.appRoleAssignments.filter((a) => a.resourceId === TIMESHEETS && a.principalId === principalId);

  async function shadowAccountsOf(objectId: string): Promise<Record<string, unknown>[]> {
    const { searchEntries } = await ldap.search(dc.baseDn, {
      filter: `(${LINK}=${escapeFilterValue(objectId)})`,
      attributes: ['sAMAccountName', 'userPrincipalName', 'displayName', 'mail', 'userAccountControl', 'adminDescription', LINK],
    });
    return searchEntries;
  }

  async function ask(user: TestUser, text: string): Promise<ConnectorCall> {
    const activityId = randomUUID();
    await bot.say(user, text, { activityId, expectReplies: 0 });
    return waitFor(`the reply to "${text}"`, () => bot.connector.calls.find((c) => c.activity.replyToId === activityId));
  }

  /** Megan asks for Timesheets for the partner; returns the stored request, still pending. */
  async function requestTimesheets(email: string) {
    const reply = await ask(MANAGER, `request timesheets for ${email} for 10 days because Timesheets for the Northwind project`);
    const data = formData(cardOf(reply), 'access.submit');
    if (!data) throw new Error(`no form in: ${cardText(cardOf(reply))}`);
    const submitted = await bot.click(MANAGER, 'access.submit', data);
    const record = await store().accessRequests.get(String(data.formId));
    if (!record) throw new Error(`not requested: ${JSON.stringify(submitted.value)}`);
    return record;
  }

  it('grants a Kerberos app: the shadow account is created in AD with the right attributes, then the role is assigned', async () => {
    const alice = 'e0000000-0000-4000-8000-000000000001';
    const record = await requestTimesheets('alice@fabrikam.com');
    expect(record.shadowPlan).toBe('create');
    const card = await waitFor('the approval card', () =>
      bot.connector.calls.find((c) => c.conversationId === `a:personal-${ADMIN.aadObjectId}` && formData(cardOf(c), 'access.approve')?.id === record.id),
    );
    expect(cardText(cardOf(card))).toContain('Will be created in on-prem AD');

    sandbox.resetStats();
    const approved = await bot.click(ADMIN, 'access.approve', { id: record.id });
    expect(cardText(approved.value)).toContain('Approved by Adele Vance');
    const granted = await waitFor('the grant', async () => {
      const r = await store().accessRequests.get(record.id);
      return r?.state === 'granted' ? r : undefined;
    });
    expect(granted.grantProgress.shadowAccount).toMatchObject({ samAccountName: 'alice_fabrikam.com', created: true });

    const [account, ...others] = await shadowAccountsOf(alice);
    expect(others).toHaveLength(0);
    expect(account).toMatchObject({
      sAMAccountName: 'alice_fabrikam.com',
      userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      displayName: 'Alice Smith (Fabrikam)',
      mail: 'alice@fabrikam.com',
      userAccountControl: String(SHADOW_UAC),
      adminDescription: ADMIN_DESCRIPTION,
      [LINK]: alice,
    });
    expect(String(account?.dn)).toMatch(new RegExp(`,${dc.guestOu}$`, 'i'));
    expect(assignments(alice)).toHaveLength(1);
    // Graph: the owners, re-checked at decision time; what the partner holds, read before anything changes; and the one
    // assignment. The account is LDAP, not Graph.
    expect(sandbox.stats().requests.filter((r) => !r.refused).map((r) => `${r.method} ${r.path.split('?')[0] ?? ''}`).sort()).toEqual([
      `GET /v1.0/servicePrincipals/${TIMESHEETS}/owners`,
      `GET /v1.0/users/${alice}/appRoleAssignments`,
      `POST /v1.0/servicePrincipals/${TIMESHEETS}/appRoleAssignedTo`,
    ]);
    const final = await waitFor('the approval card to show the grant', () =>
      bot.connector.calls.find((c) => c.method === 'PUT' && c.conversationId === `a:personal-${ADMIN.aadObjectId}` && cardText(cardOf(c)).includes('alice\\_fabrikam.com (created)')),
    );
    expect(formData(cardOf(final), 'access.approve')).toBeUndefined();
    const audit = (await store().audit.list({ action: 'access.grant' })).filter((a) => a.detail?.request === record.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]?.detail).toMatchObject({ shadowCreated: true, shadowAccount: account?.dn });
  });

  describe('a crash between any two steps of the grant', () => {
    beforeAll(async () => {
      // From here the tests drive the job runners themselves: one instance that dies mid-step, and a fresh one after it.
      await bot.bot.runner.stop();
    });

    /** The same service the bot runs, over the same store, with one port that does its work and then never returns. */
    function doomedService(crashAt: CrashPoint, reached: () => void): AccessRequestService {
      const services = bot.bot.services;
      const { client } = sandboxGraphClient(sandbox);
      const graphApps = new GraphAppProxy(client);
      const hang = <T>(): Promise<T> => {
        reached();
        return new Promise<T>(() => undefined);
      };
      const apps: AppDirectory = {
        listApps: () => graphApps.listApps(),
        getApp: (id) => graphApps.getApp(id),
        listOwners: (id) => graphApps.listOwners(id),
        listUserAssignments: (id) => graphApps.listUserAssignments(id),
        unassign: (sp, a) => graphApps.unassign(sp, a),
        async assign(sp, principal, role) {
          const done = await graphApps.assign(sp, principal, role);
          return crashAt === 'assignment' ? hang() : done;
        },
      };
      const realShadow = services.appAccess.shadowAccounts;
      if (!realShadow) throw new Error('the bot has no on-prem directory');
      const shadow = Object.create(realShadow) as ShadowAccounts;
      shadow.ensure = async (guest) => {
        const done = await realShadow.ensure(guest);
        return crashAt === 'shadowAccount' ? hang() : done;
      };
      let updates = 0;
      const notifier: Notifier = {
        sendToUser: (id, message) => services.notifier.sendToUser(id, message),
        sendToConversation: (reference, message) => services.notifier.sendToConversation(reference, message),
        async update(sent, message) {
          const landed = await services.notifier.update(sent, message);
          updates += 1;
          // The first update announces "granting"; a card saying "granted" comes after the request is marked granted.
          if ((crashAt === 'announced' && updates === 1) || (crashAt === 'granted' && cardText(message.card.content).includes('granted until'))) await hang();
          return landed;
        },
      };
      return new AccessRequestService({
        store: services.store,
        apps,
        appAccess: new AppAccessService(apps, shadow),
        directory: new GraphInvitations(client),
        notifier,
        jobs: bot.bot.jobs,
        realm: services.realm,
        settings: services.accessRequests.settings,
        messages: accessRequestMessages,
      });
    }

    it.each([
      ['announced', 'bob@tailspintoys.com', 'e0000000-0000-4000-8000-000000000002'],
      ['shadowAccount', 'dana.reyes@outlook.com', 'e0000000-0000-4000-8000-000000000003'],
      ['assignment', 'erik@lakeshore-consulting.net', 'e0000000-0000-4000-8000-000000000004'],
      ['granted', 'fiona.grant@gmail.com', 'e0000000-0000-4000-8000-000000000005'],
    ] as const)('after %s: a fresh instance completes it exactly once', async (crashAt, email, guestId) => {
      const record = await requestTimesheets(email);
      const approved = await bot.click(ADMIN, 'access.approve', { id: record.id });
      expect(cardText(approved.value)).toContain('Approved by Adele Vance');
      const callsBefore = bot.connector.calls.length;
      sandbox.resetStats();

      // The doomed instance takes the job with a short lease and dies at the crash point.
      let signal: () => void = () => undefined;
      const reached = new Promise<void>((resolve) => (signal = resolve));
      const doomed = new JobRunner(new JobQueue(store().db), [accessGrantJob(doomedService(crashAt, signal))], log, { owner: `doomed-${crashAt}`, leaseMs: 1000 });
      void doomed.runDue();
      await reached;
      expect((await store().accessRequests.get(record.id))?.state).toBe(crashAt === 'granted' ? 'granted' : 'approved');

      // A fresh instance, once the lease has run out, claims the job again and finishes it.
      const later = new JobQueue(store().db, () => new Date(Date.now() + 60_000));
      const fresh = new JobRunner(later, [accessGrantJob(bot.bot.services.accessRequests)], log, { owner: `fresh-${crashAt}`, leaseMs: 60_000 });
      await fresh.runDue();

      const settled = await store().accessRequests.get(record.id);
      expect(settled?.state).toBe('granted');
      expect((await bot.bot.jobs.queue.findByUniqueKey(`access.grant:${record.id}`))?.state).toBe('succeeded');
      // Exactly once: one assignment, one AD object, one audited grant, one expiry job.
      expect(assignments(guestId)).toHaveLength(1);
      const accounts = await shadowAccountsOf(guestId);
      expect(accounts).toHaveLength(1);
      expect(accounts[0]?.userAccountControl).toBe(String(SHADOW_UAC));
      expect((await store().audit.list({ action: 'access.grant' })).filter((a) => a.detail?.request === record.id)).toHaveLength(1);
      expect((await bot.bot.jobs.queue.list({ kind: 'access.expire' })).filter((j) => (j.payload as { requestId?: string }).requestId === record.id)).toHaveLength(1);
      const posts = sandbox.stats().requests.filter((r) => r.method === 'POST' && r.path.endsWith('/appRoleAssignedTo'));
      expect(posts).toHaveLength(crashAt === 'assignment' ? 2 : 1);

      // The cards end right: the owners' cards say granted without buttons, and the requester is told once.
      const after = bot.connector.calls.slice(callsBefore);
      const lastPerCard = new Map<string, ConnectorCall>();
      for (const call of after.filter((c) => c.method === 'PUT')) lastPerCard.set(`${call.conversationId}/${call.activityId ?? ''}`, call);
      const approvalCards = [...lastPerCard.values()].filter((c) => cardText(cardOf(c)).includes(`Access request: `) && JSON.stringify(cardOf(c)).includes(record.id));
      expect(approvalCards.map((c) => c.conversationId).sort()).toEqual([`a:personal-${ADMIN.aadObjectId}`, `a:personal-${NESTED_ADMIN.aadObjectId}`]);
      for (const card of approvalCards) {
        expect(cardText(cardOf(card))).toContain('granted until');
        expect(formData(cardOf(card), 'access.approve')).toBeUndefined();
      }
      const told = after.filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${MANAGER.aadObjectId}` && JSON.stringify(cardOf(c)).includes(record.id));
      expect(told).toHaveLength(1);
      expect(cardText(cardOf(told[0]))).toContain('Granted');
    });
  });
});
