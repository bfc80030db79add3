import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import { sql } from 'kysely';
import { z } from 'zod';
import { cards } from '../../cards';
import { actions } from '../../bot/actions';
import type { ActionContext, AnyCardAction } from '../../bot/actions/defineAction';
import { commands } from '../../bot/commands';
import type { AnyCommand, CommandContext } from '../../bot/commands/defineCommand';
import { issueConfirmation, type ConfirmQuestion } from '../../bot/handlers/confirmation';
import type { Caller } from '../../bot/identity/caller';
import { createLogger } from '../../bot/logger';
import { ActionRouter } from '../../bot/routing/actionRouter';
import { CommandRouter } from '../../bot/routing/commandRouter';
import { tokenize } from '../../bot/routing/tokenizer';
import { cardText, executeData } from '../helpers/bot';
import { testServices, type TestServices } from '../helpers/testServices';

const log = createLogger('silent');
const ADMIN: Caller = { aadObjectId: 'a0000000-0000-4000-8000-0000000000aa', tenantId: 't', teamsUserId: '29:a', name: 'Ada Admin', roles: ['admin', 'manager'] };
const OTHER_ADMIN: Caller = { ...ADMIN, aadObjectId: 'a0000000-0000-4000-8000-0000000000bb', name: 'Otto Admin' };
const QUESTION: ConfirmQuestion = { title: 'Take it away?', consequence: 'It goes and does not come back.', confirmLabel: 'Take it away' };

const destructiveCommands = commands.filter((c) => c.sideEffect === 'destructive');
const destructiveActions = actions.filter((a) => a.sideEffect === 'destructive');

function invoke(verb: string, data: unknown) {
  return { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' };
}

function responseText(response: AdaptiveCardInvokeResponse): string {
  return typeof response.value === 'string' ? response.value : cardText(response.value);
}

describe('every destructive command and card action', () => {
  it('exists (the gate below has something to guard)', () => {
    expect(destructiveCommands.length + destructiveActions.length).toBeGreaterThan(0);
  });

  it.each([...destructiveCommands.map((c) => [c.name, c.confirm] as const), ...destructiveActions.map((a) => [a.verb, a.confirm] as const)])(
    '%s declares how it is confirmed',
    (_name, confirm) => {
      expect(confirm === undefined ? 'no confirm' : typeof confirm === 'function' ? 'describes its consequence' : 'on its own card').not.toBe('no confirm');
    },
  );
});

/**
 * Each destructive definition from the registries, with its handler replaced by a recorder (and, where it describes its
 * consequence, a description that always asks, since the real one reads Graph): the routers must never call the handler
 * before a confirmation is consumed, must call it once after, and only with what was stored.
 */
describe('the routers run a destructive handler only after its confirmation is consumed, once', () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await testServices();
  });
  afterAll(async () => {
    await services.dispose();
  });
  const context = (caller: Caller = ADMIN) => ({ caller, services, log });

  it.each(destructiveCommands.map((c) => [c.name, c] as const))('command %s', async (_name, command) => {
    const run = jest.fn((_c: CommandContext, _a: unknown) => Promise.resolve(cards.notice({ tone: 'good', title: 'ran' })));
    const recorder: AnyCommand = { ...command, confirm: () => Promise.resolve(QUESTION), run };
    const registry = [...commands.filter((c) => c !== command), recorder];
    const commandRouter = new CommandRouter(registry);
    const actionRouter = new ActionRouter(actions, registry);
    const example = command.examples[0];

    // Even a context that claims to be confirmed is asked.
    const routed = await commandRouter.route(example, { ...context(), confirmed: { id: 'x', choices: {} } });
    expect(run).not.toHaveBeenCalled();
    const card = 'card' in routed.reply ? routed.reply.card : routed.reply;
    expect(cardText(card.content)).toContain(QUESTION.consequence);
    const data = executeData(card.content, 'confirm.accept');
    expect(data).toEqual({ confirmationId: expect.any(String) });

    await actionRouter.route(invoke('confirm.accept', { confirmationId: 'c0000000-0000-4000-8000-000000000000' }), context());
    await actionRouter.route(invoke('confirm.accept', data), context(OTHER_ADMIN));
    expect(run).not.toHaveBeenCalled();

    await Promise.all([actionRouter.route(invoke('confirm.accept', data), context()), actionRouter.route(invoke('confirm.accept', data), context())]);
    await actionRouter.route(invoke('confirm.accept', data), context());
    expect(run).toHaveBeenCalledTimes(1);
    const [ranWith, args] = run.mock.calls[0] ?? [];
    expect(args).toEqual(command.args.parse(tokenize(example)));
    expect(ranWith?.confirmed).toEqual({ id: data?.confirmationId, choices: {} });
  });

  it.each(destructiveActions.map((a) => [a.verb, a] as const))('action %s', async (verb, action) => {
    const run = jest.fn((_c: ActionContext, _d: unknown) => Promise.resolve({ message: 'ran' }));
    const ownCard = action.confirm !== undefined && typeof action.confirm !== 'function';
    const recorder: AnyCardAction = {
      ...action,
      data: z.record(z.string(), z.unknown()),
      confirm: ownCard ? action.confirm : () => Promise.resolve(QUESTION),
      run,
    };
    const router = new ActionRouter([...actions.filter((a) => a !== action), recorder], commands);
    const payload = { target: 'stored' };

    let confirmationId: string | undefined;
    if (ownCard) {
      // Without an id, with a made-up one, with one issued for another verb, or someone else's: nothing runs.
      await router.route(invoke(verb, { target: 'typed' }), context());
      await router.route(invoke(verb, { confirmationId: 'c0000000-0000-4000-8000-000000000000', target: 'typed' }), context());
      const otherVerb = await issueConfirmation(context(), { verb: 'some.other', payload, summary: 'other' });
      await router.route(invoke(verb, { confirmationId: otherVerb }), context());
      confirmationId = await issueConfirmation(context(), { verb, payload, summary: 'this' });
      await router.route(invoke(verb, { confirmationId }), context(OTHER_ADMIN));
      expect(run).not.toHaveBeenCalled();
      await Promise.all([router.route(invoke(verb, { confirmationId, target: 'typed' }), context()), router.route(invoke(verb, { confirmationId }), context())]);
      await router.route(invoke(verb, { confirmationId }), context());
    } else {
      const asked = await router.route(invoke(verb, payload), { ...context(), confirmed: { id: 'x', choices: {} } });
      expect(run).not.toHaveBeenCalled();
      expect(responseText(asked.response)).toContain(QUESTION.consequence);
      const data = executeData(asked.response.value, 'confirm.accept');
      confirmationId = typeof data?.confirmationId === 'string' ? data.confirmationId : undefined;
      await router.route(invoke('confirm.accept', { confirmationId, target: 'typed' }), context(OTHER_ADMIN));
      expect(run).not.toHaveBeenCalled();
      await Promise.all([router.route(invoke('confirm.accept', { confirmationId, target: 'typed' }), context()), router.route(invoke('confirm.accept', { confirmationId }), context())]);
      await router.route(invoke('confirm.accept', { confirmationId }), context());
    }
    expect(run).toHaveBeenCalledTimes(1);
    const [ranWith, data] = run.mock.calls[0] ?? [];
    expect(data).toEqual(payload);
    expect(ranWith?.confirmed?.id).toBe(confirmationId);
  });

  it('passes the choices a card offered, only those, and refuses a click that picks one not offered', async () => {
    const run = jest.fn((_c: ActionContext, _d: unknown) => Promise.resolve({ message: 'ran' }));
    const remove: AnyCardAction = { verb: 'test.remove', data: z.object({ app: z.string() }), permission: 'admins', sideEffect: 'destructive', confirm: { onItsOwnCard: true }, run };
    const router = new ActionRouter([remove], []);
    const offered = { assignments: ['a1', 'a2', 'a3'] };
    const forged = await issueConfirmation(context(), { verb: 'test.remove', payload: { app: 'X' }, choices: offered, summary: 'remove' });
    expect(responseText((await router.route(invoke('test.remove', { confirmationId: forged, assignments: 'a1,a9' }), context())).response)).toContain('out of date');
    const id = await issueConfirmation(context(), { verb: 'test.remove', payload: { app: 'X' }, choices: offered, summary: 'remove' });
    await router.route(invoke('test.remove', { confirmationId: id, assignments: 'a3,a1', 'assignments:a2': 'false', app: 'Y' }), context());
    expect(run).toHaveBeenCalledTimes(1);
    expect(run.mock.calls[0]?.[1]).toEqual({ app: 'X' });
    expect(run.mock.calls[0]?.[0].confirmed?.choices).toEqual({ assignments: ['a1', 'a3'] });
  });

  it('refuses a destructive definition that declares no confirmation, and runs nothing', async () => {
    const run = jest.fn((_c: ActionContext, _d: unknown) => Promise.resolve({ message: 'ran' }));
    const bare: AnyCardAction = { verb: 'test.bare', data: z.object({}), permission: 'admins', sideEffect: 'destructive', run };
    const routed = await new ActionRouter([bare], []).route(invoke('test.bare', {}), context());
    expect(run).not.toHaveBeenCalled();
    expect(responseText(routed.response)).toContain('Nothing was changed');
  });

  describe('Confirm describes the step again, and runs it only if the card still holds', () => {
    /** An attribute's value in a directory that someone else may change while the card waits. */
    function markLike(verb: string) {
      const directory = { value: 'Contractor' as string | undefined, present: true };
      const run = jest.fn((_c: ActionContext, _d: unknown) => Promise.resolve({ message: 'ran' }));
      const action: AnyCardAction = {
        verb,
        data: z.object({}),
        permission: 'admins',
        sideEffect: 'destructive',
        confirm: () =>
          Promise.resolve(
            directory.present
              ? { ...QUESTION, facts: [{ title: 'extensionAttribute1 now', value: directory.value ?? '(empty)' }, { title: 'after', value: 'Partner' }] }
              : { refuse: 'That account no longer exists.' },
          ),
        run,
      };
      return { directory, run, router: new ActionRouter([action], []) };
    }
    const confirmOf = (routed: { response: AdaptiveCardInvokeResponse }) => executeData(routed.response.value, 'confirm.accept');

    it('runs when nothing it showed changed', async () => {
      const { run, router } = markLike('test.same');
      const asked = await router.route(invoke('test.same', {}), context());
      await router.route(invoke('confirm.accept', confirmOf(asked)), context());
      expect(run).toHaveBeenCalledTimes(1);
    });

    it('runs nothing when a fact changed, says which, and asks again with a fresh card that does run', async () => {
      const { directory, run, router } = markLike('test.changed');
      const asked = await router.route(invoke('test.changed', {}), context());
      directory.value = 'Employee';
      const stale = await router.route(invoke('confirm.accept', confirmOf(asked)), context());
      expect(run).not.toHaveBeenCalled();
      const text = responseText(stale.response);
      expect(text).toContain('extensionAttribute1 now is now "Employee" (the card said "Contractor")');
      expect(text).toContain('Nothing was changed yet');
      // The old card is spent: clicking it again runs nothing.
      await router.route(invoke('confirm.accept', confirmOf(asked)), context());
      expect(run).not.toHaveBeenCalled();
      const fresh = confirmOf(stale);
      expect(fresh?.confirmationId).not.toEqual(confirmOf(asked)?.confirmationId);
      await router.route(invoke('confirm.accept', fresh), context());
      expect(run).toHaveBeenCalledTimes(1);
    });

    it('runs nothing and says why when the step is now refused', async () => {
      const { directory, run, router } = markLike('test.gone');
      const asked = await router.route(invoke('test.gone', {}), context());
      directory.present = false;
      const stale = await router.route(invoke('confirm.accept', confirmOf(asked)), context());
      expect(run).not.toHaveBeenCalled();
      expect(responseText(stale.response)).toContain('That account no longer exists.');
      expect(responseText(stale.response)).toContain('nothing was done');
    });
  });

  it('does not run after the confirmation expired', async () => {
    const run = jest.fn((_c: ActionContext, _d: unknown) => Promise.resolve({ message: 'ran' }));
    const remove: AnyCardAction = { verb: 'test.late', data: z.object({}), permission: 'admins', sideEffect: 'destructive', confirm: () => Promise.resolve(QUESTION), run };
    let now = new Date('2026-12-02T10:00:00Z');
    const router = new ActionRouter([remove], [], () => now);
    const asked = await router.route(invoke('test.late', {}), context());
    now = new Date('2026-12-02T10:16:00Z');
    const late = await router.route(invoke('confirm.accept', executeData(asked.response.value, 'confirm.accept')), context());
    expect(responseText(late.response)).toContain('expired');
    expect(run).not.toHaveBeenCalled();
  });
});

/**
 * Commands declared 'none' are run with each of their examples, as an admin, against in-memory Graph ports and a real
 * store, and must leave no trace beyond what 'none' allows: the caller's own drafts, the audit log, de-duplication claims
 * and pending confirmations. Graph writes are recorded at the port (invite, add to group, assign, unassign), proactive
 * messages at the notifier, and every other table is counted before and after. Card actions have no examples to run, so
 * their 'none' is checked by review, not here.
 */
describe("commands declared 'none' write nothing", () => {
  let services: TestServices;
  beforeAll(async () => {
    services = await testServices();
  });
  afterAll(async () => {
    await services.dispose();
  });

  async function footprint(): Promise<Record<string, number>> {
    const count = async (query: string): Promise<number> => {
      const result = await sql<{ n: number }>`${sql.raw(query)}`.execute(services.store.db);
      return Number(result.rows[0]?.n ?? 0);
    };
    return {
      invitationsBeyondDrafts: await count("select count(*) as n from invitation where state <> 'draft'"),
      bulkRunsBeyondDrafts: await count("select count(*) as n from bulk_invite_run where state <> 'draft'"),
      accessRequests: await count('select count(*) as n from access_request'),
      jobs: await count('select count(*) as n from job'),
      pacing: await count('select count(*) as n from invite_pacing'),
      graphWrites: graphWrites.length,
      proactiveMessages: services.notifier.sent.length + services.notifier.updates.length,
    };
  }

  const graphWrites: string[] = [];
  beforeAll(() => {
    for (const [port, methods] of [
      [services.invitationDirectory, ['invite', 'addToGroup']],
      [services.appDirectory, ['assign', 'unassign']],
    ] as const) {
      for (const method of methods) {
        const original = (port as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
        if (typeof original !== 'function') throw new Error(`no ${method} on the port`);
        jest.spyOn(port as unknown as Record<string, (...a: unknown[]) => unknown>, method).mockImplementation((...a: unknown[]) => {
          graphWrites.push(method);
          return original.apply(port, a);
        });
      }
    }
  });

  const cases = commands.filter((c) => c.sideEffect === 'none').flatMap((c) => c.examples.map((e) => [e, c.name] as const));
  it.each(cases)('%s', async (example) => {
    const router = new CommandRouter(commands);
    const before = await footprint();
    await router.route(example, { caller: ADMIN, services, log });
    expect(await footprint()).toEqual(before);
  });
});
