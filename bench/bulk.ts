import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HttpFileDownloads } from '../bot/adapters/teamsFileDownloads';
import type { Config } from '../bot/config';
import { createGraphClient, createGraphCredential } from '../bot/graph/client';
import { GraphInvitations } from '../bot/graph/graphInvitations';
import type { Caller } from '../bot/identity/caller';
import { JobQueue, JobRunner, Jobs } from '../bot/jobs';
import { bulkInviteJob } from '../bot/jobs/bulkInvite.job';
import { createLogger } from '../bot/logger';
import { BulkInvitationService } from '../bot/services/bulk/bulkRuns';
import type { Notifier, OutgoingMessage, SentMessage } from '../bot/services/ports';
import { openStore } from '../bot/store';
import type { RunningSandbox } from '../sandbox/server';

/** The figures of one bulk run, as the bench's bulk rows print them. */
export interface BulkFigures {
  rows: number;
  perMinute: number;
  /** Invitations per minute between the first and the last POST that Graph accepted, as a share of `perMinute`. */
  paceShare: number;
  /** Rows that ended without an outcome, or whose partner Graph does not have. */
  lost: number;
  /** Addresses with more than one guest, or invited twice by the run. */
  doubled: number;
  throttled: number;
  /** Progress-card updates per second of the run, and the most in any one second. */
  updatesPerSecond: number;
  maxUpdatesInASecond: number;
  seconds: number;
}

const ADMIN: Caller = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', tenantId: '', teamsUserId: '29:bench', name: 'Adele Vance', roles: ['admin'] };

/** Counts the progress-card updates a run makes, with their times; sending always lands (a card with an activity id). */
class CountingNotifier implements Notifier {
  readonly updates: number[] = [];
  private next = 1;
  async sendToUser(): Promise<SentMessage> {
    return { reference: {}, activityId: `bench-${this.next++}` };
  }
  async sendToConversation(): Promise<SentMessage> {
    return { reference: {}, activityId: `bench-${this.next++}` };
  }
  async update(sent: SentMessage, _message: OutgoingMessage): Promise<SentMessage> {
    this.updates.push(performance.now());
    return sent;
  }
}

/**
 * The bot's own bulk path in this process (service, job runner with the default JOB_POLL_MS of 2 s, SQLite store, Graph
 * client and retry handler) against the sandbox, so the run is timed without the Teams side. `stopAfter` trips the
 * sandbox's anti-abuse block after that many invitations and reports how long the run took to stop once it was hit.
 */
export async function benchBulkRun(
  sandbox: RunningSandbox,
  options: { rows: number; perMinute: number; throttledShare: number; prefix: string; stopAfter?: number },
): Promise<BulkFigures & { stopMs?: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-bench-bulk-'));
  const store = await openStore({ dataDir });
  const graphSettings: Config['graph'] = {
    baseUrl: sandbox.url,
    loginBaseUrl: sandbox.url,
    customAuthority: true,
    credential: { kind: 'secret', tenantId: sandbox.tenantId, clientId: '2b1ad4c3-8f5e-4c6a-9d7b-0e3f1a2b5c8d', clientSecret: 'sandbox-secret' },
  };
  const graph = createGraphClient(graphSettings, createGraphCredential(graphSettings));
  const invitations = new GraphInvitations(graph);
  let abuseAt: number | undefined;
  const directory = Object.assign(Object.create(invitations) as GraphInvitations, {
    invite: async (request: Parameters<GraphInvitations['invite']>[0]) => {
      try {
        return await invitations.invite(request);
      } catch (error) {
        abuseAt ??= performance.now();
        throw error;
      }
    },
  });
  const notifier = new CountingNotifier();
  const jobs = new Jobs(new JobQueue(store.db));
  const log = createLogger('silent');
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
      adminGroupId: sandbox.state.roles.adminGroupId,
      perMinute: options.perMinute,
      approvalThreshold: options.rows + 1,
      maxRows: options.rows,
      progressIntervalMs: 1000,
      linkSecret: 'bench-secret-bench-secret-bench-secret',
      linkLifetimeMs: 3600_000,
    },
    messages: { progress: () => ({ card: { contentType: 'bench/progress' } }), approval: () => ({ card: { contentType: 'bench/approval' } }) },
    log,
  });
  const runner = new JobRunner(jobs.queue, [bulkInviteJob(bulk)], log, { pollMs: 2000 });
  jobs.attach(runner);
  sandbox.setInvitations(options.stopAfter !== undefined ? { abuseBlockAfter: options.stopAfter } : {});
  sandbox.setFaults(
    options.throttledShare > 0 ? [{ method: 'POST', pathPattern: '^/v1\\.0/invitations', status: 429, retryAfterSeconds: 0.05, probability: options.throttledShare }] : [],
  );
  sandbox.resetStats();
  runner.start();
  const addresses = Array.from({ length: options.rows }, (_, i) => `${options.prefix}${String(i).padStart(5, '0')}@fabrikam.com`);
  let stoppedAt: number | undefined;
  try {
    const created = await bulk.create(ADMIN, addresses.map((input) => ({ input })));
    if (!created.ok) throw new Error(created.problem);
    const started = performance.now();
    await bulk.start(ADMIN, created.view.id);
    for (;;) {
      const view = await bulk.view(created.view.id);
      if (view && view.state !== 'running') {
        stoppedAt = performance.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, options.stopAfter !== undefined ? 2 : 100));
    }
    await runner.stop();
    const seconds = ((stoppedAt ?? performance.now()) - started) / 1000;
    const view = await bulk.view(created.view.id);
    const stats = sandbox.stats();
    const accepted = stats.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1.0/invitations') && r.status === 201);
    const guests = [...sandbox.state.users.values()].filter((u) => (u.mail ?? '').startsWith(options.prefix));
    const perAddress = new Map<string, number>();
    for (const guest of guests) perAddress.set(guest.mail ?? '', (perAddress.get(guest.mail ?? '') ?? 0) + 1);
    const rows = await store.bulkRuns.rows(created.view.id);
    const open = rows.filter((r) => r.state === 'pending' || r.state === 'inviting').length;
    const invitedWithoutGuest = rows.filter((r) => r.state === 'invited' && !perAddress.has(r.email ?? '')).length;
    const times = notifier.updates;
    let most = 0;
    for (const t of times) most = Math.max(most, times.filter((u) => u >= t && u < t + 1000).length);
    return {
      rows: options.rows,
      perMinute: options.perMinute,
      paceShare: paceOf(view?.counts.invited ?? 0, seconds) / options.perMinute,
      lost: open + invitedWithoutGuest,
      doubled: [...perAddress.values()].filter((n) => n > 1).length + Math.max(0, accepted.length - guests.length),
      throttled: stats.faultsInjected,
      updatesPerSecond: times.length / Math.max(seconds, 1e-3),
      maxUpdatesInASecond: most,
      seconds,
      ...(abuseAt !== undefined && stoppedAt !== undefined ? { stopMs: stoppedAt - abuseAt } : {}),
    };
  } finally {
    await runner.stop();
    sandbox.setFaults([]);
    sandbox.setInvitations({});
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function paceOf(invited: number, seconds: number): number {
  return seconds > 0 ? (invited * 60) / seconds : Number.NaN;
}
