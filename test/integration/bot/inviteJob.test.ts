import { GraphInvitations } from '../../../bot/graph/graphInvitations';
import type { Caller } from '../../../bot/identity/caller';
import { JobQueue, JobRunner } from '../../../bot/jobs';
import { inviteApprovalJob } from '../../../bot/jobs/inviteApproval.job';
import { createLogger } from '../../../bot/logger';
import type { Notifier } from '../../../bot/notify/notifier';
import { invitationMessages } from '../../../bot/presenters/invite.presenter';
import { InvitationService, type InvitationDirectory } from '../../../bot/services/invitations';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeData, startBotOn, waitFor, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { sandboxGraphClient, startTestSandbox, TEST_REPLICATION_LAG_MS } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const FINANCE = '9a000000-0000-4000-8000-000000000005';
/** Far longer than the 2 s an invoke may take: an invoke that waited for POST /invitations could not answer in time. */
const SLOW_INVITATIONS_MS = 6000;
const log = createLogger('silent');

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describe('invite approval runs as a durable job, outside the card action', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { JOB_POLL_MS: '50' });
    for (const user of [ADMIN, NESTED_ADMIN, MANAGER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  const store = () => bot.bot.services.store;
  const guestsWithMail = (mail: string) => [...sandbox.state.users.values()].filter((u) => (u.mail ?? '').toLowerCase() === mail);
  const invitationPosts = () => sandbox.stats().requests.filter((r) => r.method === 'POST' && /\/invitations$/.test(r.path));
  const toldTo = (user: TestUser, says: string) =>
    waitFor(`${user.name} to be told "${says}"`, () =>
      bot.connector.calls.filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${user.aadObjectId}`).map((c) => cardText(cardOf(c))).find((t) => t.includes(says)),
    );

  /** A manager asks to invite `email`; returns the approve button's data from an admin's approval card. */
  async function managerRequest(email: string, inputs: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const [reply] = await bot.say(MANAGER, `invite ${email}`);
    const data = executeData(cardOf(reply), 'invite.submit');
    const asked = await bot.click(MANAGER, 'invite.submit', { ...data, justification: 'Joins the audit', ...inputs });
    expect(invokeText(asked)).toContain('waiting for an admin');
    const approval = await waitFor('the approval card', () =>
      bot.connector.calls.find((c) => c.conversationId === `a:personal-${ADMIN.aadObjectId}` && cardText(cardOf(c)).includes(`Invitation request: ${email}`)),
    );
    const id = executeData(cardOf(approval), 'invite.approve');
    if (!id) throw new Error('no approve button');
    return id;
  }

  it("sends the admins' approval cards from a job when the manager's confirm died before they went out", async () => {
    const approve = await managerRequest('quentin@fabrikam.com');
    const id = String(approve.id);
    const check = await bot.bot.jobs.queue.list({ kind: 'invite.approvalFanoutCheck' });
    const job = check.find((j) => (j.payload as { invitationId?: string }).invitationId === id);
    const record = await store().invitations.get(id);
    expect((job?.runAt.getTime() ?? 0) - (record?.updatedAt.getTime() ?? 0)).toBeGreaterThanOrEqual(59_000);
    // As if the process died right after storing the request: no card went out.
    await store().invitations.setApprovalMessages(id, []);
    bot.connector.clear();
    await store().db.updateTable('job').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', job?.id ?? '').execute();
    bot.bot.jobs.wake();
    await waitFor('the approval card from the job', () =>
      bot.connector.calls.find((c) => c.conversationId === `a:personal-${ADMIN.aadObjectId}` && cardText(cardOf(c)).includes('Invitation request: quentin@fabrikam.com')),
    );
    const stored = await waitFor('the cards to be recorded', async () => {
      const now = await store().invitations.get(id);
      return now && now.approvalMessages.length > 0 ? now : undefined;
    });
    expect(stored.state).toBe('pending');
  });

  it("answers an admin's Approve before Graph has answered POST /invitations, then invites and tells everyone", async () => {
    const approve = await managerRequest('ines@fabrikam.com');
    sandbox.setFaults([{ method: 'POST', pathPattern: '/invitations$', latencyMs: SLOW_INVITATIONS_MS }]);
    try {
      const started = Date.now();
      const clicked = await bot.click(ADMIN, 'invite.approve', approve);
      const answeredAfter = Date.now() - started;
      expect(invokeText(clicked)).toContain('Approved by Adele Vance: sending the invitation');
      expect(executeData(clicked.value, 'invite.approve')).toBeUndefined();
      expect(answeredAfter).toBeLessThan(SLOW_INVITATIONS_MS);
      // When the click was answered, Graph had not answered the invitation: the record still says so.
      expect((await store().invitations.get(String(approve.id)))?.state).toBe('inviting');

      await toldTo(MANAGER, 'ines@fabrikam.com is invited');
      expect(guestsWithMail('ines@fabrikam.com')).toHaveLength(1);
      expect((await store().invitations.get(String(approve.id)))?.state).toBe('invited');
    } finally {
      sandbox.setFaults([]);
    }
  });

  it("answers an admin's own Send invitation before Graph has answered, and sends the outcome as a message", async () => {
    const [reply] = await bot.say(ADMIN, 'invite jon@fabrikam.com');
    const data = executeData(cardOf(reply), 'invite.submit');
    sandbox.setFaults([{ method: 'POST', pathPattern: '/invitations$', latencyMs: SLOW_INVITATIONS_MS }]);
    try {
      const started = Date.now();
      const clicked = await bot.click(ADMIN, 'invite.submit', { ...data });
      expect(Date.now() - started).toBeLessThan(SLOW_INVITATIONS_MS);
      expect(invokeText(clicked)).toContain('Sending the invitation to jon@fabrikam.com');
      expect((await store().invitations.get(String(data?.id)))?.state).toBe('inviting');
      expect(await toldTo(ADMIN, 'jon@fabrikam.com is invited')).toContain('https://login.microsoftonline.com/redeem?rd=');
    } finally {
      sandbox.setFaults([]);
    }
  });

  describe('a crash after POST /invitations', () => {
    beforeAll(async () => {
      // From here the tests drive the job runners themselves: one instance that dies mid-step, and a fresh one after it.
      await bot.bot.runner.stop();
      // The guest the doomed instance created is still replicating when the fresh one looks for it, as can happen on Graph.
      sandbox.setReplicationLag(2000);
    });
    afterAll(() => sandbox.setReplicationLag(TEST_REPLICATION_LAG_MS));

    it('is completed by a fresh instance with exactly one guest, one invitation and one message to the requester', async () => {
      const email = 'kurt@fabrikam.com';
      const approve = await managerRequest(email, { groups: FINANCE });
      const clicked = await bot.click(ADMIN, 'invite.approve', approve);
      expect(invokeText(clicked)).toContain('sending the invitation');
      const id = String(approve.id);
      sandbox.resetStats();
      const callsBefore = bot.connector.calls.length;

      // The doomed instance: the same service over the same store, whose POST /invitations goes through and then never returns.
      let signal: () => void = () => undefined;
      const reached = new Promise<void>((resolve) => (signal = resolve));
      const graph = new GraphInvitations(sandboxGraphClient(sandbox).client);
      const directory: InvitationDirectory = {
        findByEmail: (mail) => graph.findByEmail(mail),
        addToGroup: (group, object) => graph.addToGroup(group, object),
        transitiveUserMemberIds: (group) => graph.transitiveUserMemberIds(group),
        async invite(request) {
          await graph.invite(request);
          signal();
          return new Promise(() => undefined);
        },
      };
      const services = bot.bot.services;
      const doomedService = new InvitationService({
        store: services.store,
        directory,
        notifier: services.notifier,
        jobs: bot.bot.jobs,
        settings: services.invitations.settings,
        messages: invitationMessages,
      });
      const doomed = new JobRunner(new JobQueue(store().db), [inviteApprovalJob(doomedService)], log, { owner: 'doomed', leaseMs: 1000 });
      void doomed.runDue();
      await reached;
      expect(guestsWithMail(email)).toHaveLength(1);
      expect((await store().invitations.get(id))?.state).toBe('inviting');

      // A fresh instance, once the lease has run out, claims the job again and finishes it.
      const later = new JobQueue(store().db, () => new Date(Date.now() + 60_000));
      await new JobRunner(later, [inviteApprovalJob(services.invitations)], log, { owner: 'fresh', leaseMs: 60_000 }).runDue();

      const settled = await store().invitations.get(id);
      expect(settled?.state).toBe('invited');
      const guests = guestsWithMail(email);
      expect(guests).toHaveLength(1);
      expect(settled?.result).toMatchObject({ kind: 'invited', userId: guests[0]?.id, groups: [{ groupId: FINANCE, outcome: 'added' }] });
      expect(invitationPosts()).toHaveLength(1);
      expect(sandbox.state.findGroup(FINANCE)?.members.filter((m) => m === guests[0]?.id)).toHaveLength(1);
      const jobs = (await bot.bot.jobs.queue.list({ kind: 'invite.send' })).filter((j) => (j.payload as { invitationId?: string }).invitationId === id);
      expect(jobs.map((j) => j.state)).toEqual(['succeeded']);
      const audit = (await store().audit.list({ target: email, action: 'invite.create' })).filter((a) => a.outcome === 'success');
      expect(audit).toHaveLength(1);
      const after = bot.connector.calls.slice(callsBefore);
      const told = after.filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${MANAGER.aadObjectId}`).map((c) => cardText(cardOf(c)));
      expect(told.filter((t) => t.includes(`${email}`))).toHaveLength(1);
      const lastPuts = after.filter((c) => c.method === 'PUT').slice(-2).map((c) => cardText(cardOf(c)));
      for (const text of lastPuts) expect(text).toContain('Approved by Adele Vance: invited');
    });
  });

  describe('a crash after a denial, before anyone is told', () => {
    // The tests drive the job runners themselves: one instance that dies at its first message, and a fresh one after it.
    beforeAll(() => bot.bot.runner.stop());

    it('is completed by a fresh instance: every approval card says denied and the requester is told exactly once', async () => {
      const email = 'lena@fabrikam.com';
      const approve = await managerRequest(email);
      const id = String(approve.id);
      const services = bot.bot.services;
      const approverChats = [
        ...new Set(bot.connector.calls.filter((c) => c.method === 'POST' && executeData(cardOf(c), 'invite.deny')?.id === id).map((c) => c.conversationId)),
      ].sort();
      const callsBefore = bot.connector.calls.length;

      // The doomed instance: the same service over the same store, whose Teams notifier stops for ever before its first message.
      let signal: () => void = () => undefined;
      const reached = new Promise<void>((resolve) => (signal = resolve));
      const hang = <T>(): Promise<T> => {
        signal();
        return new Promise<T>(() => undefined);
      };
      const notifier: Notifier = { sendToUser: () => hang(), sendToConversation: () => hang(), update: () => hang() };
      const graph = new GraphInvitations(sandboxGraphClient(sandbox).client);
      const doomedService = new InvitationService({
        store: services.store,
        directory: graph,
        notifier,
        jobs: bot.bot.jobs,
        settings: services.invitations.settings,
        messages: invitationMessages,
      });
      const admin: Caller = { aadObjectId: ADMIN.aadObjectId, tenantId: 'tenant', teamsUserId: `29:${ADMIN.aadObjectId}`, name: ADMIN.name, roles: ['admin'] };
      const doomed = new JobRunner(new JobQueue(store().db), [inviteApprovalJob(doomedService)], log, { owner: 'doomed-deny', leaseMs: 1000 });
      // The click's work on the doomed instance, then its job runner: it dies at the first message either of them sends.
      void doomedService.deny(admin, id, 'Use the shared account').then(() => doomed.runDue());
      await reached;
      expect((await store().invitations.get(id))?.state).toBe('denied');
      expect(bot.connector.calls.length).toBe(callsBefore);

      // A fresh instance, once the lease has run out, claims what is left and finishes it.
      const later = new JobQueue(store().db, () => new Date(Date.now() + 60_000));
      await new JobRunner(later, [inviteApprovalJob(services.invitations)], log, { owner: 'fresh-deny', leaseMs: 60_000 }).runDue();

      expect(guestsWithMail(email)).toHaveLength(0);
      const jobs = (await bot.bot.jobs.queue.list({ kind: 'invite.send' })).filter((j) => (j.payload as { invitationId?: string }).invitationId === id);
      expect(jobs.map((j) => j.state)).toEqual(['succeeded']);
      expect((await store().audit.list({ target: email, action: 'invite.deny' })).filter((a) => a.outcome === 'success')).toHaveLength(1);
      const after = bot.connector.calls.slice(callsBefore);
      const lastPerCard = new Map<string, ConnectorCall>();
      for (const call of after.filter((c) => c.method === 'PUT')) lastPerCard.set(`${call.conversationId}/${call.activityId ?? ''}`, call);
      const cards = [...lastPerCard.values()];
      expect(cards.map((c) => c.conversationId).sort()).toEqual(approverChats);
      for (const card of cards) {
        expect(cardText(cardOf(card))).toContain('Denied by Adele Vance');
        expect(executeData(cardOf(card), 'invite.deny')).toBeUndefined();
      }
      const told = after.filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${MANAGER.aadObjectId}`).map((c) => cardText(cardOf(c)));
      expect(told).toHaveLength(1);
      expect(told[0]).toContain(`${email}: Denied`);
      expect(told[0]).toContain('Use the shared account');
    });
  });
});
