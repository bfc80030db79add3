import { randomUUID } from 'node:crypto';
import { GraphAppProxy } from '../../../bot/graph/appProxy';
import { GraphInvitations } from '../../../bot/graph/graphInvitations';
import { JobQueue, JobRunner } from '../../../bot/jobs';
import { accessGrantJob, accessRequestTimeoutJob } from '../../../bot/jobs/accessRequest.job';
import { createLogger } from '../../../bot/logger';
import type { Notifier } from '../../../bot/notify/notifier';
import { accessRequestMessages } from '../../../bot/presenters/access.presenter';
import { AccessRequestService } from '../../../bot/services/accessRequests';
import { AppAccessService } from '../../../bot/services/appAccess';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeData, inputDefaults, startBotOn, waitFor, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { sandboxGraphClient, startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const log = createLogger('silent');

describe('an access request that times out: a crash after the time-out, before anyone is told', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { ROLE_CACHE_SECONDS: '600', JOB_POLL_MS: '50' });
    for (const user of [ADMIN, NESTED_ADMIN, MANAGER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  const store = () => bot.bot.services.store;
  const callsTo = (user: TestUser) => bot.connector.calls.filter((c) => c.conversationId === `a:personal-${user.aadObjectId}` && c.method === 'POST');

  /** The same service the bot runs, over the same store, whose Teams notifier stops for ever before its first message. */
  function doomedService(reached: () => void): AccessRequestService {
    const services = bot.bot.services;
    const { client } = sandboxGraphClient(sandbox);
    const apps = new GraphAppProxy(client);
    const hang = <T>(): Promise<T> => {
      reached();
      return new Promise<T>(() => undefined);
    };
    const notifier: Notifier = {
      sendToUser: () => hang(),
      sendToConversation: () => hang(),
      update: () => hang(),
    };
    return new AccessRequestService({
      store: services.store,
      apps,
      appAccess: new AppAccessService(apps),
      directory: new GraphInvitations(client),
      notifier,
      jobs: bot.bot.jobs,
      realm: services.realm,
      settings: services.accessRequests.settings,
      messages: accessRequestMessages,
    });
  }

  it('is completed by a fresh instance: every approval card says timed out and the requester is told exactly once', async () => {
    const activityId = randomUUID();
    await bot.say(MANAGER, 'request wiki for carla.diaz@wingtiptoys.com because Documentation', { activityId, expectReplies: 0 });
    const reply = await waitFor('the request form', () => bot.connector.calls.find((c) => c.activity.replyToId === activityId));
    const form = cardOf(reply);
    const data = executeData(form, 'access.submit');
    if (!data) throw new Error(`no Send request button in: ${cardText(form)}`);
    await bot.click(MANAGER, 'access.submit', { ...inputDefaults(form), ...data });
    const id = String(data.formId);
    await waitFor('Nestor to get the card', () => callsTo(NESTED_ADMIN).find((c) => executeData(cardOf(c), 'access.approve')?.id === id));
    const approverChats = [
      ...new Set(bot.connector.calls.filter((c) => c.method === 'POST' && executeData(cardOf(c), 'access.approve')?.id === id).map((c) => c.conversationId)),
    ].sort();

    // From here the test drives the job runners itself: one instance that dies mid-step, and a fresh one after it.
    await bot.bot.runner.stop();
    // Seven days pass.
    const past = new Date(Date.now() - 1000).toISOString();
    await store().db.updateTable('access_request').set({ approval_deadline: past }).where('id', '=', id).execute();
    await store().db.updateTable('job').set({ run_at: past }).where('unique_key', '=', `access.requestTimeout:${id}`).execute();
    const callsBefore = bot.connector.calls.length;

    let signal: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (signal = resolve));
    const doomedAccess = doomedService(signal);
    const doomed = new JobRunner(new JobQueue(store().db), [accessRequestTimeoutJob(doomedAccess), accessGrantJob(doomedAccess)], log, { owner: 'doomed-timeout', leaseMs: 1000 });
    void doomed.runDue();
    await reached;
    expect((await store().accessRequests.get(id))?.state).toBe('timedOut');
    expect(bot.connector.calls.length).toBe(callsBefore);

    // A fresh instance, once the lease has run out, claims what is left and finishes it.
    const later = new JobQueue(store().db, () => new Date(Date.now() + 60_000));
    const services = bot.bot.services;
    await new JobRunner(later, [accessRequestTimeoutJob(services.accessRequests), accessGrantJob(services.accessRequests)], log, { owner: 'fresh-timeout', leaseMs: 60_000 }).runDue();

    expect((await store().accessRequests.get(id))?.state).toBe('timedOut');
    expect((await store().audit.list({ action: 'access.timeout' })).filter((a) => a.detail?.request === id)).toHaveLength(1);
    const after = bot.connector.calls.slice(callsBefore);
    const lastPerCard = new Map<string, ConnectorCall>();
    for (const call of after.filter((c) => c.method === 'PUT')) lastPerCard.set(`${call.conversationId}/${call.activityId ?? ''}`, call);
    const approvalCards = [...lastPerCard.values()].filter((c) => JSON.stringify(cardOf(c)).includes(id));
    expect(approvalCards.map((c) => c.conversationId).sort()).toEqual(approverChats);
    for (const card of approvalCards) {
      expect(cardText(cardOf(card))).toContain('Timed out');
      expect(executeData(cardOf(card), 'access.approve')).toBeUndefined();
    }
    const told = after.filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${MANAGER.aadObjectId}` && JSON.stringify(cardOf(c)).includes(id));
    expect(told).toHaveLength(1);
    expect(cardText(cardOf(told[0]))).toContain('Timed out');
    // The request's job told them, and is done.
    expect((await bot.bot.jobs.queue.findByUniqueKey(`access.grant:${id}`))?.state).toBe('succeeded');
  });
});
