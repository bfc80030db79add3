import type { InvitationRequest, InvitationResponse } from '../../../bot/graph/graphInvitations';
import { HttpFileDownloads } from '../../../bot/adapters/teamsFileDownloads';
import type { Caller } from '../../../bot/identity/caller';
import { JobQueue, Jobs } from '../../../bot/jobs';
import { BulkInvitationService, type BulkMessages } from '../../../bot/services/bulk/bulkRuns';
import { openStore, type Store, type StoreWarning } from '../../../bot/store';
import { InMemoryInvitationDirectory } from '../../helpers/inMemoryInvitations';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';
import { InMemoryNotifier } from '../../helpers/testServices';

const admin: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:a', name: 'Ada Admin', roles: ['admin'] };
const messages: BulkMessages = {
  progress: () => ({ card: { contentType: 'test/progress' } }),
  approval: () => ({ card: { contentType: 'test/approval' } }),
};

/** Records when each POST /invitations happened, across every run that shares it. */
class TimedDirectory extends InMemoryInvitationDirectory {
  readonly at: number[] = [];
  override async invite(request: InvitationRequest): Promise<InvitationResponse> {
    this.at.push(Date.now());
    return super.invite(request);
  }
}

function bulkContract(backend: () => Backend): void {
  let stores: Store[] = [];
  let warnings: StoreWarning[] = [];

  async function open(options?: Awaited<ReturnType<Backend['freshOptions']>>): Promise<Store> {
    const store = await openStore({ ...(options ?? (await backend().freshOptions())), onWarning: (w) => warnings.push(w) });
    stores.push(store);
    return store;
  }

  function service(store: Store, directory: InMemoryInvitationDirectory, perMinute: number): BulkInvitationService {
    return new BulkInvitationService({
      store,
      directory,
      notifier: new InMemoryNotifier(),
      jobs: new Jobs(new JobQueue(store.db)),
      files: new HttpFileDownloads(),
      settings: {
        redirectUrl: 'https://myapps.microsoft.com',
        allowDomains: [],
        blockDomains: [],
        adminGroupId: 'admins',
        perMinute,
        approvalThreshold: 50,
        maxRows: 100,
        progressIntervalMs: 1000,
        linkSecret: 'test-secret-test-secret-test-secret',
        linkLifetimeMs: 3600_000,
      },
      messages,
    });
  }

  async function startedRun(bulk: BulkInvitationService, prefix: string, rows: number): Promise<string> {
    const created = await bulk.create(admin, Array.from({ length: rows }, (_, i) => ({ input: `${prefix}${i}@fabrikam.com` })));
    if (!created.ok) throw new Error(created.problem);
    expect((await bulk.start(admin, created.view.id)).kind).toBe('started');
    return created.view.id;
  }

  /** Steps a run until it is done, honouring the times it asks to continue at, as the job runner would. */
  async function drive(bulk: BulkInvitationService, id: string): Promise<void> {
    for (let i = 0; i < 200; i += 1) {
      const outcome = await bulk.step(id);
      if (outcome.status === 'done') return;
      if (outcome.status === 'retry') throw new Error(outcome.error);
      const wait = outcome.runAt.getTime() - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    throw new Error(`run ${id} did not finish`);
  }

  beforeEach(() => {
    warnings = [];
  });

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    stores = [];
  });

  it('paces two concurrent runs together within the configured rate, not each at it', async () => {
    // 600 a minute: one invitation per 100 ms for the tenant. On PostgreSQL the runs are on two instances (two stores).
    const options = await backend().freshOptions();
    const first = await open(options);
    const second = backend().multiInstance ? await open(options) : first;
    const directory = new TimedDirectory();
    const a = service(first, directory, 600);
    const b = service(second, directory, 600);
    const runA = await startedRun(a, 'a', 5);
    const runB = await startedRun(b, 'b', 5);
    await Promise.all([drive(a, runA), drive(b, runB)]);

    expect(directory.invitations).toHaveLength(10);
    const gaps = directory.at.slice(1).map((t, i) => t - (directory.at[i] ?? t));
    // A slot taken late by up to half an interval counts from its own time, so two slots are at least half an interval
    // apart (POSTs a few milliseconds less, the time between taking the slot and posting), and n slots n intervals.
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(40);
    expect((directory.at.at(-1) ?? 0) - (directory.at[0] ?? 0)).toBeGreaterThanOrEqual(9 * 100 - 40);
    expect((await a.view(runA))?.counts.invited).toBe(5);
    expect((await b.view(runB))?.counts.invited).toBe(5);
  }, 30_000);

  it('grants each slot of the shared budget to exactly one of several racing takers', async () => {
    const options = await backend().freshOptions();
    const instances = backend().multiInstance ? 3 : 1;
    for (let i = 0; i < instances; i += 1) await open(options);
    const start = new Date('2026-12-02T10:00:00.000Z');
    let granted = 0;
    // Ten instants 50 ms apart against a 100 ms interval: only every other instant has a free slot.
    for (let tick = 0; tick < 10; tick += 1) {
      const now = new Date(start.getTime() + tick * 50);
      const claims = await Promise.all(stores.flatMap((store) => [1, 2].map(() => store.pacing.tryTake('invitations', 100, now))));
      const winners = claims.filter((c) => c.granted).length;
      expect(winners).toBe(tick % 2 === 0 ? 1 : 0);
      granted += winners;
      for (const claim of claims) if (!claim.granted) expect(claim.nextAt.getTime()).toBeGreaterThan(now.getTime());
    }
    expect(granted).toBe(5);
  });

  it('reads a run with corrupt JSON and an unknown state, warning instead of failing the turn', async () => {
    const store = await open();
    const bulk = service(store, new InMemoryInvitationDirectory(), 600);
    const created = await bulk.create(admin, [{ input: 'x@fabrikam.com' }]);
    if (!created.ok) throw new Error(created.problem);
    const id = created.view.id;
    await store.db.updateTable('bulk_invite_run').set({ state: 'exploded', progress_message: '{not json', approval_messages: '[{"activityId":1}]' }).where('id', '=', id).execute();
    await store.db.updateTable('bulk_invite_row').set({ state: 'weird' }).where('run_id', '=', id).execute();

    const run = await store.bulkRuns.get(id);
    expect(run).toMatchObject({ state: 'stopped', approvalMessages: [] });
    expect(run?.progressMessage).toBeUndefined();
    expect((await bulk.view(id))?.counts).toMatchObject({ total: 1, failed: 1, pending: 0 });
    expect(await bulk.step(id)).toEqual({ status: 'done' });
    const keys = warnings.map((w) => (w.kind === 'corrupt-row' ? `${w.table}:${w.key}` : w.kind));
    expect(keys).toEqual(expect.arrayContaining([`bulk_invite_run:${id}.state`, `bulk_invite_run:${id}.progress_message`, `bulk_invite_run:${id}.approval_messages`, `bulk_invite_row:${id}.state`]));
  });

  it('moves a run by compare-and-set: of two transitions from the same version, one wins', async () => {
    const store = await open();
    const bulk = service(store, new InMemoryInvitationDirectory(), 600);
    const created = await bulk.create(admin, [{ input: 'y@fabrikam.com' }]);
    if (!created.ok) throw new Error(created.problem);
    const run = await store.bulkRuns.get(created.view.id);
    if (!run) throw new Error('no run');
    const now = new Date();
    const results = await Promise.all([store.bulkRuns.transition(run, 'running', {}, now), store.bulkRuns.transition(run, 'cancelled', {}, now)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.bulkRuns.get(run.id))?.version).toBe(run.version + 1);
  });

  it('purges expired dedupe claims and old drafts, and keeps the rest', async () => {
    const store = await open();
    const bulk = service(store, new InMemoryInvitationDirectory(), 600);
    expect(await store.dedupe.claim('old', 1)).toBe(true);
    expect(await store.dedupe.claim('live', 3600)).toBe(true);
    const draft = await bulk.create(admin, [{ input: 'd@fabrikam.com' }]);
    const started = await bulk.create(admin, [{ input: 's@fabrikam.com' }]);
    if (!draft.ok || !started.ok) throw new Error('not created');
    expect((await bulk.start(admin, started.view.id)).kind).toBe('started');
    const at = new Date().toISOString();
    await store.db
      .insertInto('invitation')
      .values({ id: 'inv-draft', state: 'draft', email: 'i@fabrikam.com', requester_id: admin.aadObjectId, requester_name: admin.name, options: '{}', decided_by: null, decided_by_name: null, result: null, approval_messages: null, version: 0, created_at: at, updated_at: at })
      .execute();

    // Two seconds on, with drafts kept one second: the short claim and both drafts have expired; the live claim and the started run stay.
    const counts = await store.purgeExpired(new Date(Date.now() + 2000), 1000);
    expect(counts).toEqual({ dedupeKeys: 1, invitationDrafts: 1, bulkDrafts: 1, confirmations: 0 });
    expect(await store.bulkRuns.get(draft.view.id)).toBeUndefined();
    expect(await store.db.selectFrom('bulk_invite_row').select('idx').where('run_id', '=', draft.view.id).execute()).toEqual([]);
    expect((await store.bulkRuns.get(started.view.id))?.state).toBe('running');
    expect(await store.dedupe.claim('live', 3600)).toBe(false);
    expect(await store.purgeExpired(new Date(Date.now() + 2000), 1000)).toEqual({ dedupeKeys: 0, invitationDrafts: 0, bulkDrafts: 0, confirmations: 0 });
  });
}

describeOnEachBackend('bulk runs', (backend: Backend) => bulkContract(() => backend));
