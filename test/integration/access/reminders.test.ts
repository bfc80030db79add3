import { TestClock } from '../../../bot/clock';
import type { Caller } from '../../../bot/identity/caller';
import { JobRunner } from '../../../bot/jobs';
import { jobHandlers } from '../../../bot/jobs/handlers';
import { createLogger } from '../../../bot/logger';
import type { OutgoingMessage, SentMessage } from '../../../bot/notify/notifier';
import { accessReminderKey } from '../../../bot/services/access/schedule';
import type { AccessRequestRecord, StoreOptions } from '../../../bot/store';
import { describeOnEachBackend } from '../../helpers/storeBackends';
import { cardText } from '../../helpers/bot';
import { testServices, type TestServices } from '../../helpers/testServices';

const log = createLogger('silent');
const HOUR = 3_600_000;
const START = new Date('2026-12-07T09:00:00.000Z');

const REQUESTER: Caller = { aadObjectId: 'b0000000-0000-4000-8000-0000000000bb', tenantId: 't', teamsUserId: '29:b0000000-0000-4000-8000-0000000000bb', name: 'Max Manager', roles: ['manager'] };
const OLGA = 'a0000000-0000-4000-8000-0000000000aa';
const OTTO = 'a0000000-0000-4000-8000-0000000000ab';
const OLGA_CALLER: Caller = { aadObjectId: OLGA, tenantId: 't', teamsUserId: `29:${OLGA}`, name: 'Olga Owner', roles: [] };
const ADELE = 'ad000000-0000-4000-8000-0000000000ad';
const ADELE_CALLER: Caller = { aadObjectId: ADELE, tenantId: 't', teamsUserId: `29:${ADELE}`, name: 'Adele Admin', roles: ['admin'] };
const OTTO_CALLER: Caller = { aadObjectId: OTTO, tenantId: 't', teamsUserId: `29:${OTTO}`, name: 'Otto Owner', roles: [] };
const WIKI = 'f3000000-0000-4000-8000-000000000003';
const ANA = 'e0000000-0000-4000-8000-000000000001';

interface Stack {
  services: TestServices;
  clock: TestClock;
  runner: JobRunner;
}

async function stack(reminderHours = 24, shared?: { clock: TestClock; store: StoreOptions }, escalateHours?: number): Promise<Stack> {
  const clock = shared?.clock ?? new TestClock({ frozen: true, start: START });
  const access = { reminderHours, requestTimeoutDays: 7, ...(escalateHours ? { escalateHours } : {}) };
  const services = await testServices({}, { clock, access, ...(shared ? { store: shared.store } : {}) });
  services.invitationDirectory.adminIds.push(ADELE);
  services.appDirectory.apps.push({ servicePrincipalId: WIKI, appId: WIKI.replace('f3', 'f2'), displayName: 'Contoso Wiki', ssoKind: 'headerBased', externalUrl: 'https://wiki-contoso.msappproxy.net/', roles: [] });
  services.appDirectory.owners[WIKI] = [
    { id: OLGA, displayName: 'Olga Owner' },
    { id: OTTO, displayName: 'Otto Owner' },
  ];
  services.invitationDirectory.users.push({
    id: ANA,
    displayName: 'Ana Bell',
    userPrincipalName: 'ana_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    mail: 'ana@fabrikam.com',
    userType: 'Guest',
    creationType: 'Invitation',
    externalUserState: 'Accepted',
  });
  const runner = new JobRunner(services.jobs.queue, jobHandlers(services), log, { clock, pollMs: 10 * 60_000 });
  services.jobs.attach(runner);
  return { services, clock, runner };
}

async function request({ services }: Stack): Promise<AccessRequestRecord> {
  const started = await services.accessRequests.start(REQUESTER, { appQuery: 'wiki', email: 'ana@fabrikam.com', days: 10, justification: 'Docs' });
  if (started.kind !== 'form') throw new Error(`no form: ${started.kind}`);
  const submitted = await services.accessRequests.submit(REQUESTER, { formId: started.form.formId, servicePrincipalId: WIKI, partner: 'ana@fabrikam.com', days: 10, justification: 'Docs' });
  if (submitted.kind !== 'requested') throw new Error(`not requested: ${submitted.kind}`);
  return submitted.record;
}

/** The reminders the notifier has sent so far, as "who: title". */
function reminders(services: TestServices): { to: string; text: string; message: OutgoingMessage }[] {
  return services.notifier.sent
    .filter((s) => (s.message.text ?? '').startsWith('Reminder:'))
    .map((s) => ({ to: s.to.replace('personal:', ''), text: cardText(s.message.card?.content), message: s.message }));
}

async function advance(s: Stack, ms: number): Promise<void> {
  s.clock.advance(ms);
  await s.runner.settleDue();
}

function verbsOf(card: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const verb = (node as { verb?: unknown }).verb;
      if (typeof verb === 'string') found.push(verb);
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return found;
}

describe('reminders for an undecided request, driven by the job clock', () => {
  let s: Stack | undefined;
  afterEach(async () => {
    await s?.runner.stop();
    await s?.services.dispose();
    s = undefined;
  });

  it('remind each approver who has not answered after 24 h and every 24 h until the time-out, never the requester', async () => {
    s = await stack();
    const record = await request(s);
    await advance(s, 23 * HOUR);
    expect(reminders(s.services)).toEqual([]);

    await advance(s, HOUR);
    const first = reminders(s.services);
    expect(first.map((r) => r.to).sort()).toEqual([OLGA, OTTO]);
    expect(first[0]!.text).toContain('Contoso Wiki for Ana Bell still waits for a decision');
    expect(first[0]!.text).toContain('Max Manager asked 24 hours ago');
    // A pointer to the one request, never a second approval card that could be decided on its own.
    expect(verbsOf(first[0]!.message.card?.content)).toEqual(['access.refresh']);
    expect(JSON.stringify(first[0]!.message.card?.content)).toContain(record.id);

    await advance(s, 24 * HOUR);
    expect(reminders(s.services)).toHaveLength(4);
    expect(reminders(s.services).at(-1)!.text).toContain('asked 48 hours ago');

    // 24, 48, … 144 h: six rounds before the 168 h time-out, and none after it.
    for (let day = 3; day <= 7; day += 1) await advance(s, 24 * HOUR);
    expect(reminders(s.services)).toHaveLength(12);
    expect((await s.services.accessRequests.get(record.id))?.state).toBe('timedOut');
    await advance(s, 48 * HOUR);
    expect(reminders(s.services)).toHaveLength(12);
    const audited = (await s.services.store.audit.list({ limit: 100 })).filter((e) => e.action === 'access.remind');
    expect(audited).toHaveLength(6);
  });

  it('after days with no instance running, sends one reminder, not one for every round it missed', async () => {
    s = await stack();
    await request(s);
    await advance(s, 100 * HOUR);
    expect(reminders(s.services).map((r) => r.to).sort()).toEqual([OLGA, OTTO]);
    expect(reminders(s.services)[0]!.text).toContain('asked 100 hours ago');
    await advance(s, 19 * HOUR);
    expect(reminders(s.services)).toHaveLength(2);
    // The next one is the 120 h one.
    await advance(s, HOUR);
    expect(reminders(s.services)).toHaveLength(4);
  });

  it('sends no reminder after a decision, whose transaction cancels the job', async () => {
    s = await stack();
    const record = await request(s);
    await advance(s, 10 * HOUR);
    expect((await s.services.accessRequests.approve(OLGA_CALLER, record.id)).kind).toBe('decided');
    await advance(s, 72 * HOUR);
    expect(reminders(s.services)).toEqual([]);
    expect((await s.services.jobs.queue.findByUniqueKey(accessReminderKey(record.id)))?.state).toBe('cancelled');
  });

  it('sends nothing for a reminder that came due as the request was withdrawn', async () => {
    s = await stack();
    const record = await request(s);
    // The reminder is due, but the requester withdraws before any runner looks.
    s.clock.advance(24 * HOUR);
    expect((await s.services.accessRequests.withdraw(REQUESTER, record.id)).kind).toBe('withdrawn');
    await s.runner.settleDue();
    expect(reminders(s.services)).toEqual([]);
    // Even a reminder step already claimed when the withdrawal landed ends without sending anything.
    expect(await s.services.accessRequests.reminderStep({ requestId: record.id, round: 1 })).toEqual({ status: 'done' });
    expect(reminders(s.services)).toEqual([]);
  });

  it('turns off with ACCESS_REMINDER_HOURS=0', async () => {
    s = await stack(0);
    const record = await request(s);
    await advance(s, 100 * HOUR);
    expect(reminders(s.services)).toEqual([]);
    expect(await s.services.jobs.queue.findByUniqueKey(accessReminderKey(record.id))).toBeUndefined();
  });

  it('reminds only the approver Teams refused when the step runs again after a restart', async () => {
    s = await stack();
    await request(s);
    const notifier = s.services.notifier;
    const realSend = notifier.sendToUser.bind(notifier);
    let refuse = true;
    notifier.sendToUser = async (id: string, message: OutgoingMessage): Promise<SentMessage | undefined> => {
      if (refuse && id === OTTO && (message.text ?? '').startsWith('Reminder:')) throw new Error('429 from the Bot Connector');
      return realSend(id, message);
    };
    await advance(s, 24 * HOUR);
    expect(reminders(s.services).map((r) => r.to)).toEqual([OLGA]);

    // The instance dies; a new runner over the same store finds the step, with whom it reached saved, once its back-off is due.
    await s.runner.stop();
    refuse = false;
    const restarted = new JobRunner(s.services.jobs.queue, jobHandlers(s.services), log, { clock: s.clock, pollMs: 10 * 60_000 });
    s.runner = restarted;
    s.services.jobs.attach(restarted);
    await advance(s, 10 * 60_000);
    expect(reminders(s.services).map((r) => r.to)).toEqual([OLGA, OTTO]);
  });
});

describeOnEachBackend('reminders with several instances', (backend) => {
  let instances: Stack[] = [];
  afterEach(async () => {
    await Promise.all(instances.map((i) => i.runner.stop()));
    await Promise.all(instances.map((i) => i.services.dispose()));
    instances = [];
  });

  it('remind each approver once per round however many instances run the jobs, and survive their restart', async () => {
    const clock = new TestClock({ frozen: true, start: START });
    const store = await backend.freshOptions();
    const count = backend.multiInstance ? 3 : 1;
    for (let i = 0; i < count; i += 1) instances.push(await stack(24, { clock, store }));
    await request(instances[0]!);
    for (const i of instances) i.runner.start();
    const all = () => instances.flatMap((i) => reminders(i.services));

    clock.advance(24 * HOUR);
    await Promise.all(instances.map((i) => i.runner.settleDue()));
    expect(all().map((r) => r.to).sort()).toEqual([OLGA, OTTO]);

    // Every instance restarts between the rounds: the next round is in the store, not in any instance's memory.
    for (const i of instances) {
      await i.runner.stop();
      i.runner = new JobRunner(i.services.jobs.queue, jobHandlers(i.services), log, { clock, pollMs: 10 * 60_000 });
      i.services.jobs.attach(i.runner);
      i.runner.start();
    }
    clock.advance(24 * HOUR);
    await Promise.all(instances.map((i) => i.runner.settleDue()));
    expect(all().map((r) => r.to).sort()).toEqual([OLGA, OLGA, OTTO, OTTO]);
  });
});

describe('escalation of an undecided request to the bot admins', () => {
  let s: Stack | undefined;
  afterEach(async () => {
    await s?.runner.stop();
    await s?.services.dispose();
    s = undefined;
  });

  const approvalCardsTo = (services: TestServices, id: string) =>
    services.notifier.sent.filter((m) => m.to === `personal:${id}` && verbsOf(m.message.card?.content).includes('access.approve'));

  it('after 72 h makes the admins approvers: they get the card, every card and the requester say so', async () => {
    s = await stack(0, undefined, 72);
    const record = await request(s);
    await advance(s, 71 * HOUR);
    expect(approvalCardsTo(s.services, ADELE)).toEqual([]);
    expect((await s.services.accessRequests.approve(ADELE_CALLER, record.id)).kind).toBe('notApprover');

    await advance(s, HOUR);
    const escalated = await s.services.accessRequests.get(record.id);
    expect(escalated?.escalatedAt?.toISOString()).toBe('2026-12-10T09:00:00.000Z');
    expect(escalated?.approverObjectIds).toEqual([OLGA, OTTO, ADELE]);
    const adminCard = approvalCardsTo(s.services, ADELE);
    expect(adminCard).toHaveLength(1);
    expect(cardText(adminCard[0]!.message.card?.content)).toContain('and the bot admins since 2026-12-10 09:00 UTC');
    // The owners' cards were updated in place to say so.
    expect(s.services.notifier.updates.some((u) => cardText(u.message.card?.content).includes('and the bot admins since'))).toBe(true);
    const told = s.services.notifier.sent.filter((m) => m.to === `personal:${REQUESTER.aadObjectId}` && (m.message.text ?? '').includes('the bot admins can decide it now too'));
    expect(told).toHaveLength(1);
    expect((await s.services.store.audit.list({ action: 'access.escalate' })).map((e) => e.detail?.added)).toEqual([[ADELE]]);

    // The admin decides; the escalated admin's card is among those that show the final state.
    expect((await s.services.accessRequests.approve(ADELE_CALLER, record.id)).kind).toBe('decided');
    await s.runner.settleDue();
    const adminCardId = adminCard[0]!.activityId;
    expect(s.services.notifier.updates.filter((u) => u.activityId === adminCardId).map((u) => cardText(u.message.card?.content)).at(-1)).toMatch(/Granted|granting/i);
  });

  it('ends in one decision when two approvers decide while the escalation fires', async () => {
    s = await stack(0, undefined, 72);
    const record = await request(s);
    s.clock.advance(72 * HOUR);
    const [olga, otto] = await Promise.all([
      s.services.accessRequests.approve(OLGA_CALLER, record.id),
      s.services.accessRequests.deny(OTTO_CALLER, record.id),
      s.runner.settleDue(),
    ]);
    const kinds = [olga.kind, otto.kind].sort();
    expect(kinds).toEqual(['current', 'decided']);
    await s.runner.settleDue();
    const final = await s.services.accessRequests.get(record.id);
    expect(['granted', 'denied']).toContain(final?.state);
    const decisions = (await s.services.store.audit.list({ limit: 100 })).filter((e) => (e.action === 'access.approve' || e.action === 'access.deny') && e.outcome === 'success');
    expect(decisions).toHaveLength(1);
    // Whether or not the escalation won its race, nobody is told the request went to the admins after it was decided.
    const lateEscalationNotice = s.services.notifier.sent.filter((m) => (m.message.text ?? '').includes('the bot admins can decide it now too'));
    expect(lateEscalationNotice.length).toBeLessThanOrEqual(1);
    expect((await s.services.jobs.queue.findByUniqueKey(`access.escalate:${record.id}`))?.state).toMatch(/succeeded|cancelled/);
  });

  it('does not escalate a request decided before 72 h', async () => {
    s = await stack(0, undefined, 72);
    const record = await request(s);
    await advance(s, 10 * HOUR);
    await s.services.accessRequests.deny(OLGA_CALLER, record.id);
    await advance(s, 100 * HOUR);
    expect((await s.services.accessRequests.get(record.id))?.escalatedAt).toBeUndefined();
    expect(approvalCardsTo(s.services, ADELE)).toEqual([]);
  });
});
