import { actions } from '../../bot/actions';
import { TestClock } from '../../bot/clock';
import { commands } from '../../bot/commands';
import type { Caller } from '../../bot/identity/caller';
import { JobRunner } from '../../bot/jobs';
import { jobHandlers } from '../../bot/jobs/handlers';
import { createLogger } from '../../bot/logger';
import { ActionRouter } from '../../bot/routing/actionRouter';
import { CommandRouter } from '../../bot/routing/commandRouter';
import { userZone, type UserZone } from '../../bot/services/timeSpan';
import { cardText, executeActions, formData } from '../helpers/bot';
import { testServices, type TestServices } from '../helpers/testServices';

const log = createLogger('silent');
const MANAGER: Caller = { aadObjectId: 'b0000000-0000-4000-8000-0000000000bb', tenantId: 't', teamsUserId: '29:manager', name: 'Max Manager', roles: ['manager'] };
const OWNER: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:owner', name: 'Olga Owner', roles: [] };
const WIKI = 'f3000000-0000-4000-8000-000000000003';
const DOCS = 'f3000000-0000-4000-8000-000000000004';
/**
 * Thursday 3 December 2026, 23:30 in Auckland (NZDT, UTC+13), 10:30 in UTC. "Friday" is tomorrow there; in UTC the same
 * words would mean a day later.
 */
const NEAR_MIDNIGHT_IN_AUCKLAND = new Date('2026-12-03T10:30:00Z');
/** As Teams sends it: the activity's localTimezone and locale, read by the same function the bot's turn uses. */
const AUCKLAND: UserZone = userZone({ localTimezone: 'Pacific/Auckland', locale: 'en-NZ' });

type Reply = { card: { content: unknown } } | { message: string };

function contentOf(reply: Reply): unknown {
  if (!('card' in reply)) throw new Error(`expected a card, got: ${reply.message}`);
  return reply.card.content;
}

describe("dates typed into Extend and shorten are read in the person's time zone, and shown back in it", () => {
  let services: TestServices;
  let runner: JobRunner;
  const clock = new TestClock({ frozen: true, start: new Date('2026-12-02T09:00:00Z') });
  const commandRouter = new CommandRouter(commands);
  const actionRouter = new ActionRouter(actions);
  const say = async (caller: Caller, text: string, zone?: UserZone): Promise<unknown> => {
    const routed = await commandRouter.route(text, { caller, services, log, ...(zone ? { zone } : {}) });
    return 'card' in routed.reply ? routed.reply.card.content : routed.reply.content;
  };
  const click = async (caller: Caller, verb: string, data: Record<string, unknown>, zone?: UserZone): Promise<Reply> => {
    const { response } = await actionRouter.route({ action: { type: 'Action.Execute', verb, data }, trigger: 'manual' }, { caller, services, log, ...(zone ? { zone } : {}) });
    const value = response.value as { content?: unknown } | string | undefined;
    if (response.type === 'application/vnd.microsoft.activity.message') return { message: String(value) };
    return { card: { content: typeof value === 'object' ? value.content ?? value : value } };
  };
  const grants: Record<string, string> = {};

  beforeAll(async () => {
    services = await testServices({}, { clock });
    runner = new JobRunner(services.jobs.queue, jobHandlers(services), log, { clock });
    for (const [id, name] of [[WIKI, 'Contoso Wiki'], [DOCS, 'Contoso Docs']] as const) {
      services.appDirectory.apps.push({ servicePrincipalId: id, appId: id.replace('f3', 'f2'), displayName: name, ssoKind: 'headerBased', roles: [] });
      services.appDirectory.owners[id] = [{ id: OWNER.aadObjectId, displayName: 'Olga Owner' }];
    }
    services.invitationDirectory.users.push({ id: 'e0000000-0000-4000-8000-000000000001', displayName: 'Ana', userPrincipalName: 'ana_fabrikam.com#EXT#@contoso.onmicrosoft.com', mail: 'ana@fabrikam.com', userType: 'Guest', externalUserState: 'Accepted' });
    // Wiki for 30 days (to shorten); Docs for 2 days, ending 2026-12-04 09:00 UTC (to extend).
    for (const [app, days] of [['wiki', 30], ['docs', 2]] as const) {
      const started = await services.accessRequests.start(MANAGER, { appQuery: app, email: 'ana@fabrikam.com', days, justification: 'Work' });
      if (started.kind !== 'form') throw new Error(started.kind);
      const submitted = await services.accessRequests.submit(MANAGER, { formId: started.form.formId, servicePrincipalId: started.form.app.servicePrincipalId, partner: 'ana@fabrikam.com', days, justification: 'Work' });
      if (submitted.kind !== 'requested') throw new Error(submitted.kind);
      await services.accessRequests.approve(OWNER, submitted.record.id);
      await runner.runDue();
      grants[app] = submitted.record.id;
    }
    clock.advanceTo(NEAR_MIDNIGHT_IN_AUCKLAND);
  });
  afterAll(async () => {
    await services.dispose();
  });

  it('shorten "until Friday" at 23:30 on Thursday in Auckland ends after Friday there, and the confirmation says so', async () => {
    const confirm = await say(OWNER, 'shorten wiki for ana@fabrikam.com until Friday', AUCKLAND);
    const text = cardText(confirm);
    // Midnight after Friday 4 December in Auckland is 11:00 UTC that Friday, not midnight UTC after it.
    expect(text).toMatch(/on Friday,? 4 December 2026, Pacific\/Auckland time \(2026-12-04 11:00 UTC\)/);
    const button = executeActions(confirm).find((a) => a.verb === 'access.shortenConfirm');
    expect(button?.title).toBe('End it 2026-12-04');
    if (!button) throw new Error('no confirmation button');
    await click(OWNER, button.verb, button.data, AUCKLAND);
    expect((await services.accessRequests.get(grants.wiki!))?.expiresAt?.toISOString()).toBe('2026-12-04T11:00:00.000Z');
  });

  it('the same words with no zone from Teams are read in UTC: Friday ends a day later there, so it is no longer earlier', async () => {
    // An app owner who is no admin sees why too: the problem is on the card whoever may use its End earlier input.
    const refused = await say(OWNER, 'shorten docs for ana@fabrikam.com until Friday');
    expect(cardText(refused)).toMatch(/Friday, December 4, 2026, UTC time is not earlier than the current end \(2026-12-04 09:00 UTC\)/);
  });

  it('Extend "until Friday" in Auckland asks for the end of Friday there, and the form and its answer name the zone', async () => {
    const form = contentOf(await click(MANAGER, 'access.extend', { grantId: grants.docs }, AUCKLAND));
    expect(JSON.stringify(form)).toContain('"label":"New end (read in Pacific/Auckland time)"');
    const data = formData(form, 'access.extendSubmit');
    const sent = contentOf(await click(MANAGER, 'access.extendSubmit', { ...data, until: 'until Friday', justification: 'One more day' }, AUCKLAND));
    expect(cardText(sent)).toMatch(/New end asked: Friday,? 4 December 2026, Pacific\/Auckland time \(2026-12-04 11:00 UTC\)/);
    const [extension] = await services.store.accessRequests.findExtensionsOf(grants.docs!, ['pending']);
    expect(extension?.expiresAt?.toISOString()).toBe('2026-12-04T11:00:00.000Z');
  });
});
