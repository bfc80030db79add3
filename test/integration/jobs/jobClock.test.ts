import { z } from 'zod';
import { TestClock } from '../../../bot/clock';
import { defineJob, JobQueue, JobRunner } from '../../../bot/jobs';
import { createLogger } from '../../../bot/logger';
import { openStore, type Store } from '../../../bot/store';
import type { RunningSandbox } from '../../../sandbox/server';
import { startBotOn, type TestBot } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

const log = createLogger('silent');
const HOUR = 60 * 60_000;
/** Far longer than any test here waits: a job that runs did so because the clock woke its runner, not because of a poll. */
const NEVER_POLL_MS = 10 * 60_000;

function until<T>(label: string, promise: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function clockContract(backend: () => Backend): void {
  let stores: Store[] = [];
  let runners: JobRunner[] = [];

  afterEach(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await Promise.all(stores.map((s) => s.close()));
    runners = [];
    stores = [];
  });

  it('runs a job due in a day once, as soon as the clock is moved a day, with every instance listening', async () => {
    const clock = new TestClock({ frozen: true, start: new Date('2026-12-02T10:00:00.000Z') });
    const options = await backend().freshOptions();
    const instances = backend().multiInstance ? 3 : 1;
    for (let i = 0; i < instances; i += 1) stores.push(await openStore({ ...options, clock }));
    const ran: { owner: number; at: string }[] = [];
    let ranOnce!: () => void;
    const first = new Promise<void>((resolve) => (ranOnce = resolve));
    runners = stores.map(
      (store, owner) =>
        new JobRunner(
          new JobQueue(store.db, clock.now),
          [
            defineJob({
              kind: 'test.reminder',
              payload: z.object({ n: z.number() }),
              async step() {
                ran.push({ owner, at: clock.now().toISOString() });
                ranOnce();
                return { status: 'done' };
              },
            }),
          ],
          log,
          { clock, pollMs: NEVER_POLL_MS, owner: `instance-${owner}` },
        ),
    );
    for (const runner of runners) runner.start();
    // Each runner's first look (armed by start for the next timer turn) finds nothing and goes to sleep for the poll period.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all(runners.map((r) => r.settleDue()));
    const queue = new JobQueue(stores[0]!.db, clock.now);
    await queue.enqueue({ kind: 'test.reminder', payload: { n: 1 }, runAt: new Date(clock.now().getTime() + 24 * HOUR) });

    clock.advance(24 * HOUR - 1000);
    await Promise.all(runners.map((r) => r.settleDue()));
    expect(ran).toEqual([]);

    clock.advance(1000);
    await until('the job the clock made due', first);
    await Promise.all(runners.map((r) => r.settleDue()));
    expect(ran).toEqual([{ owner: expect.any(Number), at: '2026-12-03T10:00:00.000Z' }]);
    expect((await queue.list({ kind: 'test.reminder' })).map((j) => j.state)).toEqual(['succeeded']);
  });

  it("gives the store's timestamps the clock's time", async () => {
    const clock = new TestClock({ frozen: true, start: new Date('2027-01-04T08:00:00.000Z') });
    const store = await openStore({ ...(await backend().freshOptions()), clock });
    stores.push(store);
    clock.advance(72 * HOUR);
    const entry = await store.audit.append({ actor: 'system:job', action: 'test.clock', target: 'clock', outcome: 'success' });
    expect(entry.at.toISOString()).toBe('2027-01-07T08:00:00.000Z');
    const inTransaction = await store.transaction((tx) => tx.audit.append({ actor: 'system:job', action: 'test.clock', target: 'clock', outcome: 'success' }));
    expect(inTransaction.at.toISOString()).toBe('2027-01-07T08:00:00.000Z');
  });
}

describeOnEachBackend('the job clock', (backend) => clockContract(() => backend));

describe('the test clock route of a sandbox bot', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  describe('with TEST_JOB_CLOCK=on', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startBotOn(sandbox, { TEST_JOB_CLOCK: 'on', JOB_POLL_MS: String(NEVER_POLL_MS) });
    });
    afterAll(async () => {
      await bot?.close();
    });

    it('moves the clock forward and answers once the jobs it made due have run', async () => {
      const before = (await (await fetch(`${bot.bot.url}/test/clock`)).json()) as { now: string };
      const job = await bot.bot.jobs.enqueue({ kind: 'store.housekeeping', payload: {}, uniqueKey: 'test.clock.housekeeping', runAt: new Date(Date.parse(before.now) + 48 * HOUR) });
      const response = await fetch(`${bot.bot.url}/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: 48 * HOUR }) });
      expect(response.status).toBe(200);
      const moved = (await response.json()) as { now: string; steps: number };
      expect(Date.parse(moved.now) - Date.parse(before.now)).toBeGreaterThanOrEqual(48 * HOUR);
      // The housekeeping job ran its step (no poll could have: JOB_POLL_MS is ten minutes) and rescheduled itself an hour on.
      const after = await bot.bot.jobs.queue.get(job.id);
      expect(after?.state).toBe('pending');
      expect(after!.runAt.getTime()).toBeGreaterThan(Date.parse(moved.now));
    });

    it('moves to an instant, and refuses anything but a forward move it understands', async () => {
      const target = new Date(Date.now() + 400 * 86_400_000).toISOString();
      const moved = await fetch(`${bot.bot.url}/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: target }) });
      expect(moved.status).toBe(200);
      expect(Date.parse(((await moved.json()) as { now: string }).now)).toBeGreaterThanOrEqual(Date.parse(target));
      for (const body of [{ advanceMs: -1 }, { advanceMs: 1.5 }, { to: 'tomorrow' }, {}, { advanceMs: 1, to: target }]) {
        const refused = await fetch(`${bot.bot.url}/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(refused.status).toBe(400);
      }
    });
  });

  describe('without TEST_JOB_CLOCK', () => {
    let bot: TestBot;
    beforeAll(async () => {
      bot = await startBotOn(sandbox);
    });
    afterAll(async () => {
      await bot?.close();
    });

    it('has no such route', async () => {
      expect((await fetch(`${bot.bot.url}/test/clock`)).status).toBe(404);
      const post = await fetch(`${bot.bot.url}/test/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceMs: HOUR }) });
      expect(post.status).toBe(404);
    });
  });
});
