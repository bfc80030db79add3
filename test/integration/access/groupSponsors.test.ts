import type { Caller } from '../../../bot/identity/caller';
import { Jobs, JobQueue, JobRunner, type JobHandler } from '../../../bot/jobs';
import { accessExpiryNoticeJob } from '../../../bot/jobs/accessExpiryNotice.job';
import { accessGrantJob, accessRequestTimeoutJob } from '../../../bot/jobs/accessRequest.job';
import { createLogger } from '../../../bot/logger';
import { accessRequestMessages } from '../../../bot/presenters/access.presenter';
import { grantLifeMessages } from '../../../bot/presenters/grantLife.presenter';
import { MAX_NOTICED_SPONSORS, type SponsorList } from '../../../bot/services/access/types';
import { AccessRequestService } from '../../../bot/services/accessRequests';
import { AppAccessService } from '../../../bot/services/appAccess';
import { openStore, type Store } from '../../../bot/store';
import { cardText } from '../../helpers/bot';
import { InMemoryAppDirectory } from '../../helpers/inMemoryApps';
import { InMemoryInvitationDirectory } from '../../helpers/inMemoryInvitations';
import { sqliteBackend } from '../../helpers/storeBackends';
import { InMemoryNotifier, InMemoryRealmLookup } from '../../helpers/testServices';

const log = createLogger('silent');
const DAY = 86_400_000;
const START = new Date('2026-12-01T09:00:00.000Z');
const MANAGER: Caller = { aadObjectId: 'b0000000-0000-4000-8000-0000000000bb', tenantId: 't', teamsUserId: '29:manager', name: 'Max Manager', roles: ['manager'] };
const OWNER: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:owner', name: 'Olga Owner', roles: [] };
const SPONSOR = 'c0000000-0000-4000-8000-0000000000ee';
const GUEST = 'e0000000-0000-4000-8000-000000000001';
const WIKI = 'f3000000-0000-4000-8000-000000000003';
const TEAM = '9a000000-0000-4000-8000-0000000000a1';
const EVERYONE = '9a000000-0000-4000-8000-0000000000a2';
const UNREADABLE = '9a000000-0000-4000-8000-0000000000a3';
const member = (i: number): string => `d0000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const TEAM_MEMBER = member(1);
const TEAM_MEMBER_CALLER: Caller = { aadObjectId: TEAM_MEMBER, tenantId: 't', teamsUserId: '29:team', name: 'Tia Team', roles: [] };

/** Group members by group, as Graph's transitiveMembers/microsoft.graph.user lists them (users only, nested groups expanded). */
class GroupDirectory extends InMemoryInvitationDirectory {
  constructor(private readonly members: Record<string, string[] | 'fails'>) {
    super([]);
  }
  override async transitiveUserMemberIds(groupId?: string): Promise<string[]> {
    const found = this.members[groupId ?? ''];
    if (found === 'fails') throw new Error('Graph 503');
    return found ?? [];
  }
}

async function world(sponsors: SponsorList, members: Record<string, string[] | 'fails'>) {
  const backend = sqliteBackend();
  const store: Store = await openStore(await backend.freshOptions());
  let now = START;
  const clock = (): Date => new Date(now);
  const apps = new InMemoryAppDirectory([{ servicePrincipalId: WIKI, appId: WIKI.replace('f3', 'f2'), displayName: 'Contoso Wiki', ssoKind: 'headerBased', roles: [] }], {
    [WIKI]: [{ id: OWNER.aadObjectId, displayName: 'Olga Owner' }],
  });
  const directory = new GroupDirectory(members);
  directory.users.push({ id: GUEST, displayName: 'Ana', userPrincipalName: 'ana_fabrikam.com#EXT#@contoso.onmicrosoft.com', mail: 'ana@fabrikam.com', userType: 'Guest', externalUserState: 'Accepted' });
  const notifier = new InMemoryNotifier();
  const jobs = new Jobs(new JobQueue(store.db, clock));
  const requests = new AccessRequestService({
    store,
    apps,
    appAccess: new AppAccessService(apps),
    directory,
    notifier,
    jobs,
    realm: new InMemoryRealmLookup(),
    settings: { defaultDays: 30, maxDays: 90, requestTimeoutDays: 7, adminGroupId: 'admins', expiryNoticeDays: [7] },
    messages: accessRequestMessages,
    lifeMessages: grantLifeMessages,
    sponsors: { sponsorsOf: () => Promise.resolve(sponsors.users), sponsorListOf: () => Promise.resolve(sponsors) },
    log,
    now: clock,
  });
  const handlers = [accessGrantJob(requests), accessRequestTimeoutJob(requests), accessExpiryNoticeJob(requests)] as JobHandler[];
  const runner = new JobRunner(jobs.queue, handlers, log, { now: clock, backoffMs: () => 1000 });
  const started = await requests.start(MANAGER, { appQuery: 'wiki', email: 'ana@fabrikam.com', days: 30, justification: 'Docs' });
  if (started.kind !== 'form') throw new Error(started.kind);
  const submitted = await requests.submit(MANAGER, { formId: started.form.formId, servicePrincipalId: WIKI, partner: 'ana@fabrikam.com', days: 30, justification: 'Docs' });
  if (submitted.kind !== 'requested') throw new Error(submitted.kind);
  await requests.approve(OWNER, submitted.record.id);
  await runner.runDue();
  const grantId = submitted.record.id;
  return {
    store,
    requests,
    grantId,
    async noticeDue() {
      now = new Date(START.getTime() + 23 * DAY + 60_000);
      await runner.runDue();
    },
    noticed(): { to: string; text: string }[] {
      return notifier.sent.filter((s) => JSON.stringify(s.message.card).includes('Access ends')).map((s) => ({ to: s.to.replace('personal:', ''), text: cardText(s.message.card?.content) }));
    },
    async close() {
      await store.close();
      backend.removeTempDirs();
    },
  };
}

describe('group sponsors: a guest sponsored by a group has its members told, users only, de-duplicated, with a stated cap', () => {
  it('tells the user sponsor and every user in the group sponsors once, never the requester or the partner; a group Graph cannot read is skipped', async () => {
    const w = await world(
      { users: [SPONSOR], groups: [TEAM, UNREADABLE, TEAM.toUpperCase()] },
      { [TEAM]: [TEAM_MEMBER, SPONSOR, MANAGER.aadObjectId, GUEST, member(2)], [UNREADABLE]: 'fails' },
    );
    try {
      await w.noticeDue();
      const told = w.noticed().map((n) => n.to);
      expect(told.sort()).toEqual([MANAGER.aadObjectId, SPONSOR, TEAM_MEMBER, member(2)].sort());
      // A member of a group sponsor is a sponsor: the Extend on their notice works for them.
      expect((await w.requests.extensionForm(TEAM_MEMBER_CALLER, w.grantId)).kind).toBe('form');
      const [row] = await w.store.audit.list({ action: 'access.expiryNotice', limit: 5 });
      expect(row?.detail?.sponsorsNotTold).toBeUndefined();
    } finally {
      await w.close();
    }
  });

  it(`tells at most ${MAX_NOTICED_SPONSORS} sponsors, and the notice and the audit row say how many were left out`, async () => {
    const crowd = Array.from({ length: 40 }, (_, i) => member(100 + i));
    const w = await world({ users: [SPONSOR], groups: [EVERYONE] }, { [EVERYONE]: crowd });
    try {
      await w.noticeDue();
      const notices = w.noticed();
      const sponsorsTold = notices.filter((n) => n.to !== MANAGER.aadObjectId).map((n) => n.to);
      expect(sponsorsTold).toHaveLength(MAX_NOTICED_SPONSORS);
      // The user sponsor comes first, then the group's members in Graph's order.
      expect(sponsorsTold[0]).toBe(SPONSOR);
      const leftOut = 41 - MAX_NOTICED_SPONSORS;
      expect(notices.find((n) => n.to === MANAGER.aadObjectId)?.text).toContain(`only ${MAX_NOTICED_SPONSORS} of them got this notice, and ${leftOut} did not`);
      const [row] = await w.store.audit.list({ action: 'access.expiryNotice', limit: 5 });
      expect(row?.detail).toMatchObject({ sponsorsNotTold: leftOut, sponsorLimit: MAX_NOTICED_SPONSORS });
      // Who may extend is not capped: the last of the 40 may still ask.
      expect((await w.requests.extensionForm({ ...TEAM_MEMBER_CALLER, aadObjectId: crowd.at(-1)! }, w.grantId)).kind).toBe('form');
    } finally {
      await w.close();
    }
  });
});
