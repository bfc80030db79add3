import { TestClock } from '../../../bot/clock';
import type { Caller } from '../../../bot/identity/caller';
import { JobRunner } from '../../../bot/jobs';
import { jobHandlers } from '../../../bot/jobs/handlers';
import { createLogger } from '../../../bot/logger';
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
/** Made an owner of the app after the request: not among its approvers until someone forwards it to him. */
const OSKAR = 'a0000000-0000-4000-8000-0000000000ac';
const caller = (id: string, name: string): Caller => ({ aadObjectId: id, tenantId: 't', teamsUserId: `29:${id}`, name, roles: [] });
const OLGA_CALLER = caller(OLGA, 'Olga Owner');
const OTTO_CALLER = caller(OTTO, 'Otto Owner');
const OSKAR_CALLER = caller(OSKAR, 'Oskar Owner');
const WIKI = 'f3000000-0000-4000-8000-000000000003';
const ANA = 'e0000000-0000-4000-8000-000000000001';

interface Stack {
  services: TestServices;
  clock: TestClock;
  runner: JobRunner;
}

async function stack(shared?: { clock: TestClock; store: StoreOptions }): Promise<Stack> {
  const clock = shared?.clock ?? new TestClock({ frozen: true, start: START });
  const services = await testServices({}, { clock, access: { reminderHours: 24, requestTimeoutDays: 7 }, ...(shared ? { store: shared.store } : {}) });
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

function addOskar(services: TestServices): void {
  services.appDirectory.owners[WIKI]!.push({ id: OSKAR, displayName: 'Oskar Owner' });
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

const remindedTo = (services: TestServices) =>
  services.notifier.sent.filter((s) => (s.message.text ?? '').startsWith('Reminder:')).map((s) => s.to.replace('personal:', ''));
const approvalCardsTo = (services: TestServices, id: string) =>
  services.notifier.sent.filter((m) => m.to === `personal:${id}` && verbsOf(m.message.card?.content).includes('access.approve'));

describe('Forward to…: the reminders follow the request to its new approver', () => {
  let s: Stack | undefined;
  afterEach(async () => {
    await s?.runner.stop();
    await s?.services.dispose();
    s = undefined;
  });

  it('reminds the new approver and the one who did not answer, never the one who forwarded it', async () => {
    s = await stack();
    const record = await request(s);
    addOskar(s.services);
    s.clock.advance(2 * HOUR);
    const forwarded = await s.services.accessRequests.forward(OLGA_CALLER, record.id, { to: OSKAR, comment: 'Oskar runs the wiki now' });
    expect(forwarded.kind).toBe('forwarded');
    await s.runner.settleDue();
    expect(approvalCardsTo(s.services, OSKAR)).toHaveLength(1);

    s.clock.advance(22 * HOUR);
    await s.runner.settleDue();
    expect(remindedTo(s.services).sort()).toEqual([OSKAR, OTTO].sort());

    // Forwarded back: Olga is asked again and reminded; Oskar, who handed it on, is not.
    const back = await s.services.accessRequests.forward(OSKAR_CALLER, record.id, { to: OLGA, comment: 'Not mine after all' });
    expect(back.kind).toBe('forwarded');
    s.clock.advance(24 * HOUR);
    await s.runner.settleDue();
    expect(remindedTo(s.services).slice(2).sort()).toEqual([OLGA, OTTO].sort());
  });
});

describeOnEachBackend('Forward to… racing a decision', (backend) => {
  let instances: Stack[] = [];
  afterEach(async () => {
    await Promise.all(instances.map((i) => i.runner.stop()));
    await Promise.all(instances.map((i) => i.services.dispose()));
    instances = [];
  });

  /** Both clicks read the request and ask Graph for its approvers before either writes, so their compare-and-sets collide. */
  function collide(all: Stack[]): void {
    let arrived = 0;
    let release: () => void = () => undefined;
    const together = new Promise<void>((resolve) => (release = resolve));
    for (const { services } of all) {
      const real = services.appDirectory.listOwners.bind(services.appDirectory);
      services.appDirectory.listOwners = async (id: string) => {
        arrived += 1;
        if (arrived >= 2) release();
        await together;
        return real(id);
      };
    }
  }

  for (const order of ['forward first', 'approve first'] as const) {
    it(`ends in one consistent state when one approver forwards as another approves (${order})`, async () => {
      const clock = new TestClock({ frozen: true, start: START });
      const store = await backend.freshOptions();
      const count = backend.multiInstance ? 2 : 1;
      for (let i = 0; i < count; i += 1) instances.push(await stack({ clock, store }));
      const first = instances[0]!;
      const second = instances.at(-1)!;
      const record = await request(first);
      for (const i of instances) addOskar(i.services);
      collide(instances);

      const forward = () => first.services.accessRequests.forward(OLGA_CALLER, record.id, { to: OSKAR, comment: 'Oskar knows Ana' });
      const approve = () => second.services.accessRequests.approve(OTTO_CALLER, record.id, 'Fine');
      const [forwarded, approved] = order === 'forward first' ? await Promise.all([forward(), approve()]) : (await Promise.all([approve(), forward()])).reverse();
      await Promise.all(instances.map((i) => i.runner.settleDue()));
      await Promise.all(instances.map((i) => i.runner.settleDue()));

      // The decision always lands: it loses only to a change that decided nothing, and then decides again.
      expect(approved?.kind).toBe('decided');
      const final = await first.services.accessRequests.get(record.id);
      expect(final?.state).toBe('granted');
      expect(final?.decidedBy).toBe(OTTO);
      const audit = await first.services.store.audit.list({ limit: 100 });
      expect(audit.filter((e) => e.action === 'access.approve' && e.outcome === 'success')).toHaveLength(1);
      const forwardRows = audit.filter((e) => e.action === 'access.forward' && e.outcome === 'success');
      if (forwarded?.kind === 'forwarded') {
        expect(final?.forwards?.map((f) => f.to)).toEqual([OSKAR]);
        expect(forwardRows).toHaveLength(1);
      } else {
        // Lost to the decision: nothing recorded, nobody asked.
        expect(forwarded?.kind).toBe('current');
        expect(final?.forwards ?? []).toEqual([]);
        expect(forwardRows).toHaveLength(0);
      }
      // Whatever Oskar got shows the final state now: no card of his can still be decided.
      for (const i of instances) {
        for (const card of approvalCardsTo(i.services, OSKAR)) {
          const latest = i.services.notifier.updates.filter((u) => u.activityId === card.activityId).at(-1)?.message ?? card.message;
          expect(verbsOf(latest.card?.content)).not.toContain('access.approve');
        }
      }
      // The requester hears of the forward only if it happened before the decision, and then of the decision as well.
      const toRequester = instances.flatMap((i) => i.services.notifier.sent.filter((m) => m.to === `personal:${REQUESTER.aadObjectId}`).map((m) => cardText(m.message.card?.content)));
      expect(toRequester.some((t) => /Granted/.test(t))).toBe(true);
    });
  }
});
