import { randomUUID } from 'node:crypto';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeActions, executeData, inputDefaults, waitFor, startBotOn, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { startTestSandbox } from '../../helpers/sandbox';

const ADELE: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTOR: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MEGAN: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const ALEX: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
const EXPENSES_USER_ROLE = '18d14569-c3bd-439b-9a66-3a2aee01d14f';

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describe('Forward to… over HTTP against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    // Nestor co-owns Contoso Expenses here, so Adele has someone to hand a request to.
    sandbox.state.servicePrincipals.get(EXPENSES)!.owners.push(NESTOR.aadObjectId);
    bot = await startBotOn(sandbox, { ROLE_CACHE_SECONDS: '600', JOB_POLL_MS: '50' });
    for (const user of [ADELE, NESTOR, MEGAN, ALEX]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  const store = () => bot.bot.services.store;
  const callsTo = (user: TestUser) => bot.connector.calls.filter((c) => c.conversationId === `a:personal-${user.aadObjectId}` && c.method === 'POST');

  async function ask(user: TestUser, text: string): Promise<ConnectorCall> {
    const activityId = randomUUID();
    await bot.say(user, text, { activityId, expectReplies: 0 });
    return waitFor(`the reply to "${text}"`, () => bot.connector.calls.find((c) => c.activity.replyToId === activityId));
  }

  async function requestExpenses(): Promise<string> {
    const form = cardOf(await ask(MEGAN, 'request expenses for alice@fabrikam.com for 14 days because Quarterly close'));
    const data = executeData(form, 'access.submit');
    if (!data) throw new Error(`no Send button in: ${cardText(form)}`);
    const sent = await bot.click(MEGAN, 'access.submit', { ...inputDefaults(form), ...data, appRoleId: EXPENSES_USER_ROLE, days: '14', justification: 'Quarterly close' });
    expect(invokeText(sent)).toContain('Waiting for approval');
    return String(data.formId);
  }

  it('hands a request to another owner: the form lists who may decide, refuses the wrong people clearly, then Nestor gets the card, Megan is told, history shows it', async () => {
    const id = await requestExpenses();
    const adeleCard = await waitFor('Adele’s approval card', () => callsTo(ADELE).find((c) => executeData(cardOf(c), 'access.approve')?.id === id));
    expect(executeActions(cardOf(adeleCard)).map((b) => b.title)).toContain('Forward to…');
    // Nestor owns the app too, so he has a card already; the forward puts it in front of him again, with Adele's comment.
    const before = await store().accessRequests.get(id);

    const opened = await bot.click(ADELE, 'access.forward', { id });
    const form = opened.value;
    const formText = cardText(form);
    expect(formText).toContain('Forward to another approver');
    expect(formText).toContain('Nestor Wilke');
    // Never herself, the requester or the partner among the choices.
    expect(JSON.stringify(form)).not.toContain(`"value":"${ADELE.aadObjectId}"`);
    expect(JSON.stringify(form)).not.toContain(`"value":"${MEGAN.aadObjectId}"`);
    expect(executeData(form, 'access.forwardSubmit')).toEqual({ id });

    const refusals: [Record<string, unknown>, string][] = [
      [{ to: ADELE.aadObjectId, comment: 'x' }, 'That is you'],
      [{ person: 'megan.bowen@contoso.com', comment: 'x' }, 'approving their own request'],
      [{ person: 'alex.wilber@contoso.com', comment: 'x' }, 'may not approve access to Contoso Expenses (SAML)'],
      [{ person: 'nobody.here@contoso.com', comment: 'x' }, 'Nobody in the directory matches'],
      [{ person: 'Al', comment: 'x' }, 'people match "Al", and none of them may decide'],
      [{ person: 'nestor.wilke@contoso.com', comment: '   ' }, 'Say in the comment why'],
      [{ comment: 'x' }, 'Pick who should decide instead'],
    ];
    for (const [inputs, expected] of refusals) {
      const refused = await bot.click(ADELE, 'access.forwardSubmit', { id, ...inputs });
      expect(invokeText(refused)).toContain(expected);
    }
    // Nothing changed by any of them; each refusal of a person is in the audit log.
    const unchanged = await store().accessRequests.get(id);
    expect(unchanged?.version).toBe(before?.version);
    expect(unchanged?.forwards ?? []).toEqual([]);
    const refusedRows = (await store().audit.list({ limit: 50, action: 'access.forward' })).filter((e) => e.detail?.request === id && e.outcome === 'refused');
    expect(refusedRows.map((e) => e.detail?.reason).sort()).toEqual(['target-not-an-approver', 'to-the-requester', 'to-yourself']);

    // The requester cannot forward her own request; the partner's manager who is no owner cannot either.
    expect(invokeText(await bot.click(MEGAN, 'access.forward', { id }))).toContain('Only the owners of Contoso Expenses (SAML)');
    expect(invokeText(await bot.click(ALEX, 'access.forwardSubmit', { id, to: NESTOR.aadObjectId, comment: 'x' }))).toContain('Only the owners');

    const nestorCardsBefore = callsTo(NESTOR).length;
    const done = await bot.click(ADELE, 'access.forwardSubmit', { id, person: 'nestor.wilke@contoso.com', comment: 'Nestor signs off Fabrikam work' });
    expect(invokeText(done)).toContain('Forwarded to Nestor Wilke');
    const record = await store().accessRequests.get(id);
    expect(record?.state).toBe('pending');
    expect(record?.forwards).toEqual([expect.objectContaining({ by: ADELE.aadObjectId, to: NESTOR.aadObjectId, toName: 'Nestor Wilke', comment: 'Nestor signs off Fabrikam work' })]);

    const nestorCard = await waitFor('Nestor’s forwarded card', () => callsTo(NESTOR).slice(nestorCardsBefore).find((c) => executeData(cardOf(c), 'access.approve')?.id === id));
    expect(cardText(cardOf(nestorCard))).toContain('Nestor signs off Fabrikam work');
    const told = await waitFor('Megan told of the forward', () => callsTo(MEGAN).find((c) => String(c.activity.text ?? '').includes('forwarded by Adele Vance to Nestor Wilke')));
    expect(cardText(cardOf(told))).toContain('Nestor signs off Fabrikam work');
    const audited = (await store().audit.list({ limit: 50, action: 'access.forward' })).filter((e) => e.detail?.request === id && e.outcome === 'success');
    expect(audited).toHaveLength(1);

    // Nestor's card refreshes for him with his own note and buttons; he approves, once.
    expect(invokeText(await bot.click(NESTOR, 'access.refresh', { id }))).toContain('Adele Vance forwarded this request to you');
    expect(invokeText(await bot.click(NESTOR, 'access.approve', { id }))).toContain('Approved by Nestor Wilke');
    await waitFor('the grant', async () => ((await store().accessRequests.get(id))?.state === 'granted' ? true : undefined));

    // A decided request is not forwarded again.
    const late = await bot.click(ADELE, 'access.forwardSubmit', { id, to: NESTOR.aadObjectId, comment: 'again' });
    expect(invokeText(late)).toContain('Not forwarded');
    expect((await store().accessRequests.get(id))?.forwards).toHaveLength(1);

    const history = cardText(cardOf(await ask(ADELE, 'history alice@fabrikam.com')));
    expect(history).toContain('forwarded to Nestor Wilke');
  });
});
