import { GraphAppProxy, type ProxyApp } from '../../../bot/graph/appProxy';
import { GraphInvitations } from '../../../bot/graph/graphInvitations';
import { accessEndMessages } from '../../../bot/presenters/revoke.presenter';
import { JobQueue, JobRunner, type JobHandler } from '../../../bot/jobs';
import { accessExpiryJob } from '../../../bot/jobs/accessExpiry.job';
import { createLogger } from '../../../bot/logger';
import { AccessRevocationService, type ExpiryPayload } from '../../../bot/services/accessRevocation';
import { AppAccessService } from '../../../bot/services/appAccess';
import { openStore, type Store } from '../../../bot/store';
import type { RunningSandbox } from '../../../sandbox/server';
import { grantAccess } from '../../helpers/accessGrants';
import { postgresMissingReason, startPostgres, type TestPostgres } from '../../helpers/postgres';
import { sandboxGraphClient, startTestSandbox } from '../../helpers/sandbox';
import { describeWithService } from '../../helpers/services';
import { InMemoryNotifier } from '../../helpers/testServices';

const log = createLogger('silent');
const MANAGER = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
/**
 * Expenses' msiam_access role: no group holds it, so every guest's grant creates an assignment of its own (Alice holds the
 * User role through Finance Portal Users, and a grant of a role already held changes nothing in Graph).
 */
const EXPENSES_MSIAM_ROLE = 'b9632174-c057-4f7e-951b-be3adc52bfe6';
const GUESTS = [1, 2, 3, 4, 5, 6].map((n) => `e0000000-0000-4000-8000-00000000000${n}`);

interface Instance {
  store: Store;
  runner: JobRunner;
}

describeWithService('PostgreSQL', postgresMissingReason(), 'access expiry with two bot instances on one PostgreSQL', () => {
  let server: TestPostgres;
  let sandbox: RunningSandbox;
  let instances: Instance[] = [];
  const notifier = new InMemoryNotifier();
  /** How often each (request, step) ran, across both instances. */
  const steps = new Map<string, number>();

  beforeAll(async () => {
    server = await startPostgres();
    sandbox = await startTestSandbox();
    const url = await server.createDatabase();
    const { client } = sandboxGraphClient(sandbox);
    for (const name of ['instance-a', 'instance-b']) {
      const store = await openStore({ databaseUrl: url, dataDir: '/nonexistent/unused-with-postgres' });
      const appProxy = new GraphAppProxy(client);
      const appAccess = new AppAccessService(appProxy);
      const service = new AccessRevocationService({ store, appAccess, apps: appProxy, guests: new GraphInvitations(client), notifier, messages: accessEndMessages });
      const handler = accessExpiryJob(service);
      const counted: JobHandler<ExpiryPayload> = {
        ...handler,
        async step(job, context) {
          const key = `${job.payload.requestId}:${job.payload.phase}`;
          steps.set(key, (steps.get(key) ?? 0) + 1);
          return handler.step(job, context);
        },
      };
      instances.push({ store, runner: new JobRunner(new JobQueue(store.db), [counted as JobHandler], log, { owner: name, leaseMs: 60_000 }) });
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(instances.map(async (i) => {
      await i.runner.stop();
      await i.store.close();
    }));
    instances = [];
    await sandbox?.close();
    await server?.stop();
  });

  it('ends every grant exactly once while both instances race for the due expiry jobs', async () => {
    const [first] = instances;
    if (!first) throw new Error('no instance');
    const appProxy = new GraphAppProxy(sandboxGraphClient(sandbox).client);
    const app = (await appProxy.getApp(EXPENSES)) as ProxyApp;
    const appAccess = new AppAccessService(appProxy);
    const grants = [];
    for (const [i, objectId] of GUESTS.entries()) {
      const user = sandbox.state.findUser(objectId);
      if (!user) throw new Error(`fixture lacks ${objectId}`);
      grants.push(
        await grantAccess(
          { store: first.store, appAccess, queue: new JobQueue(first.store.db) },
          {
            app,
            guest: { objectId, userPrincipalName: user.userPrincipalName, displayName: user.displayName ?? `Guest ${i}`, ...(user.mail ? { mail: user.mail } : {}) },
            requester: MANAGER,
            appRoleId: EXPENSES_MSIAM_ROLE,
            expiresAt: new Date(Date.now() - 1000),
          },
        ),
      );
    }
    const direct = () => sandbox.state.appRoleAssignments.filter((a) => a.resourceId === EXPENSES && GUESTS.includes(a.principalId));
    expect(direct()).toHaveLength(GUESTS.length);
    sandbox.resetStats();

    // Two instances, each with two claim loops, all at once: every step of every job is claimed by exactly one of them.
    const ran = await Promise.all(instances.flatMap((i) => [i.runner.runDue(), i.runner.runDue()]));
    expect(ran.reduce((a, b) => a + b, 0)).toBe(GUESTS.length * 3);
    // Both instances really competed: each ran some of the steps.
    expect((ran[0] ?? 0) + (ran[1] ?? 0)).toBeGreaterThan(0);
    expect((ran[2] ?? 0) + (ran[3] ?? 0)).toBeGreaterThan(0);

    for (const { record } of grants) {
      for (const phase of ['end', 'remove', 'report']) expect(steps.get(`${record.id}:${phase}`)).toBe(1);
      expect((await first.store.accessRequests.get(record.id))?.state).toBe('expired');
      const audit = (await first.store.audit.list({ target: record.guestUpn, action: 'access.expire' })).filter((e) => e.detail?.request === record.id);
      expect(audit.map((e) => e.outcome).sort()).toEqual(['started', 'success']);
    }
    expect(direct()).toHaveLength(0);
    const deletes = sandbox.stats().requests.filter((r) => r.method === 'DELETE' && /appRoleAssignedTo/i.test(r.path));
    expect(deletes).toHaveLength(GUESTS.length);
    expect(notifier.sent.filter((s) => s.to === `personal:${MANAGER.aadObjectId}`)).toHaveLength(GUESTS.length);
    const jobs = await new JobQueue(first.store.db).list({ kind: 'access.expire' });
    expect(jobs.map((j) => j.state)).toEqual(GUESTS.map(() => 'succeeded'));
    // Group-based access (Finance Portal Users) is not the bot's to end: it stays.
    expect(sandbox.state.appRoleAssignments.some((a) => a.resourceId === EXPENSES && a.principalId === '9a000000-0000-4000-8000-000000000005')).toBe(true);
  });
});
