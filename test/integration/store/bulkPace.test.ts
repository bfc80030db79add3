import { HttpFileDownloads } from '../../../bot/adapters/teamsFileDownloads';
import type { InvitationRequest, InvitationResponse } from '../../../bot/graph/graphInvitations';
import type { Caller } from '../../../bot/identity/caller';
import { JobQueue, JobRunner, Jobs } from '../../../bot/jobs';
import { bulkInviteJob } from '../../../bot/jobs/bulkInvite.job';
import { createLogger } from '../../../bot/logger';
import { BulkInvitationService, type BulkMessages } from '../../../bot/services/bulk/bulkRuns';
import { openStore, type Store } from '../../../bot/store';
import { InMemoryInvitationDirectory } from '../../helpers/inMemoryInvitations';
import { sqliteBackend } from '../../helpers/storeBackends';
import { InMemoryNotifier } from '../../helpers/testServices';

/**
 * The bulk pace through the real job runner, on a fake clock: every timer and `Date` is jest's, so the figures are the
 * times the code asked for (scheduled-at gaps), not how fast a loaded machine happened to run it. Each "POST /invitations"
 * takes 15 ms of fake time and reading the next row 5 ms, so overhead that the pace loses on every row shows.
 */
const admin: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:a', name: 'Ada Admin', roles: ['admin'] };
const messages: BulkMessages = {
  progress: () => ({ card: { contentType: 'test/progress' } }),
  approval: () => ({ card: { contentType: 'test/approval' } }),
};

const POST_MS = 15;
const LOOKUP_MS = 5;
/** How far the fake clock moves at a time; jest fires every timer due inside a tick at its own time. */
const TICK_MS = 20;

class SlowFakeDirectory extends InMemoryInvitationDirectory {
  readonly at: number[] = [];
  override async findByEmail(email: string) {
    await new Promise((resolve) => setTimeout(resolve, LOOKUP_MS));
    return super.findByEmail(email);
  }
  override async invite(request: InvitationRequest): Promise<InvitationResponse> {
    this.at.push(Date.now());
    await new Promise((resolve) => setTimeout(resolve, POST_MS));
    return super.invite(request);
  }
}

const backend = sqliteBackend();
let store: Store | undefined;

afterEach(async () => {
  jest.useRealTimers();
  await store?.close();
  store = undefined;
  backend.removeTempDirs();
});

/** Runs `rows` invitations at `perMinute` with the default 2 s poll, and returns the POST times and progress-card updates. */
async function pacedRun(perMinute: number, rows: number): Promise<{ at: number[]; updates: number[]; invited: number }> {
  store = await openStore(await backend.freshOptions());
  jest.useFakeTimers({ now: new Date('2026-12-02T10:00:00.000Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  const directory = new SlowFakeDirectory();
  const notifier = new InMemoryNotifier();
  const updates: number[] = [];
  const update = notifier.update.bind(notifier);
  notifier.update = async (sent, message) => {
    updates.push(Date.now());
    return update(sent, message);
  };
  const jobs = new Jobs(new JobQueue(store.db));
  const bulk = new BulkInvitationService({
    store,
    directory,
    notifier,
    jobs,
    files: new HttpFileDownloads(),
    settings: {
      redirectUrl: 'https://myapps.microsoft.com',
      allowDomains: [],
      blockDomains: [],
      adminGroupId: 'admins',
      perMinute,
      approvalThreshold: 1000,
      maxRows: 1000,
      progressIntervalMs: 1000,
      linkSecret: 'test-secret-test-secret-test-secret',
      linkLifetimeMs: 3600_000,
    },
    messages,
  });
  const runner = new JobRunner(jobs.queue, [bulkInviteJob(bulk)], createLogger('silent'), { pollMs: 2000 });
  jobs.attach(runner);
  runner.start();
  try {
    const created = await bulk.create(admin, Array.from({ length: rows }, (_, i) => ({ input: `p${i}@fabrikam.com` })));
    if (!created.ok) throw new Error(created.problem);
    expect((await bulk.start(admin, created.view.id)).kind).toBe('started');
    const limit = Date.now() + 10 * rows * Math.ceil(60_000 / perMinute) + 60_000;
    for (let tick = 0; ; tick += 1) {
      if (tick % 50 === 0) {
        const view = await bulk.view(created.view.id);
        if (view?.state !== 'running' || Date.now() > limit) break;
      }
      await jest.advanceTimersByTimeAsync(TICK_MS);
    }
    const view = await bulk.view(created.view.id);
    return { at: directory.at, updates, invited: view?.counts.invited ?? 0 };
  } finally {
    await runner.stop();
  }
}

function achievedShare(at: number[], perMinute: number): number {
  const first = at[0] ?? 0;
  const last = at.at(-1) ?? 0;
  const achievedPerMinute = ((at.length - 1) * 60_000) / Math.max(1, last - first);
  return achievedPerMinute / perMinute;
}

function minGap(times: number[]): number {
  return Math.min(Infinity, ...times.slice(1).map((t, i) => t - (times[i] ?? t)));
}

describe('bulk pace through the job runner (fake clock)', () => {
  it.each([
    [60, 12],
    [600, 40],
  ])('achieves at least 0.95 of %i a minute over %i rows, with at most one progress update a second', async (perMinute, rows) => {
    const { at, updates, invited } = await pacedRun(perMinute, rows);
    expect(invited).toBe(rows);
    expect(at).toHaveLength(rows);
    const share = achievedShare(at, perMinute);
    console.log(`bulk pace at ${perMinute}/min over ${rows} rows (fake clock): ${share.toFixed(3)} of the configured pace, ${updates.length} progress updates`);
    expect(share).toBeGreaterThanOrEqual(0.95);
    // Never faster than configured either: the tenant-wide budget holds.
    expect(share).toBeLessThanOrEqual(1.02);
    // At most one update a second while the run goes; the final state (forced) may follow the last one at once.
    expect(minGap(updates.slice(0, -1))).toBeGreaterThanOrEqual(1000);
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(((at.at(-1) ?? 0) - (at[0] ?? 0)) / 1000) + 2);
  }, 120_000);
});
