import pino from 'pino';
import { JobRunner } from '../../bot/jobs';
import { inviteApprovalJob } from '../../bot/jobs/inviteApproval.job';
import { invitationMessages } from '../../bot/presenters/invite.presenter';
import type { Caller } from '../../bot/identity/caller';
import { InvitationService } from '../../bot/services/invitations';
import type { Notifier } from '../../bot/services/ports';
import { InMemoryInvitationDirectory } from '../helpers/inMemoryInvitations';
import { testServices, type TestServices } from '../helpers/testServices';

const MANAGER: Caller = { aadObjectId: 'b0000000-0000-4000-8000-0000000000bb', tenantId: 't', teamsUserId: '29:bb', name: 'Max Manager', roles: ['manager'] };
const ADMIN: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:aa', name: 'Ada Admin', roles: ['admin'] };
const UNREACHABLE_ADMIN = 'a0000000-0000-4000-8000-0000000000a2';

/** An invitation whose notifier fails at every step: the flow still completes, and every failure is logged with its id. */
describe('invitation approvals when Teams cannot be reached', () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await testServices();
  });
  afterAll(async () => {
    await services.dispose();
  });

  it('logs each failed send, update and requester message with the invitation id, and counts only the admins reached', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const notifier: Notifier = {
      sendToUser: (id, message) => (id === ADMIN.aadObjectId ? services.notifier.sendToUser(id, message) : Promise.reject(new Error(`connector refused ${id}`))),
      sendToConversation: (reference, message) => services.notifier.sendToConversation(reference, message),
      update: () => Promise.reject(new Error('activity gone')),
    };
    const invitations = new InvitationService({
      store: services.store,
      directory: new InMemoryInvitationDirectory([ADMIN.aadObjectId, UNREACHABLE_ADMIN]),
      notifier,
      jobs: services.jobs,
      settings: { redirectUrl: 'https://myapps.microsoft.com', allowDomains: [], blockDomains: [], adminGroupId: 'admins' },
      messages: invitationMessages,
      log,
    });
    const draft = await invitations.prepare(MANAGER, 'kim@fabrikam.com');
    if (draft.kind !== 'draft') throw new Error(`expected a draft, got ${draft.kind}`);
    const submitted = await invitations.submit(MANAGER, draft.record.id, { ...draft.record.options, justification: 'A partner for the pilot' });
    expect(submitted).toMatchObject({ kind: 'requested', adminsReached: 1 });
    expect(lines.find((l) => l.msg === 'could not send the approval card')).toMatchObject({ invitation: draft.record.id, approver: UNREACHABLE_ADMIN });

    const decided = await invitations.deny(ADMIN, draft.record.id);
    expect(decided).toMatchObject({ kind: 'decided', record: { state: 'denied' } });
    // The denial's cards and notice are the invite job's, committed with the decision.
    await new JobRunner(services.jobs.queue, [inviteApprovalJob(invitations)], log, { backoffMs: () => 0 }).runDue();
    expect(lines.find((l) => l.msg === 'could not update an approval card')).toMatchObject({ invitation: draft.record.id });
    expect(lines.find((l) => l.msg === 'could not tell the requester')).toMatchObject({ invitation: draft.record.id });
  });
});
