import type { Caller } from '../../bot/identity/caller';
import { JobRunner } from '../../bot/jobs';
import { inviteApprovalJob } from '../../bot/jobs/inviteApproval.job';
import { createLogger } from '../../bot/logger';
import { invitationMessages } from '../../bot/presenters/invite.presenter';
import { InvitationService } from '../../bot/services/invitations';
import { INVITE_JOB_MAX_ATTEMPTS } from '../../bot/services/inviteSchedule';
import { cardText } from '../helpers/bot';
import { InMemoryInvitationDirectory } from '../helpers/inMemoryInvitations';
import { testServices, type TestServices } from '../helpers/testServices';

const log = createLogger('silent');
const ADMIN: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:a', name: 'Ada Admin', roles: ['admin'] };

describe('the invite job', () => {
  let services: TestServices;

  beforeEach(async () => {
    services = await testServices();
  });
  afterEach(async () => {
    await services.dispose();
  });

  function serviceOver(directory: InMemoryInvitationDirectory): InvitationService {
    return new InvitationService({
      store: services.store,
      directory,
      notifier: services.notifier,
      jobs: services.jobs,
      settings: services.invitations.settings,
      messages: invitationMessages,
      resumeLookupDelaysMs: [],
    });
  }

  it('never leaves an invitation "inviting": when Graph keeps failing it ends failed and the admin is told', async () => {
    const directory = new InMemoryInvitationDirectory();
    let posts = 0;
    directory.invite = () => {
      posts += 1;
      return Promise.reject(new Error('503 Service Unavailable'));
    };
    const invitations = serviceOver(directory);
    const draft = await invitations.prepare(ADMIN, 'lea@fabrikam.com');
    if (draft.kind !== 'draft') throw new Error(`expected a draft, got ${draft.kind}`);
    expect(await invitations.submit(ADMIN, draft.record.id, draft.record.options)).toMatchObject({ kind: 'started', record: { state: 'inviting' } });

    await new JobRunner(services.jobs.queue, [inviteApprovalJob(invitations)], log, { backoffMs: () => 0 }).runDue();

    expect(posts).toBe(INVITE_JOB_MAX_ATTEMPTS);
    const settled = await invitations.get(draft.record.id);
    expect(settled).toMatchObject({ state: 'failed', result: { kind: 'failed' } });
    const told = services.notifier.sent.filter((m) => m.to === `personal:${ADMIN.aadObjectId}`);
    expect(told).toHaveLength(1);
    expect(cardText(told[0]?.message.card.content)).toContain('could not be completed');
    const audit = await services.store.audit.list({ target: 'lea@fabrikam.com', action: 'invite.create' });
    expect(audit.map((a) => a.outcome)).toEqual(['failed', 'started']);
  });

  it('a repeated step finds the guest its interrupted attempt created instead of inviting again', async () => {
    const directory = new InMemoryInvitationDirectory();
    const invitations = serviceOver(directory);
    const draft = await invitations.prepare(ADMIN, 'max@fabrikam.com');
    if (draft.kind !== 'draft') throw new Error(`expected a draft, got ${draft.kind}`);
    await invitations.submit(ADMIN, draft.record.id, draft.record.options);
    // The first attempt's POST went through but its answer was lost.
    await directory.invite({ email: 'max@fabrikam.com', redirectUrl: 'https://x', sendInvitationMessage: false, sponsorIds: [] });
    const first = await invitations.inviteStep({ invitationId: draft.record.id, announced: true }, true);
    expect(first).toMatchObject({ status: 'continue', payload: { invited: { userId: directory.users[0]?.id, reusedExisting: true } } });
    expect(directory.invitations).toHaveLength(1);
  });
});
