import { JobQueue, JobRunner, Jobs } from '../../../bot/jobs';
import { HOUSEKEEPING_UNIQUE_KEY, housekeepingJob, scheduleHousekeeping } from '../../../bot/jobs/housekeeping.job';
import { createLogger } from '../../../bot/logger';
import { openStore, type PurgeCounts, type Store } from '../../../bot/store';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

const log = createLogger('silent');
const HOUR = 60 * 60_000;

function housekeepingContract(backend: () => Backend): void {
  let stores: Store[] = [];
  let clock: Date;
  const now = () => clock;

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  beforeEach(() => {
    clock = new Date();
  });

  it('is one job however many instances schedule it, purges when due, and comes back an interval later', async () => {
    const options = await backend().freshOptions();
    const instances = backend().multiInstance ? 2 : 1;
    for (let i = 0; i < instances; i += 1) stores.push(await openStore(options));
    const store = stores[0]!;
    const queue = new JobQueue(store.db, now);
    await Promise.all(stores.map((s) => scheduleHousekeeping(new Jobs(new JobQueue(s.db, now)))));
    await scheduleHousekeeping(new Jobs(queue));
    expect(await queue.list({ kind: 'store.housekeeping' })).toHaveLength(1);

    expect(await store.dedupe.claim('expiring', 1)).toBe(true);
    const runner = new JobRunner(queue, [housekeepingJob(store, { intervalMs: HOUR, draftMaxAgeMs: 24 * HOUR, retryMs: 60_000, now })], log, { now });
    // Two seconds after the claim was made (by the real clock, as claims are), the claim has expired.
    clock = new Date(Date.now() + 2000);
    expect(await runner.runDue()).toBe(1);
    // The claim expired and was purged, so the key can be claimed again.
    expect(await store.dedupe.claim('expiring', 1)).toBe(true);

    const job = await queue.findByUniqueKey(HOUSEKEEPING_UNIQUE_KEY);
    expect(job).toMatchObject({ state: 'pending' });
    expect(job?.runAt.getTime()).toBe(clock.getTime() + HOUR);
    expect(await runner.runDue()).toBe(0);
    clock = new Date(clock.getTime() + HOUR);
    expect(await runner.runDue()).toBe(1);
  });

  it('survives a failing purge and tries again soon instead of failing for good', async () => {
    const store = await openStore(await backend().freshOptions());
    stores.push(store);
    const queue = new JobQueue(store.db, now);
    await scheduleHousekeeping(new Jobs(queue));
    let calls = 0;
    const flaky = {
      purgeExpired(at: Date, draftMaxAgeMs: number): Promise<PurgeCounts> {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('database unavailable')) : store.purgeExpired(at, draftMaxAgeMs);
      },
    };
    const runner = new JobRunner(queue, [housekeepingJob(flaky, { intervalMs: HOUR, draftMaxAgeMs: HOUR, retryMs: 60_000, now })], log, { now });
    expect(await runner.runDue()).toBe(1);
    const job = await queue.findByUniqueKey(HOUSEKEEPING_UNIQUE_KEY);
    expect(job).toMatchObject({ state: 'pending' });
    expect(job?.runAt.getTime()).toBe(clock.getTime() + 60_000);
    clock = new Date(clock.getTime() + 60_000);
    expect(await runner.runDue()).toBe(1);
    expect(calls).toBe(2);
  });
}

describeOnEachBackend('housekeeping', (backend: Backend) => housekeepingContract(() => backend));
