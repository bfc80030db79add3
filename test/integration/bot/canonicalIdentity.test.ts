import { randomUUID } from 'node:crypto';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeData, inputDefaults, startBotOn, waitFor, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { startTestSandbox } from '../../helpers/sandbox';

/**
 * Adele owns Contoso Expenses, so a request she makes goes to the admins, never to her. Graph resolves `/users/{upn}` as it
 * resolves `/users/{id}`, so when her activity named her by UPN, or by her id in braces, she kept her roles but the request
 * recorded a requester that no string comparison recognized as her, she stayed on the approver list, and she approved her
 * own request. The caller is now identified by a canonical object id, or refused.
 */

const ADELE_ID = 'a0000000-0000-4000-8000-000000000001';
const ADELE: TestUser = { aadObjectId: ADELE_ID, name: 'Adele Vance' };
const NESTOR: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
/** Adele in Teams, with from.aadObjectId written another way; her Teams user id is the real one. */
const adeleAs = (aadObjectId: string): TestUser => ({ aadObjectId, name: 'Adele Vance', teamsId: `29:${ADELE_ID}` });
const EXPENSES_USER_ROLE = '18d14569-c3bd-439b-9a66-3a2aee01d14f';

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describe('a requester named by something other than their canonical object id cannot approve their own request', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { ROLE_CACHE_SECONDS: '600', JOB_POLL_MS: '50' });
    for (const user of [ADELE, NESTOR]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  const store = () => bot.bot.services.store;

  async function ask(user: TestUser, text: string): Promise<ConnectorCall> {
    const activityId = randomUUID();
    await bot.say(user, text, { activityId, expectReplies: 0 });
    return waitFor(`the reply to "${text}"`, () => bot.connector.calls.find((c) => c.activity.replyToId === activityId));
  }

  it('refuses a UPN in aadObjectId at every step, so the request she would approve herself never exists', async () => {
    const upn = adeleAs('adele.vance@contoso.com');
    sandbox.resetStats();
    const reply = await ask(upn, 'request expenses for dana.reyes@outlook.com because Audit support');
    const text = cardText(cardOf(reply));
    expect(text).toContain("I can't tell who you are");
    expect(text).toContain('not an Entra ID object id');
    expect(executeData(cardOf(reply), 'access.submit')).toBeUndefined();
    expect(sandbox.stats().requests).toHaveLength(0);

    // The Send button of the form she gets under her real id, clicked under the UPN with a form id of its own.
    const form = cardOf(await ask(ADELE, 'request expenses for dana.reyes@outlook.com because Audit support'));
    const data = executeData(form, 'access.submit');
    if (!data) throw new Error(`no Send request button in: ${cardText(form)}`);
    const id = randomUUID();
    const submitted = await bot.click(upn, 'access.submit', { ...inputDefaults(form), ...data, formId: id, appRoleId: EXPENSES_USER_ROLE });
    expect(invokeText(submitted)).toContain('not an Entra ID object id');

    // Under her real id she is the app's owner; before, that made her the request's approver.
    const approved = await bot.click(ADELE, 'access.approve', { id });
    expect(invokeText(approved)).not.toContain('Approved by');
    expect(await store().accessRequests.get(id)).toBeUndefined();
    expect(await store().audit.list({ actor: 'adele.vance@contoso.com' })).toHaveLength(0);
  });

  it.each([
    ['in braces', `{${ADELE_ID}}`],
    ['in uppercase', ADELE_ID.toUpperCase()],
  ])('records a request made with the id %s under the canonical id, so the admins decide it and Adele cannot', async (_how, written) => {
    const reply = await ask(adeleAs(written), 'request expenses for dana.reyes@outlook.com because Audit support');
    const form = cardOf(reply);
    const data = executeData(form, 'access.submit');
    if (!data) throw new Error(`no Send request button in: ${cardText(form)}`);
    const submitted = await bot.click(adeleAs(written), 'access.submit', { ...inputDefaults(form), ...data, appRoleId: EXPENSES_USER_ROLE });
    expect(invokeText(submitted)).toContain('Waiting for approval');
    const id = String(data.formId);
    const record = await store().accessRequests.get(id);
    expect(record).toMatchObject({ requesterObjectId: ADELE_ID, approverSource: 'admins', approverObjectIds: [NESTOR.aadObjectId] });

    for (const self of [ADELE, adeleAs(written)]) {
      const approved = await bot.click(self, 'access.approve', { id });
      expect(invokeText(approved)).toContain('cannot decide on your own request');
    }
    expect((await store().accessRequests.get(id))?.state).toBe('pending');

    const withdrawn = await bot.click(ADELE, 'access.withdraw', { id });
    expect(withdrawn.statusCode).toBe(200);
    expect((await store().accessRequests.get(id))?.state).toBe('withdrawn');
  });
});
