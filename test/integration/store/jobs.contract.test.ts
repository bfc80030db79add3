import { z } from 'zod';
import { JobQueue } from '../../../bot/jobs/jobQueue';
import { defineJob, JobRunner, type JobOutcome } from '../../../bot/jobs/jobRunner';
import { createLogger } from '../../../bot/logger';
import { openStore, type Store } from '../../../bot/store';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

const log = createLogger('silent');

function jobsContract(backend: () => Backend): void {
  let stores: Store[] = [];
  let clock: Date;
  const now = () => clock;

  async function open(): Promise<Store> {
    const store = await openStore(await backend().freshOptions());
    stores.push(store);
    return store;
  }

  beforeEach(() => {
    clock = new Date('2026-11-23T10:00:00.000Z');
  });

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it('enqueues once per unique key', async () => {
    const queue = new JobQueue((await open()).db, now);
    const first = await queue.enqueue({ kind: 'k', payload: { n: 1 }, uniqueKey: 'bulk:1' });
    const second = await queue.enqueue({ kind: 'k', payload: { n: 2 }, uniqueKey: 'bulk:1' });
    expect(second.id).toBe(first.id);
    expect(second.payload).toEqual({ n: 1 });
    expect(await queue.list({ kind: 'k' })).toHaveLength(1);
  });

  it('claims only due jobs of the kinds asked for', async () => {
    const queue = new JobQueue((await open()).db, now);
    await queue.enqueue({ kind: 'later', payload: null, runAt: new Date(clock.getTime() + 60_000) });
    await queue.enqueue({ kind: 'other', payload: null });
    expect(await queue.claimNext('a', 1000, ['later'])).toBeUndefined();
    clock = new Date(clock.getTime() + 60_000);
    expect(await queue.claimNext('a', 1000, ['later'])).toMatchObject({ kind: 'later', state: 'running', attempts: 1 });
  });

  it('lets exactly one of several concurrent claimers take a job', async () => {
    const options = await backend().freshOptions();
    const instances = backend().multiInstance ? 3 : 1;
    const opened = [];
    for (let i = 0; i < instances; i += 1) opened.push(await openStore(options));
    stores.push(...opened);
    const queues = opened.map((store) => new JobQueue(store.db, now));
    const job = await queues[0]!.enqueue({ kind: 'k', payload: null });
    const claims = await Promise.all(queues.flatMap((q, i) => [1, 2, 3].map((n) => q.claimNext(`owner-${i}-${n}`, 1000, ['k']))));
    expect(claims.filter((c) => c?.id === job.id)).toHaveLength(1);
  });

  it('takes over a job whose lease expired, and the old owner can no longer settle it', async () => {
    const queue = new JobQueue((await open()).db, now);
    await queue.enqueue({ kind: 'k', payload: null });
    const first = await queue.claimNext('crashed', 1000, ['k']);
    expect(first).toBeDefined();
    expect(await queue.claimNext('second', 1000, ['k'])).toBeUndefined();
    clock = new Date(clock.getTime() + 1001);
    const second = await queue.claimNext('second', 1000, ['k']);
    expect(second).toMatchObject({ id: first?.id, attempts: 2 });
    if (!first || !second) return;
    expect(await queue.settle(first, 'crashed', { state: 'succeeded' })).toBe(false);
    expect(await queue.settle(second, 'second', { state: 'succeeded' })).toBe(true);
    expect((await queue.get(first.id))?.state).toBe('succeeded');
  });

  it('runs a multi-step job to the end, saving progress between steps', async () => {
    const queue = new JobQueue((await open()).db, now);
    const seen: number[] = [];
    const counter = defineJob({
      kind: 'count',
      payload: z.object({ next: z.number(), until: z.number() }),
      async step(job): Promise<JobOutcome<{ next: number; until: number }>> {
        seen.push(job.payload.next);
        const next = job.payload.next + 1;
        return next > job.payload.until ? { status: 'done' } : { status: 'continue', payload: { ...job.payload, next } };
      },
    });
    const runner = new JobRunner(queue, [counter], log, { now });
    const job = await queue.enqueue({ kind: 'count', payload: { next: 1, until: 4 } });
    expect(await runner.runDue()).toBe(4);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(await queue.get(job.id)).toMatchObject({ state: 'succeeded', payload: { next: 4, until: 4 } });
  });

  it('retries a throwing step with back-off, then fails it and reports once', async () => {
    const queue = new JobQueue((await open()).db, now);
    const failures: string[] = [];
    const flaky = defineJob({
      kind: 'flaky',
      payload: z.null(),
      async step(): Promise<JobOutcome<null>> {
        throw new Error('LDAP server unavailable');
      },
      async onFailed(_job, error) {
        failures.push(error);
      },
    });
    const runner = new JobRunner(queue, [flaky], log, { now, backoffMs: (n) => n * 1000 });
    const job = await queue.enqueue({ kind: 'flaky', payload: null, maxAttempts: 3 });
    expect(await runner.runDue()).toBe(1);
    expect(await queue.get(job.id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'LDAP server unavailable' });
    expect(await runner.runDue()).toBe(0);
    clock = new Date(clock.getTime() + 1000);
    await runner.runDue();
    clock = new Date(clock.getTime() + 2000);
    await runner.runDue();
    expect(await queue.get(job.id)).toMatchObject({ state: 'failed', attempts: 3 });
    expect(failures).toEqual(['LDAP server unavailable (gave up after 3 attempts)']);
  });

  it('fails a job whose saved payload no longer parses, without running it', async () => {
    const queue = new JobQueue((await open()).db, now);
    let ran = false;
    const strict = defineJob({
      kind: 'strict',
      payload: z.object({ id: z.string() }),
      async step() {
        ran = true;
        return { status: 'done' };
      },
    });
    const job = await queue.enqueue({ kind: 'strict', payload: { id: 42 } });
    await new JobRunner(queue, [strict], log, { now }).runDue();
    expect(ran).toBe(false);
    expect((await queue.get(job.id))?.state).toBe('failed');
  });

  it('runs a self-rescheduling job at its own times, not a poll period later, and each step once across instances', async () => {
    const options = await backend().freshOptions();
    const instances = backend().multiInstance ? 3 : 1;
    const opened = [];
    for (let i = 0; i < instances; i += 1) opened.push(await openStore(options));
    stores.push(...opened);
    const GAP_MS = 40;
    const STEPS = 12;
    const ran: number[] = [];
    const paced = defineJob({
      kind: 'paced',
      payload: z.object({ next: z.number() }),
      async step(job): Promise<JobOutcome<{ next: number }>> {
        ran.push(job.payload.next);
        const next = job.payload.next + 1;
        return next > STEPS ? { status: 'done' } : { status: 'continue', payload: { next }, runAt: new Date(Date.now() + GAP_MS) };
      },
    });
    // A poll period far longer than the test: only waking at the job's own time can finish it.
    const runners = opened.map((store, i) => new JobRunner(new JobQueue(store.db), [paced], log, { owner: `runner-${i}`, pollMs: 600_000 }));
    const queue = new JobQueue(opened[0]!.db);
    const job = await queue.enqueue({ kind: 'paced', payload: { next: 1 } });
    for (const runner of runners) runner.start();
    try {
      const deadline = Date.now() + 60_000;
      while ((await queue.get(job.id))?.state !== 'succeeded' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await Promise.all(runners.map((runner) => runner.stop()));
    }
    expect({ state: (await queue.get(job.id))?.state, ran }).toEqual({ state: 'succeeded', ran: Array.from({ length: STEPS }, (_, i) => i + 1) });
  }, 90_000);

  it('renews the lease of a step slower than the lease, so a second runner never claims it while it runs', async () => {
    const options = await backend().freshOptions();
    const opened = backend().multiInstance ? [await openStore(options), await openStore(options)] : [await openStore(options)];
    stores.push(...opened);
    const LEASE_MS = 1000;
    let runs = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const slow = defineJob({
      kind: 'slow',
      payload: z.null(),
      async step(): Promise<JobOutcome<null>> {
        runs += 1;
        await finished;
        return { status: 'done' };
      },
    });
    const queueOf = (i: number) => new JobQueue((opened[i] ?? opened[0]!).db);
    const first = new JobRunner(queueOf(0), [slow], log, { owner: 'first', leaseMs: LEASE_MS });
    const job = await queueOf(0).enqueue({ kind: 'slow', payload: null });
    const running = first.runDue(1);
    // Three lease periods, looking every quarter of one: without renewal the second runner claims it after the first.
    const claimedBySecond: string[] = [];
    for (let look = 0; look < 12; look += 1) {
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 4));
      const claimed = await queueOf(1).claimNext('second', LEASE_MS, ['slow']);
      if (claimed) claimedBySecond.push(`${claimed.id} at look ${look}`);
    }
    finish();
    await running;
    expect({ runs, claimedBySecond, state: (await queueOf(0).get(job.id))?.state }).toEqual({ runs: 1, claimedBySecond: [], state: 'succeeded' });
  }, 30_000);

  it('cancels a pending job so it never runs', async () => {
    const queue = new JobQueue((await open()).db, now);
    const job = await queue.enqueue({ kind: 'k', payload: null });
    expect(await queue.cancel(job.id)).toBe(true);
    expect(await queue.claimNext('a', 1000, ['k'])).toBeUndefined();
    expect(await queue.cancel(job.id)).toBe(false);
  });
}

describeOnEachBackend('jobs', (backend: Backend) => jobsContract(() => backend));
