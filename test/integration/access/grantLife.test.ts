import type { Caller } from '../../../bot/identity/caller';
import { Jobs, JobQueue, JobRunner, type JobHandler } from '../../../bot/jobs';
import { accessExpiryJob } from '../../../bot/jobs/accessExpiry.job';
import { accessExpiryNoticeJob } from '../../../bot/jobs/accessExpiryNotice.job';
import { accessGrantJob, accessRequestTimeoutJob } from '../../../bot/jobs/accessRequest.job';
import { createLogger } from '../../../bot/logger';
import { accessRequestMessages } from '../../../bot/presenters/access.presenter';
import { grantLifeMessages } from '../../../bot/presenters/grantLife.presenter';
import { accessEndMessages } from '../../../bot/presenters/revoke.presenter';
import { accessExpiryKey, accessNoticeKey } from '../../../bot/services/access/schedule';
import { AccessRequestService } from '../../../bot/services/accessRequests';
import { AccessRevocationService } from '../../../bot/services/accessRevocation';
import { AppAccessService } from '../../../bot/services/appAccess';
import type { OutgoingMessage } from '../../../bot/services/ports';
import { openStore, type AccessRequestRecord, type Store, type StoreOptions } from '../../../bot/store';
import { InMemoryAppDirectory } from '../../helpers/inMemoryApps';
import { InMemoryInvitationDirectory } from '../../helpers/inMemoryInvitations';
import { describeOnEachBackend } from '../../helpers/storeBackends';
import { InMemoryNotifier, InMemoryRealmLookup } from '../../helpers/testServices';

const log = createLogger('silent');
const DAY = 86_400_000;
const START = new Date('2026-12-01T09:00:00.000Z');

const MANAGER: Caller = { aadObjectId: 'b0000000-0000-4000-8000-0000000000bb', tenantId: 't', teamsUserId: '29:manager', name: 'Max Manager', roles: ['manager'] };
const OTHER_MANAGER: Caller = { aadObjectId: 'b0000000-0000-4000-8000-0000000000cc', tenantId: 't', teamsUserId: '29:manager2', name: 'Mia Manager', roles: ['manager'] };
const OWNER: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:owner', name: 'Olga Owner', roles: [] };
const ADMIN: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000ad', tenantId: 't', teamsUserId: '29:admin', name: 'Ada Admin', roles: ['admin'] };
const SPONSOR: Caller = { aadObjectId: 'c0000000-0000-4000-8000-0000000000ee', tenantId: 't', teamsUserId: '29:sponsor', name: 'Sam Sponsor', roles: [] };
const STRANGER: Caller = { aadObjectId: 'c0000000-0000-4000-8000-0000000000ff', tenantId: 't', teamsUserId: '29:stranger', name: 'Stan Stranger', roles: [] };
const GUEST = 'e0000000-0000-4000-8000-000000000001';
const WIKI = 'f3000000-0000-4000-8000-000000000003';

/**
 * The access services over one store, with a clock the test moves, and the four job kinds of a grant's life. Nothing runs
 * by itself: `run` runs the due steps, so a test decides what is due, and a "restart" is a new World on the same database.
 */
class World {
  now = START;
  readonly clock = (): Date => new Date(this.now);
  readonly queue: JobQueue;
  readonly jobs: Jobs;
  readonly requests: AccessRequestService;
  readonly revocation: AccessRevocationService;
  readonly runner: JobRunner;

  constructor(
    readonly store: Store,
    readonly apps: InMemoryAppDirectory,
    directory: InMemoryInvitationDirectory,
    sponsors: { failNext: number },
    /** The same Teams across restarts: what a dead instance delivered stays delivered. */
    readonly notifier = new InMemoryNotifier(),
  ) {
    this.queue = new JobQueue(store.db, this.clock);
    this.jobs = new Jobs(this.queue);
    const appAccess = new AppAccessService(apps);
    this.requests = new AccessRequestService({
      store,
      apps,
      appAccess,
      directory,
      notifier: this.notifier,
      jobs: this.jobs,
      realm: new InMemoryRealmLookup(),
      settings: { defaultDays: 30, maxDays: 90, requestTimeoutDays: 7, adminGroupId: 'admins', expiryNoticeDays: [7, 1] },
      messages: accessRequestMessages,
      lifeMessages: grantLifeMessages,
      sponsors: {
        sponsorsOf: () => {
          if (sponsors.failNext > 0) {
            sponsors.failNext -= 1;
            return Promise.reject(new Error('Graph is down'));
          }
          return Promise.resolve([SPONSOR.aadObjectId]);
        },
      },
      log,
      now: this.clock,
    });
    this.revocation = new AccessRevocationService({
      store,
      appAccess,
      apps,
      guests: directory,
      notifier: this.notifier,
      messages: accessEndMessages,
      cardsChanged: (record) => this.requests.updateApprovalCards(record),
      jobs: this.jobs,
      now: this.clock,
    });
    const handlers = [accessGrantJob(this.requests), accessRequestTimeoutJob(this.requests), accessExpiryJob(this.revocation), accessExpiryNoticeJob(this.requests)] as JobHandler[];
    this.runner = new JobRunner(this.queue, handlers, log, { now: this.clock, backoffMs: () => 1000 });
  }

  /** Runs every due step, as the runner would after a wake. */
  run(limit = 1000): Promise<number> {
    return this.runner.runDue(limit);
  }

  advanceTo(at: Date): void {
    this.now = at;
  }

  /** Messages sent to one person, in order. */
  to(caller: Caller): OutgoingMessage[] {
    return this.notifier.sent.filter((s) => s.to === `personal:${caller.aadObjectId}`).map((s) => s.message);
  }

  async grant(): Promise<AccessRequestRecord> {
    const started = await this.requests.start(MANAGER, { appQuery: 'wiki', email: 'ana@fabrikam.com', days: 30, justification: 'Docs' });
    if (started.kind !== 'form') throw new Error(`no form: ${started.kind}`);
    const submitted = await this.requests.submit(MANAGER, { formId: started.form.formId, servicePrincipalId: WIKI, partner: 'ana@fabrikam.com', days: 30, justification: 'Docs' });
    if (submitted.kind !== 'requested') throw new Error(`not requested: ${submitted.kind}`);
    const decided = await this.requests.approve(OWNER, submitted.record.id);
    if (decided.kind !== 'decided') throw new Error(`not decided: ${decided.kind}`);
    await this.run();
    const granted = await this.store.accessRequests.get(submitted.record.id);
    if (granted?.state !== 'granted') throw new Error(`not granted: ${granted?.state ?? 'gone'}`);
    return granted;
  }

  async askExtension(caller: Caller, grantId: string, until: string, formId?: string) {
    const form = await this.requests.extensionForm(caller, grantId);
    if (form.kind !== 'form') throw new Error(`no extension form: ${form.kind}`);
    return this.requests.submitExtension(caller, { formId: formId ?? form.form.formId, grantId, until, justification: 'Still on the project' });
  }

  async reload(id: string): Promise<AccessRequestRecord> {
    const record = await this.store.accessRequests.get(id);
    if (!record) throw new Error(`request ${id} is gone`);
    return record;
  }

  async auditActions(): Promise<string[]> {
    const rows = await this.store.audit.list({ limit: 500 });
    return rows.map((r) => `${r.action}:${r.outcome}`).reverse();
  }
}

function noticeCount(world: World, caller: Caller): number {
  return world.to(caller).filter((m) => JSON.stringify(m.card).includes('Access ends')).length;
}

describeOnEachBackend("a grant's life", (backend) => {
  let options: StoreOptions;
  let store: Store;
  let apps: InMemoryAppDirectory;
  let directory: InMemoryInvitationDirectory;
  const sponsors = { failNext: 0 };
  const opened: Store[] = [];

  const world = (): World => new World(store, apps, directory, sponsors);

  beforeEach(async () => {
    options = await backend.freshOptions();
    store = await openStore(options);
    opened.push(store);
    sponsors.failNext = 0;
    apps = new InMemoryAppDirectory([{ servicePrincipalId: WIKI, appId: WIKI.replace('f3', 'f2'), displayName: 'Contoso Wiki', ssoKind: 'headerBased', roles: [] }], {
      [WIKI]: [{ id: OWNER.aadObjectId, displayName: 'Olga Owner' }],
    });
    directory = new InMemoryInvitationDirectory([ADMIN.aadObjectId]);
    directory.users.push({ id: GUEST, displayName: 'Ana', userPrincipalName: 'ana_fabrikam.com#EXT#@contoso.onmicrosoft.com', mail: 'ana@fabrikam.com', userType: 'Guest', externalUserState: 'Accepted' });
  });

  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('sends the notices 7 days and 1 day before the end to the requester and the sponsors, audited, each once', async () => {
    const w = world();
    const grant = await w.grant();
    const ends = grant.expiresAt as Date;
    expect(ends.toISOString()).toBe(new Date(START.getTime() + 30 * DAY).toISOString());

    w.advanceTo(new Date(ends.getTime() - 8 * DAY));
    await w.run();
    expect(noticeCount(w, MANAGER)).toBe(0);

    w.advanceTo(new Date(ends.getTime() - 7 * DAY));
    await w.run();
    await w.run();
    expect(noticeCount(w, MANAGER)).toBe(1);
    expect(noticeCount(w, SPONSOR)).toBe(1);
    expect(w.to(SPONSOR)[0]?.text).toContain("Ana's access to Contoso Wiki ends");

    w.advanceTo(new Date(ends.getTime() - DAY));
    await w.run();
    expect(noticeCount(w, MANAGER)).toBe(2);
    expect(noticeCount(w, SPONSOR)).toBe(2);
    const notices = (await store.audit.list({ action: 'access.expiryNotice', limit: 10 })).map((r) => r.detail?.daysBefore);
    expect(notices.sort()).toEqual([1, 7]);

    w.advanceTo(ends);
    await w.run();
    expect((await w.reload(grant.id)).state).toBe('expired');
    expect(noticeCount(w, MANAGER)).toBe(2);
  });

  it('sends only the notice that is still ahead for a grant shorter than the first one, and the most urgent after an outage', async () => {
    const w = world();
    const grant = await w.grant();
    const ends = grant.expiresAt as Date;
    // The bot was down for the whole last week: only the day-before notice goes out, once.
    w.advanceTo(new Date(ends.getTime() - 12 * 3_600_000));
    await w.run();
    expect(noticeCount(w, MANAGER)).toBe(1);
    expect((await store.audit.list({ action: 'access.expiryNotice', limit: 10 })).map((r) => r.detail?.daysBefore)).toEqual([1]);
  });

  it('Let it end stops the notices, is audited once, and is refused to someone who may not', async () => {
    const w = world();
    const grant = await w.grant();
    expect((await w.requests.letItEnd(STRANGER, grant.id)).kind).toBe('notAllowed');
    // The sponsor, who may have no bot role, may choose it: Graph lists them as the partner's sponsor.
    expect((await w.requests.letItEnd(SPONSOR, grant.id)).kind).toBe('recorded');
    expect((await w.requests.letItEnd(MANAGER, grant.id)).kind).toBe('already');
    expect(await w.auditActions()).toContain('access.letEnd:success');
    expect((await store.audit.list({ action: 'access.letEnd', limit: 10 })).length).toBe(1);
    expect((await w.queue.findByUniqueKey(accessNoticeKey(grant.id)))?.state).toBe('cancelled');
    w.advanceTo(new Date((grant.expiresAt as Date).getTime() - DAY));
    await w.run();
    expect(noticeCount(w, MANAGER)).toBe(0);
  });

  it('an approved extension moves the end date and both jobs in one step, without touching Graph, and the notices start over', async () => {
    const w = world();
    const grant = await w.grant();
    const assignmentsBefore = structuredClone(apps.assignments);
    const asked = await w.askExtension(SPONSOR, grant.id, 'until 2027-01-20');
    if (asked.kind !== 'requested') throw new Error(asked.kind);
    // The approvers got a card that says it is an extension; the grant stays as it was until they decide.
    expect(JSON.stringify(w.notifier.sent.at(-1)?.message.card)).toContain('Extension');
    expect((await w.reload(grant.id)).expiresAt?.toISOString()).toBe(grant.expiresAt?.toISOString());
    expect((await w.requests.approve(SPONSOR, asked.record.id)).kind).toBe('selfApproval');
    expect((await w.requests.approve(OWNER, asked.record.id)).kind).toBe('decided');
    await w.run();
    const extended = await w.reload(grant.id);
    const until = new Date('2027-01-21T00:00:00.000Z');
    expect(extended.state).toBe('granted');
    expect(extended.expiresAt?.toISOString()).toBe(until.toISOString());
    expect((await w.reload(asked.record.id)).state).toBe('extended');
    expect((await w.queue.findByUniqueKey(accessExpiryKey(grant.id)))?.runAt.toISOString()).toBe(until.toISOString());
    expect((await w.queue.findByUniqueKey(accessNoticeKey(grant.id)))?.runAt.toISOString()).toBe(new Date(until.getTime() - 7 * DAY).toISOString());
    expect(apps.assignments).toEqual(assignmentsBefore);
    expect(await w.auditActions()).toEqual(expect.arrayContaining(['access.extend:requested', 'access.approve:success', 'access.extend:success']));

    // The old end passes: nothing ends. The new notices and the expiry follow the new date.
    w.advanceTo(new Date((grant.expiresAt as Date).getTime() + 1000));
    await w.run();
    expect((await w.reload(grant.id)).state).toBe('granted');
    expect(noticeCount(w, MANAGER)).toBe(0);
    for (const at of [until.getTime() - 7 * DAY, until.getTime() - DAY, until.getTime()]) {
      w.advanceTo(new Date(at));
      await w.run();
    }
    expect((await w.reload(grant.id)).state).toBe('expired');
    expect(noticeCount(w, MANAGER)).toBe(2);
  });

  it('an ambiguous, past or not later end is asked again, and a justification is required', async () => {
    const w = world();
    const grant = await w.grant();
    for (const [until, problem] of [
      ['until 01/02', /./],
      ['until 2026-11-01', /./],
      ['until 2026-12-10', /not later than the current end/],
      ['for ever', /./],
    ] as const) {
      const outcome = await w.askExtension(MANAGER, grant.id, until);
      if (outcome.kind !== 'invalid') throw new Error(`${until}: ${outcome.kind}`);
      expect(outcome.form.problems.find((p) => p.field === 'until')?.message).toMatch(problem);
    }
    const form = await w.requests.extensionForm(MANAGER, grant.id);
    if (form.kind !== 'form') throw new Error(form.kind);
    const blank = await w.requests.submitExtension(MANAGER, { formId: form.form.formId, grantId: grant.id, until: 'until 2027-01-20', justification: '  ' });
    expect(blank.kind).toBe('invalid');
    expect(await store.accessRequests.findExtensionsOf(grant.id, ['pending'])).toEqual([]);
  });

  it('race: Extend clicked twice, and two people extending at once, make one extension', async () => {
    const w = world();
    const grant = await w.grant();
    const form = await w.requests.extensionForm(MANAGER, grant.id);
    if (form.kind !== 'form') throw new Error(form.kind);
    const input = { formId: form.form.formId, grantId: grant.id, until: 'until 2027-01-20', justification: 'More' };
    const [a, b] = await Promise.all([w.requests.submitExtension(MANAGER, input), w.requests.submitExtension(MANAGER, input)]);
    expect([a.kind, b.kind].sort()).toEqual(['current', 'requested']);
    const other = await w.askExtension(OTHER_MANAGER, grant.id, 'until 2027-01-25');
    expect(other.kind).toBe('duplicate');
    expect(await store.accessRequests.findExtensionsOf(grant.id, ['pending', 'approved', 'extended', 'failed'])).toHaveLength(1);
  });

  it('race: the grant expires before the approved extension applies: the extension fails with the reason, nothing moves', async () => {
    const w = world();
    const grant = await w.grant();
    w.advanceTo(new Date((grant.expiresAt as Date).getTime() - 2 * DAY));
    const asked = await w.askExtension(MANAGER, grant.id, 'until 2027-01-20');
    if (asked.kind !== 'requested') throw new Error(asked.kind);
    w.advanceTo(grant.expiresAt as Date);
    // The owner approves as the grant's expiry falls due, and the expiry's step ends the grant before the extension's runs.
    expect((await w.requests.approve(OWNER, asked.record.id)).kind).toBe('decided');
    expect(await w.revocation.expireStep({ requestId: grant.id, phase: 'end' })).toMatchObject({ status: 'continue' });
    expect((await w.reload(grant.id)).state).toBe('expired');
    await w.run();
    const extension = await w.reload(asked.record.id);
    expect(extension.state).toBe('failed');
    expect(extension.grantError).toMatch(/ended \(expired\) before the extension/);
    const ended = await w.reload(grant.id);
    expect(ended.state).toBe('expired');
    expect(ended.expiresAt?.toISOString()).toBe(grant.expiresAt?.toISOString());
    // The requester of the extension is told how it ended.
    expect(w.to(MANAGER).some((m) => /granting failed/.test(m.text ?? ''))).toBe(true);
  });

  it('race: the extension moves the end date after the expiry read the grant: the expiry loses and waits for the new end', async () => {
    const w = world();
    const grant = await w.grant();
    const asked = await w.askExtension(MANAGER, grant.id, 'until 2027-01-20');
    if (asked.kind !== 'requested') throw new Error(asked.kind);
    expect((await w.requests.approve(OWNER, asked.record.id)).kind).toBe('decided');
    w.advanceTo(grant.expiresAt as Date);
    // The expiry step reads the grant (due), and just then the extension's step commits.
    const repo = store.accessRequests;
    const realGet = repo.get.bind(repo);
    let interleaved = false;
    const spy = jest.spyOn(repo, 'get').mockImplementation(async (id: string) => {
      const read = await realGet(id);
      if (!interleaved && id === grant.id) {
        interleaved = true;
        await w.requests.grantStep({ requestId: asked.record.id, announced: true });
      }
      return read;
    });
    try {
      const step = await w.revocation.expireStep({ requestId: grant.id, phase: 'end' });
      expect(step).toMatchObject({ status: 'continue', note: 'the end date moved' });
    } finally {
      spy.mockRestore();
    }
    const now = await w.reload(grant.id);
    expect(now.state).toBe('granted');
    expect(now.expiresAt?.toISOString()).toBe('2027-01-21T00:00:00.000Z');
    expect((await w.reload(asked.record.id)).state).toBe('extended');
  });

  it('race: shortening while an extension is pending withdraws it, and one approved but not applied yet then fails', async () => {
    const w = world();
    const grant = await w.grant();
    const asked = await w.askExtension(MANAGER, grant.id, 'until 2027-01-20');
    if (asked.kind !== 'requested') throw new Error(asked.kind);
    // A partner manager may not shorten; the app's owner may.
    expect((await w.requests.checkShorten(MANAGER, grant.id, 'until 2026-12-20')).kind).toBe('notAllowed');
    const check = await w.requests.checkShorten(OWNER, grant.id, 'until 2026-12-20');
    if (check.kind !== 'confirm') throw new Error(check.kind);
    expect(check.openExtensions.map((e) => e.id)).toEqual([asked.record.id]);
    const done = await w.requests.shorten(OWNER, grant.id, grant.expiresAt as Date, check.endsAt);
    if (done.kind !== 'shortened') throw new Error(done.kind);
    expect(done.withdrawnExtensions.map((e) => e.state)).toEqual(['withdrawn']);
    expect((await w.reload(grant.id)).expiresAt?.toISOString()).toBe('2026-12-21T00:00:00.000Z');
    expect((await w.queue.findByUniqueKey(accessExpiryKey(grant.id)))?.runAt.toISOString()).toBe('2026-12-21T00:00:00.000Z');
    // The withdrawn extension cannot be approved any more.
    expect((await w.requests.approve(OWNER, asked.record.id)).kind).toBe('current');
    // The confirmation shown before the shortening is stale now: confirming it changes nothing.
    expect((await w.requests.shorten(OWNER, grant.id, grant.expiresAt as Date, new Date('2026-12-15T00:00:00Z'))).kind).toBe('changed');

    // A second extension, approved, whose step has not run yet when an admin shortens again: it fails, the end stays.
    const second = await w.askExtension(MANAGER, grant.id, 'until 2027-01-20');
    if (second.kind !== 'requested') throw new Error(second.kind);
    expect((await w.requests.approve(OWNER, second.record.id)).kind).toBe('decided');
    const again = await w.requests.checkShorten(ADMIN, grant.id, 'until 2026-12-15');
    if (again.kind !== 'confirm') throw new Error(again.kind);
    expect(again.openExtensions).toEqual([]);
    expect((await w.requests.shorten(ADMIN, grant.id, new Date('2026-12-21T00:00:00.000Z'), again.endsAt)).kind).toBe('shortened');
    await w.run();
    expect((await w.reload(second.record.id)).state).toBe('failed');
    expect((await w.reload(second.record.id)).grantError).toMatch(/end date changed/);
    expect((await w.reload(grant.id)).expiresAt?.toISOString()).toBe('2026-12-16T00:00:00.000Z');
    expect((await store.audit.list({ action: 'access.shorten', limit: 10 })).length).toBe(2);
  });

  it('the expiry withdraws an extension nobody decided, so its approvers cannot approve what would only fail', async () => {
    const w = world();
    const grant = await w.grant();
    w.advanceTo(new Date((grant.expiresAt as Date).getTime() - DAY));
    const asked = await w.askExtension(MANAGER, grant.id, 'until 2027-01-20');
    if (asked.kind !== 'requested') throw new Error(asked.kind);
    w.advanceTo(grant.expiresAt as Date);
    await w.run();
    expect((await w.reload(grant.id)).state).toBe('expired');
    const extension = await w.reload(asked.record.id);
    expect(extension.state).toBe('withdrawn');
    expect(extension.decisionComment).toMatch(/expired before anyone decided/);
    expect((await w.requests.approve(OWNER, asked.record.id)).kind).toBe('current');
  });

  it('a later or unreadable end date is refused when shortening', async () => {
    const w = world();
    const grant = await w.grant();
    expect((await w.requests.checkShorten(ADMIN, grant.id, 'until 2027-02-01')).kind).toBe('notEarlier');
    expect((await w.requests.checkShorten(ADMIN, grant.id, 'until 01/02')).kind).toBe('badDate');
    expect((await w.requests.checkShorten(ADMIN, grant.id, 'until 2026-11-20')).kind).toBe('badDate');
  });

  it('a restart between any two steps ends in the same state, with each notice told once', async () => {
    // One run with a fresh set of services (a restarted bot) before every single job step.
    let w = world();
    const grant = await w.grant();
    const teams = w.notifier;
    const restart = (at: Date): World => {
      const next = new World(store, apps, directory, sponsors, teams);
      next.now = at;
      return next;
    };
    const steps = async (at: Date): Promise<void> => {
      for (;;) {
        w = restart(at);
        if ((await w.runner.runDue(1)) === 0) return;
      }
    };
    const noticeAt = new Date((grant.expiresAt as Date).getTime() - 7 * DAY);
    await steps(noticeAt);
    w = restart(noticeAt);
    const asked = await w.askExtension(MANAGER, grant.id, 'until 2027-01-20');
    if (asked.kind !== 'requested') throw new Error(asked.kind);
    expect((await w.requests.approve(OWNER, asked.record.id)).kind).toBe('decided');
    await steps(noticeAt);
    // A sponsor read that fails makes the step tell the requester only: the notice still goes out.
    sponsors.failNext = 1;
    await steps(new Date('2027-01-14T00:00:00.000Z'));
    await steps(new Date('2027-01-20T00:00:00.000Z'));
    await steps(new Date('2027-01-21T00:00:00.000Z'));
    const final = restart(new Date('2027-01-21T00:00:00.000Z'));
    expect((await final.reload(grant.id)).state).toBe('expired');
    expect((await final.reload(asked.record.id)).state).toBe('extended');
    expect(await store.audit.list({ action: 'access.extend', limit: 10 })).toHaveLength(2);
    // 7-day notice for the first end, 7-day and day-before notices for the new end; the sponsor missed one (Graph down).
    expect(noticeCount(final, MANAGER)).toBe(3);
    expect(noticeCount(final, SPONSOR)).toBe(2);
    expect((await store.audit.list({ action: 'access.expire', limit: 10 })).filter((r) => r.outcome === 'success')).toHaveLength(1);
  });
});
