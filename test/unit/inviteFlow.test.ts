import { actions } from '../../bot/actions';
import { commands } from '../../bot/commands';
import { JobRunner } from '../../bot/jobs';
import { jobHandlers } from '../../bot/jobs/handlers';
import { bulkMessages } from '../../bot/presenters/bulk.presenter';
import type { Caller } from '../../bot/identity/caller';
import type { Role } from '../../bot/identity/policy';
import { createLogger } from '../../bot/logger';
import { ActionRouter } from '../../bot/routing/actionRouter';
import { CommandRouter } from '../../bot/routing/commandRouter';
import { BulkInvitationService } from '../../bot/services/bulk/bulkRuns';
import { HttpFileDownloads } from '../../bot/adapters/teamsFileDownloads';
import { cardText } from '../helpers/bot';
import { testServices, type TestServices } from '../helpers/testServices';

const log = createLogger('silent');

function caller(roles: Role[], id = 'a0000000-0000-4000-8000-0000000000aa'): Caller {
  return { aadObjectId: id, tenantId: 't', teamsUserId: `29:${id}`, name: roles.includes('admin') ? 'Ada Admin' : 'Max Manager', roles };
}

function submitId(card: unknown): string | undefined {
  const found = JSON.stringify(card).match(/"verb":"invite\.submit","style":"positive","data":\{"id":"([0-9a-f-]{36})"/);
  return found?.[1];
}

/** The invite form, step by step: what the person types or picks, and what the next card says. */
const FORM_STEPS: {
  name: string;
  roles: Role[];
  text: string;
  inputs?: Record<string, string>;
  expectFirst: RegExp;
  expectAfterSubmit?: RegExp;
  /** What the invite job then tells the person, for an admin's own invitation. */
  expectFromJob?: RegExp;
}[] = [
  { name: 'admin, all defaults', roles: ['admin'], text: 'invite ana@fabrikam.com', expectFirst: /Send invitation/, expectAfterSubmit: /Sending the invitation to ana@fabrikam\.com/, expectFromJob: /ana@fabrikam\.com is invited/ },
  { name: 'admin with a display name and message', roles: ['admin'], text: 'invite bo@fabrikam.com as "Bo Ek"', inputs: { message: 'Hej Bo' }, expectFirst: /Bo Ek/, expectAfterSubmit: /Sending the invitation/, expectFromJob: /Hej Bo/ },
  { name: 'admin choosing Microsoft email', roles: ['admin'], text: 'invite cy@fabrikam.com', inputs: { delivery: 'email', language: 'de-DE' }, expectFirst: /Send invitation/, expectAfterSubmit: /Sending the invitation/, expectFromJob: /Microsoft drops personal messages/ },
  { name: 'a bad cc is sent back', roles: ['admin'], text: 'invite di@fabrikam.com', inputs: { cc: '"x"@evil.com' }, expectFirst: /Send invitation/, expectAfterSubmit: /Cc: Quoted local parts/ },
  { name: 'an http redirect is sent back', roles: ['admin'], text: 'invite ed@fabrikam.com', inputs: { redirectUrl: 'http://example.com' }, expectFirst: /Send invitation/, expectAfterSubmit: /Redirect URL: must be an absolute https/ },
  { name: 'a group that is not an id is sent back', roles: ['admin'], text: 'invite fi@fabrikam.com', inputs: { groups: 'Finance' }, expectFirst: /Send invitation/, expectAfterSubmit: /"Finance" is not a group object id/ },
  { name: 'manager: becomes a request', roles: ['manager'], text: 'invite gu@fabrikam.com', inputs: { justification: 'Runs the Fabrikam pilot' }, expectFirst: /Ask an admin to approve/, expectAfterSubmit: /no admin could be reached|waiting for an admin/ },
  { name: 'manager without a justification is sent back', roles: ['manager'], text: 'invite gw@fabrikam.com', expectFirst: /Ask an admin to approve/, expectAfterSubmit: /Say why this partner needs a guest account/ },
  { name: 'quoted local part refused before any card', roles: ['admin'], text: 'invite "a b"@fabrikam.com', expectFirst: /That address cannot be invited[\s\S]*Quoted local parts/ },
  { name: 'control character refused', roles: ['admin'], text: 'invite a\u0007b@fabrikam.com', expectFirst: /control or invisible/ },
  { name: 'blocked domain refused', roles: ['admin'], text: 'invite x@mailinator.com', expectFirst: /are not allowed/ },
  { name: 'IDN shown in both forms', roles: ['admin'], text: 'invite ana@bücher.example', expectFirst: /xn--bcher-kva\.example/ },
  { name: 'member refused', roles: [], text: 'invite ana@fabrikam.com', expectFirst: /You can't use invite/ },
  { name: 'manager cannot bulk', roles: ['manager'], text: 'invite a@fabrikam.com b@fabrikam.com', expectFirst: /Bulk invitations are for admins/ },
  { name: 'admin bulk list', roles: ['admin'], text: 'invite a@fabrikam.com, b@fabrikam.com', expectFirst: /Invite 2 partners\?/ },
];

describe('the invite form, table-driven', () => {
  let services: TestServices;
  const commandRouter = new CommandRouter(commands);
  const actionRouter = new ActionRouter(actions);

  beforeAll(async () => {
    services = await testServices();
  });
  afterAll(async () => {
    await services.dispose();
  });

  it.each(FORM_STEPS.map((s) => [s.name, s] as const))('%s', async (_name, step) => {
    const who = caller(step.roles);
    const routed = await commandRouter.route(step.text, { caller: who, services, log });
    const card = 'card' in routed.reply ? routed.reply.card : routed.reply;
    expect(cardText(card.content)).toMatch(step.expectFirst);
    if (!step.expectAfterSubmit) return;
    const id = submitId(card.content);
    expect(id).toBeDefined();
    const { response } = await actionRouter.route(
      { action: { type: 'Action.Execute', verb: 'invite.submit', data: { id, delivery: 'link', ...step.inputs } }, trigger: 'manual' },
      { caller: who, services, log },
    );
    const value = typeof response.value === 'string' ? response.value : cardText(response.value);
    expect(value).toMatch(step.expectAfterSubmit);
    if (!step.expectFromJob) return;
    const before = services.notifier.sent.length;
    await new JobRunner(services.jobs.queue, jobHandlers(services), log).runDue();
    const told = services.notifier.sent.slice(before).filter((m) => m.to === `personal:${who.aadObjectId}`);
    expect(told).toHaveLength(1);
    expect(cardText(told[0]?.message.card.content)).toMatch(step.expectFromJob);
  });
});

describe('bulk run after a restart', () => {
  it('resumes where it was and never invites a row twice', async () => {
    const services = await testServices();
    try {
      const admin = caller(['admin']);
      const created = await services.bulkInvitations.create(admin, [{ input: 'r0@fabrikam.com' }, { input: 'r1@fabrikam.com' }, { input: 'r2@fabrikam.com' }]);
      if (!created.ok) throw new Error(created.problem);
      const id = created.view.id;
      expect((await services.bulkInvitations.start(admin, id)).kind).toBe('started');
      // The instance died after POST /invitations for row 0 but before recording it.
      await services.invitationDirectory.invite({ email: 'r0@fabrikam.com', redirectUrl: 'https://x', sendInvitationMessage: false, sponsorIds: [] });
      await services.store.db.updateTable('bulk_invite_row').set({ state: 'inviting' }).where('run_id', '=', id).where('idx', '=', 0).execute();

      const restarted = new BulkInvitationService({
        store: services.store,
        directory: services.invitationDirectory,
        notifier: services.notifier,
        jobs: services.jobs,
        files: new HttpFileDownloads(),
        settings: services.bulkInvitations.settings,
        messages: bulkMessages,
      });
      for (let i = 0; i < 10; i += 1) if ((await restarted.step(id)).status === 'done') break;
      const view = await restarted.view(id);
      expect(view?.state).toBe('finished');
      expect(view?.counts).toMatchObject({ invited: 3, alreadyGuest: 0, pending: 0 });
      expect(services.invitationDirectory.invitations.map((i) => i.email)).toEqual(['r0@fabrikam.com', 'r1@fabrikam.com', 'r2@fabrikam.com']);
      expect(services.invitationDirectory.users).toHaveLength(3);
    } finally {
      await services.dispose();
    }
  });
});
