import { actions } from '../../bot/actions';
import { TestClock } from '../../bot/clock';
import { commands } from '../../bot/commands';
import type { Caller } from '../../bot/identity/caller';
import { JobRunner } from '../../bot/jobs';
import { jobHandlers } from '../../bot/jobs/handlers';
import { createLogger } from '../../bot/logger';
import { ActionRouter } from '../../bot/routing/actionRouter';
import { CommandRouter } from '../../bot/routing/commandRouter';
import { cardText, executeActions, formData } from '../helpers/bot';
import { testServices, type TestServices } from '../helpers/testServices';

const log = createLogger('silent');
const DAY = 86_400_000;
const MANAGER: Caller = { aadObjectId: 'b0000000-0000-4000-8000-0000000000bb', tenantId: 't', teamsUserId: '29:manager', name: 'Max Manager', roles: ['manager'] };
const OWNER: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:owner', name: 'Olga Owner', roles: [] };
const MEMBER: Caller = { aadObjectId: 'c0000000-0000-4000-8000-0000000000cc', tenantId: 't', teamsUserId: '29:member', name: 'Mo Member', roles: [] };
const WIKI = 'f3000000-0000-4000-8000-000000000003';

type Reply = { card: { content: unknown } } | { message: string };

function contentOf(reply: Reply): unknown {
  if (!('card' in reply)) throw new Error(`expected a card, got: ${reply.message}`);
  return reply.card.content;
}

describe("a grant's life through the routers: expiring, Extend, End earlier and shorten", () => {
  let services: TestServices;
  let runner: JobRunner;
  const clock = new TestClock({ frozen: true, start: new Date('2026-12-01T09:00:00Z') });
  const commandRouter = new CommandRouter(commands);
  const actionRouter = new ActionRouter(actions);
  const say = async (caller: Caller, text: string): Promise<unknown> => {
    const routed = await commandRouter.route(text, { caller, services, log });
    return 'card' in routed.reply ? routed.reply.card.content : routed.reply.content;
  };
  const click = async (caller: Caller, verb: string, data: Record<string, unknown>): Promise<Reply> => {
    const { response } = await actionRouter.route({ action: { type: 'Action.Execute', verb, data }, trigger: 'manual' }, { caller, services, log });
    const value = response.value as { content?: unknown } | string | undefined;
    if (response.type === 'application/vnd.microsoft.activity.message') return { message: String(value) };
    return { card: { content: typeof value === 'object' ? value.content ?? value : value } };
  };
  let grantId = '';

  beforeAll(async () => {
    services = await testServices({}, { clock });
    runner = new JobRunner(services.jobs.queue, jobHandlers(services), log, { clock });
    services.appDirectory.apps.push({ servicePrincipalId: WIKI, appId: WIKI.replace('f3', 'f2'), displayName: 'Contoso Wiki', ssoKind: 'headerBased', roles: [] });
    services.appDirectory.owners[WIKI] = [{ id: OWNER.aadObjectId, displayName: 'Olga Owner' }];
    services.invitationDirectory.users.push({ id: 'e0000000-0000-4000-8000-000000000001', displayName: 'Ana', userPrincipalName: 'ana_fabrikam.com#EXT#@contoso.onmicrosoft.com', mail: 'ana@fabrikam.com', userType: 'Guest', externalUserState: 'Accepted' });
    const started = await services.accessRequests.start(MANAGER, { appQuery: 'wiki', email: 'ana@fabrikam.com', days: 30, justification: 'Docs' });
    if (started.kind !== 'form') throw new Error(started.kind);
    const submitted = await services.accessRequests.submit(MANAGER, { formId: started.form.formId, servicePrincipalId: WIKI, partner: 'ana@fabrikam.com', days: 30, justification: 'Docs' });
    if (submitted.kind !== 'requested') throw new Error(submitted.kind);
    await services.accessRequests.approve(OWNER, submitted.record.id);
    await runner.runDue();
    grantId = submitted.record.id;
  });
  afterAll(async () => {
    await services.dispose();
  });

  it('expiring lists the grant with Extend and Open, for partner managers only', async () => {
    expect(cardText(await say(MANAGER, 'expiring'))).toMatch(/No grant ends within 14 days/);
    const card = await say(MANAGER, 'expiring 31');
    expect(cardText(card)).toMatch(/Contoso Wiki for Ana[\s\S]*Ends 2026-12-31 09:00 UTC/);
    expect(executeActions(card).map((a) => a.title)).toEqual(['Extend', 'Open']);
    expect(cardText(await say(MEMBER, 'expiring'))).toMatch(/can't use expiring/i);
    expect(cardText(await say(MANAGER, 'expiring soon'))).toMatch(/not a number of days/);
  });

  it('Extend from the list opens the form, and its Send asks the approvers', async () => {
    const form = contentOf(await click(MANAGER, 'access.extend', { grantId }));
    expect(cardText(form)).toMatch(/Extend Ana's access to Contoso Wiki/);
    const data = formData(form, 'access.extendSubmit');
    const sent = contentOf(await click(MANAGER, 'access.extendSubmit', { ...data, until: 'until 2027-01-15', justification: 'Longer project' }));
    expect(cardText(sent)).toMatch(/Waiting for approval/);
    expect(cardText(contentOf(await click(MANAGER, 'access.extend', { grantId })))).toMatch(/already asked to extend this grant/);
    expect(await click(MEMBER, 'access.extend', { grantId })).toEqual({ message: expect.stringMatching(/Only the person who asked/) });
  });

  it('shorten asks first, names the old and new end, and Confirm moves the end and withdraws the waiting extension', async () => {
    const refused = await say(MANAGER, 'shorten wiki for ana@fabrikam.com until 2026-12-20');
    expect(cardText(refused)).toMatch(/Only admins and the owners of Contoso Wiki/);
    const ambiguous = await say(OWNER, 'shorten wiki for ana@fabrikam.com until 01/02');
    expect(cardText(ambiguous)).toMatch(/End earlier/);
    expect(executeActions(ambiguous).map((a) => a.verb)).not.toContain('access.shortenConfirm');

    const confirm = await say(OWNER, 'shorten wiki for ana@fabrikam.com end on 2026-12-20');
    expect(cardText(confirm)).toMatch(/End Ana's access to Contoso Wiki on .*2026-12-21 00:00 UTC.* instead of 2026-12-31 09:00 UTC/);
    expect(cardText(confirm)).toMatch(/extension waiting for approval .* is withdrawn/);
    expect((await services.accessRequests.get(grantId))?.expiresAt?.toISOString()).toBe('2026-12-31T09:00:00.000Z');
    const button = executeActions(confirm).find((a) => a.verb === 'access.shortenConfirm');
    if (!button) throw new Error('no confirmation button');
    // Someone else cannot use the owner's confirmation.
    expect(JSON.stringify(await click(MANAGER, button.verb, button.data))).not.toMatch(/Done:/);
    expect((await services.accessRequests.get(grantId))?.expiresAt?.toISOString()).toBe('2026-12-31T09:00:00.000Z');
    const done = contentOf(await click(OWNER, button.verb, button.data));
    expect(cardText(done)).toMatch(/Done: Ana's access to Contoso Wiki now ends 2026-12-21 00:00 UTC instead of 2026-12-31 09:00 UTC. The waiting extension was withdrawn/);
    expect((await services.accessRequests.get(grantId))?.expiresAt?.toISOString()).toBe('2026-12-21T00:00:00.000Z');
    // A second click is told it was done already, and changes nothing.
    await click(OWNER, button.verb, button.data);
    expect(await services.store.audit.list({ action: 'access.shorten', limit: 5 })).toHaveLength(1);
  });

  it('the grant ends at the new end, and its notices came before it', async () => {
    clock.advanceTo(new Date('2026-12-20T00:00:00Z'));
    await runner.runDue();
    expect(services.notifier.sent.some((s) => s.to === `personal:${MANAGER.aadObjectId}` && JSON.stringify(s.message.card).includes('Access ends tomorrow'))).toBe(true);
    clock.advance(DAY);
    await runner.runDue();
    expect((await services.accessRequests.get(grantId))?.state).toBe('expired');
  });
});
