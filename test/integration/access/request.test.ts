import type { RunningSandbox } from '../../../sandbox/server';
import type { AccessRequestRecord } from '../../../bot/store';
import { randomUUID } from 'node:crypto';
import { cardOf, cardText, executeData, inputDefaults, waitFor, startBotOn, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
const ERIK_AS_USER: TestUser = { aadObjectId: 'e0000000-0000-4000-8000-000000000004', name: 'Erik Lindqvist' };

const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';
/** Wendy's direct Timesheets assignment in the fixture, from 2023: older than the bot. */
const WENDY_TIMESHEETS_ASSIGNMENT = 'r7HkS1aB2cD3eF4gH5iJ6k';
const WIKI = 'f3000000-0000-4000-8000-000000000003';
const EXPENSES_USER_ROLE = '18d14569-c3bd-439b-9a66-3a2aee01d14f';
const EXPENSES_MSIAM_ROLE = 'b9632174-c057-4f7e-951b-be3adc52bfe6';
const APPROVALS_CHANNEL = '19:approvals-channel@thread.tacv2';

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describe('request → approve → grant over HTTP against the sandbox (no on-prem directory)', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { APPROVALS_CONVERSATION_ID: APPROVALS_CHANNEL, ROLE_CACHE_SECONDS: '600', JOB_POLL_MS: '50', ACCESS_MAX_DAYS: '60', ACCESS_DEFAULT_DAYS: '30' });
    // Everyone talks to the bot once, so their personal chats are known for proactive cards.
    for (const user of [ADMIN, NESTED_ADMIN, MANAGER, MEMBER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  const store = () => bot.bot.services.store;
  const assignments = (spId: string, principalId: string) => sandbox.state.appRoleAssignments.filter((a) => a.resourceId === spId && a.principalId === principalId);
  const callsTo = (user: TestUser, method = 'POST') => bot.connector.calls.filter((c) => c.conversationId === `a:personal-${user.aadObjectId}` && c.method === method);
  const state = async (id: string) => (await store().accessRequests.get(id))?.state;
  const settledIn = (id: string, states: AccessRequestRecord['state'][]) =>
    waitFor(`request ${id} to be ${states.join(' or ')}`, async () => {
      const record = await store().accessRequests.get(id);
      return record && states.includes(record.state) ? record : undefined;
    });

  /** Sends a message and returns the bot's reply to it (proactive cards from jobs may arrive in between). */
  async function ask(user: TestUser, text: string): Promise<ConnectorCall> {
    const activityId = randomUUID();
    await bot.say(user, text, { activityId, expectReplies: 0 });
    return waitFor(`the reply to "${text}"`, () => bot.connector.calls.find((c) => c.activity.replyToId === activityId));
  }

  /** request … → the form → Send with the given inputs; returns the form, the submit result and the new request. */
  async function requestVia(user: TestUser, command: string, inputs: Record<string, unknown> = {}) {
    const reply = await ask(user, command);
    const form = cardOf(reply);
    const data = executeData(form, 'access.submit');
    if (!data) throw new Error(`no Send request button in: ${cardText(form)}`);
    const result = await bot.click(user, 'access.submit', { ...inputDefaults(form), ...data, ...inputs });
    const record = await store().accessRequests.get(String(data.formId));
    return { form, data, result, record };
  }

  /** The approval card a user got in their personal chat for this request. */
  function approvalCardIn(user: TestUser, id: string): ConnectorCall | undefined {
    return callsTo(user).find((c) => executeData(cardOf(c), 'access.approve')?.id === id);
  }

  it('request → approve → SAML grant: the owner approves once, the job assigns once, everyone is told', async () => {
    bot.connector.clear();
    const reply = await ask(MANAGER, 'request expenses for alice@fabrikam.com for 14 days because Quarterly close with Fabrikam');
    const form = cardOf(reply);
    const formText = cardText(form);
    expect(formText).toContain('Request access to Contoso Expenses (SAML)');
    expect(formText).toContain('Alice Smith (Fabrikam) (alice@fabrikam.com)');
    expect(formText).toContain('Not needed: the app does not use Kerberos');
    expect(JSON.stringify(form)).toContain('"id":"appRoleId"');
    expect(JSON.stringify(form)).toContain('"value":14');
    const data = executeData(form, 'access.submit');
    expect(data).toMatchObject({ servicePrincipalId: EXPENSES, partner: 'alice@fabrikam.com' });

    const submitted = await bot.click(MANAGER, 'access.submit', { ...data, appRoleId: EXPENSES_MSIAM_ROLE, days: '14', justification: 'Quarterly close with Fabrikam' });
    const submittedText = invokeText(submitted);
    expect(submittedText).toContain('Waiting for approval');
    expect(submittedText).toContain('One approver got the card in Teams.');
    expect(submittedText).toContain('The approvals channel has it too.');
    const id = String(data?.formId);

    // The owner (Adele) gets the card; Nestor is an admin but not an owner of this app, so he does not.
    await bot.connector.waitForCalls(1 + 2);
    const toAdele = approvalCardIn(ADMIN, id);
    expect(toAdele).toBeDefined();
    expect(approvalCardIn(NESTED_ADMIN, id)).toBeUndefined();
    const approval = cardOf(toAdele) as { refresh?: { userIds?: string[] } };
    expect(approval.refresh?.userIds).toEqual([`29:${ADMIN.aadObjectId}`]);
    const approvalText = cardText(approval);
    for (const fact of ['Megan Bowen', 'Guest', 'Accepted', "fabrikam.com", 'Contoso Expenses (SAML)', 'SAML', 'msiam\\_access', '14 days', 'Quarterly close with Fabrikam', 'Owners of the app']) {
      expect(approvalText).toContain(fact);
    }
    expect(bot.connector.calls.filter((c) => c.conversationId === APPROVALS_CHANNEL && c.method === 'POST')).toHaveLength(1);

    // Approve: at once "granting…", then the job assigns and updates the cards.
    sandbox.resetStats();
    const approved = await bot.click(ADMIN, 'access.approve', { id, comment: 'Fine for the quarter' });
    expect(invokeText(approved)).toContain('Approved by Adele Vance');
    expect(executeData(approved.value, 'access.approve')).toBeUndefined();
    const granted = await settledIn(id, ['granted']);
    expect(granted.decisionComment).toBe('Fine for the quarter');
    expect(granted.expiresAt?.getTime()).toBeCloseTo((granted.grantedAt?.getTime() ?? 0) + 14 * 86_400_000, -3);

    const [assignment, ...extra] = assignments(EXPENSES, 'e0000000-0000-4000-8000-000000000001');
    expect(extra).toHaveLength(0);
    expect(assignment?.appRoleId).toBe(EXPENSES_MSIAM_ROLE);

    // Graph calls for approve + grant (three): the owners (re-checked at decision time); what the partner holds, read at grant
    // time before anything changes, so the grant records what it created (a role already held, directly or through a
    // group, changes nothing); and the one assignment.
    const requests = sandbox.stats().requests.filter((r) => !r.refused);
    expect(requests.map((r) => `${r.method} ${r.path.split('?')[0] ?? ''}`).sort()).toEqual([
      `GET /v1.0/servicePrincipals/${EXPENSES}/owners`,
      `GET /v1.0/users/e0000000-0000-4000-8000-000000000001/appRoleAssignments`,
      `POST /v1.0/servicePrincipals/${EXPENSES}/appRoleAssignedTo`,
    ]);
    expect(granted.grantProgress).toMatchObject({ createdAssignmentId: assignment?.id, alreadyAssigned: false });
    expect(granted.grantProgress.alreadyHadAccess).toBeUndefined();

    // The expiry is scheduled with the grant.
    const expiry = await bot.bot.jobs.queue.findByUniqueKey(`access.expire:${id}`);
    expect(expiry?.runAt.toISOString()).toBe(granted.expiresAt?.toISOString());

    // Requester told; the owner's and the channel's cards end as granted, without buttons.
    const told = await waitFor('the requester to be told', () => callsTo(MANAGER).find((c) => cardText(cardOf(c)).includes('Granted')));
    expect(cardText(cardOf(told))).toContain('granted until');
    const finalCards = await waitFor('the approval cards to show granted', () => {
      const puts = bot.connector.calls.filter((c) => c.method === 'PUT' && cardText(cardOf(c)).includes('granted until'));
      return puts.length >= 2 ? puts : undefined;
    });
    expect(finalCards.map((c) => c.conversationId).sort()).toEqual([APPROVALS_CHANNEL, `a:personal-${ADMIN.aadObjectId}`].sort());
    for (const put of finalCards) expect(executeData(cardOf(put), 'access.approve')).toBeUndefined();

    const audit = await store().audit.list({ target: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com' });
    expect(audit.filter((a) => a.detail?.request === id).map((a) => `${a.action}:${a.outcome}`).reverse()).toEqual([
      'access.request:requested',
      'access.approve:success',
      'access.grant:success',
    ]);

    // The requester's own card, refreshed, shows the outcome.
    const refreshed = await bot.click(MANAGER, 'access.refresh', { id });
    expect(invokeText(refreshed)).toContain('Granted');
  });

  it('a second request for the same partner, app and role is refused while the first is live', async () => {
    const { result } = await requestVia(MANAGER, 'request expenses for alice@fabrikam.com because again', { appRoleId: EXPENSES_MSIAM_ROLE });
    expect(invokeText(result)).toContain('already has this access');
    expect(await store().accessRequests.findFor('e0000000-0000-4000-8000-000000000001', EXPENSES, ['pending'])).toHaveLength(0);
  });

  it('lets the owner deny with a comment; nothing is assigned and the requester is told', async () => {
    bot.connector.clear();
    const { result, record } = await requestVia(MANAGER, 'request wiki for bob@tailspintoys.com because Project wiki', {});
    expect(invokeText(result)).toContain('Waiting for approval');
    expect(record?.appRoleId).toBe('00000000-0000-0000-0000-000000000000');
    const id = record?.id ?? '';
    const card = await waitFor('Nestor to get the card', () => approvalCardIn(NESTED_ADMIN, id));
    expect(cardText(cardOf(card))).toContain('Pending acceptance');
    const denied = await bot.click(NESTED_ADMIN, 'access.deny', { id, comment: 'Use the partner portal instead' });
    expect(invokeText(denied)).toContain('Denied by Nestor Wilke');
    expect(invokeText(denied)).toContain('Use the partner portal instead');
    expect(await state(id)).toBe('denied');
    expect(assignments(WIKI, 'e0000000-0000-4000-8000-000000000002')).toHaveLength(0);
    const told = await waitFor('the requester to be told', () => callsTo(MANAGER).find((c) => cardText(cardOf(c)).includes('Denied by Nestor Wilke')));
    expect(cardText(cardOf(told))).toContain('Use the partner portal instead');
    // The denial is told through the request's durable job, so a crash after the decision cannot lose it; the job grants nothing.
    const job = await waitFor('the job to end', async () => {
      const found = await bot.bot.jobs.queue.findByUniqueKey(`access.grant:${id}`);
      return found?.state === 'succeeded' ? found : undefined;
    });
    expect(job.payload).toMatchObject({ notified: true });
    expect(assignments(WIKI, 'e0000000-0000-4000-8000-000000000002')).toHaveLength(0);
    expect((await bot.bot.jobs.queue.findByUniqueKey(`access.requestTimeout:${id}`))?.state).toBe('cancelled');
  });

  it('refuses self-approval: an owner who asks goes to the admins, and cannot approve it themself', async () => {
    const { record } = await requestVia(ADMIN, 'request expenses for dana.reyes@outlook.com because Audit support', { appRoleId: EXPENSES_USER_ROLE });
    const id = record?.id ?? '';
    expect(record).toMatchObject({ approverSource: 'admins', approverObjectIds: [NESTED_ADMIN.aadObjectId] });
    const self = await bot.click(ADMIN, 'access.approve', { id });
    expect(invokeText(self)).toContain('cannot decide on your own request');
    expect(await state(id)).toBe('pending');
    const refused = await store().audit.list({ action: 'access.approve', actor: ADMIN.aadObjectId });
    expect(refused.find((a) => a.detail?.request === id)).toMatchObject({ outcome: 'refused', detail: { reason: 'self-approval' } });
    // The admin fallback approves.
    const approved = await bot.click(NESTED_ADMIN, 'access.approve', { id });
    expect(invokeText(approved)).toContain('Approved by Nestor Wilke');
    await settledIn(id, ['granted']);
    expect(assignments(EXPENSES, 'e0000000-0000-4000-8000-000000000003')).toHaveLength(1);
  });

  it("refuses a non-owner's approve, the partner's own, and an owner removed since the request", async () => {
    const { record } = await requestVia(MANAGER, 'request expenses for erik@lakeshore-consulting.net because Consulting', { appRoleId: EXPENSES_USER_ROLE });
    const id = record?.id ?? '';
    expect(record?.approverObjectIds).toEqual([ADMIN.aadObjectId]);

    const nonOwner = await bot.click(NESTED_ADMIN, 'access.approve', { id });
    expect(invokeText(nonOwner)).toContain('Only the owners of Contoso Expenses (SAML)');
    const member = await bot.click(MEMBER, 'access.deny', { id });
    expect(invokeText(member)).toContain('Only the owners of Contoso Expenses (SAML)');
    const partner = await bot.click(ERIK_AS_USER, 'access.approve', { id });
    expect(invokeText(partner)).toContain('The partner cannot decide');
    // Someone not involved cannot even look at it.
    expect(invokeText(await bot.click(MEMBER, 'access.refresh', { id }))).toContain('Only the requester, the approvers and the admins');

    // Adele stops being an owner: her click is checked against Graph again and refused.
    const sp = sandbox.state.servicePrincipals.get(EXPENSES);
    if (!sp) throw new Error('no Expenses service principal');
    sp.owners = [NESTED_ADMIN.aadObjectId];
    const removed = await bot.click(ADMIN, 'access.approve', { id });
    expect(invokeText(removed)).toContain('Only the owners of Contoso Expenses (SAML)');
    expect(await state(id)).toBe('pending');
    sp.owners = [ADMIN.aadObjectId];

    const refusals = (await store().audit.list({ action: 'access.approve' })).filter((a) => a.detail?.request === id);
    expect(refusals.map((a) => a.detail?.reason).sort()).toEqual(['not-an-owner', 'not-an-owner', 'partner-approval']);
    expect(assignments(EXPENSES, ERIK_AS_USER.aadObjectId)).toHaveLength(0);
  });

  it('a double click (two invokes at once, and a third from a second window) approves and grants once', async () => {
    const { record } = await requestVia(MANAGER, 'request expenses for fiona.grant@gmail.com for 3 days because Short audit', { appRoleId: EXPENSES_USER_ROLE });
    const id = record?.id ?? '';
    sandbox.resetStats();
    const clicks = await Promise.all([bot.click(ADMIN, 'access.approve', { id }), bot.click(ADMIN, 'access.approve', { id }), bot.click(ADMIN, 'access.approve', { id })]);
    for (const click of clicks) {
      expect(click.statusCode).toBe(200);
      expect(invokeText(click)).toContain('Approved by Adele Vance');
      expect(executeData(click.value, 'access.approve')).toBeUndefined();
    }
    await settledIn(id, ['granted']);
    expect(assignments(EXPENSES, 'e0000000-0000-4000-8000-000000000005')).toHaveLength(1);
    expect(sandbox.stats().requests.filter((r) => r.method === 'POST' && r.path.endsWith('/appRoleAssignedTo'))).toHaveLength(1);
    const approvals = (await store().audit.list({ action: 'access.approve' })).filter((a) => a.detail?.request === id);
    expect(approvals).toHaveLength(1);
    const grants = (await store().audit.list({ action: 'access.grant' })).filter((a) => a.detail?.request === id);
    expect(grants).toHaveLength(1);
  });

  it('times out an undecided request, updates the cards, tells the requester, and ignores a late click', async () => {
    bot.connector.clear();
    const { record } = await requestVia(MANAGER, 'request wiki for carla.diaz@wingtiptoys.com because Documentation');
    const id = record?.id ?? '';
    const timeoutJob = await bot.bot.jobs.queue.findByUniqueKey(`access.requestTimeout:${id}`);
    // It first runs a minute after the Send, to send approval cards the Send died before sending; then at the deadline.
    // The service reads its clock before the store stamps createdAt, so the two may differ by a few milliseconds.
    expect(Math.abs((timeoutJob?.runAt.getTime() ?? 0) - (record?.createdAt.getTime() ?? 0) - 60_000)).toBeLessThan(1000);
    const waits = (record?.approvalDeadline.getTime() ?? 0) - (record?.createdAt.getTime() ?? 0);
    expect(Math.abs(waits - 7 * 86_400_000)).toBeLessThan(1000);
    await waitFor('Nestor to get the card', () => approvalCardIn(NESTED_ADMIN, id));

    // Seven days pass.
    const past = new Date(Date.now() - 1000).toISOString();
    await store().db.updateTable('access_request').set({ approval_deadline: past }).where('id', '=', id).execute();
    await store().db.updateTable('job').set({ run_at: past }).where('unique_key', '=', `access.requestTimeout:${id}`).execute();
    bot.bot.jobs.wake();
    await settledIn(id, ['timedOut']);

    const put = await waitFor('the approval card to show the time-out', () =>
      bot.connector.calls.find((c) => c.method === 'PUT' && c.conversationId === `a:personal-${NESTED_ADMIN.aadObjectId}` && cardText(cardOf(c)).includes('Timed out')),
    );
    expect(executeData(cardOf(put), 'access.approve')).toBeUndefined();
    await waitFor('the requester to be told', () => callsTo(MANAGER).find((c) => cardText(cardOf(c)).includes('Timed out')));
    const late = await bot.click(NESTED_ADMIN, 'access.approve', { id });
    expect(invokeText(late)).toContain('Timed out');
    expect(await state(id)).toBe('timedOut');
    expect(assignments(WIKI, 'e0000000-0000-4000-8000-000000000006')).toHaveLength(0);
    const audit = (await store().audit.list({ action: 'access.timeout' })).filter((a) => a.detail?.request === id);
    expect(audit).toHaveLength(1);
  });

  it('sends the approval cards from the time-out job when the Send died before they went out, then waits for the deadline', async () => {
    bot.connector.clear();
    const { record } = await requestVia(MANAGER, 'request wiki for fiona.grant@gmail.com because Docs review');
    const id = record?.id ?? '';
    await waitFor('Nestor to get the card', () => approvalCardIn(NESTED_ADMIN, id));
    // As if the process died right after storing the request: no card went out.
    await store().accessRequests.setApprovalMessages(id, []);
    bot.connector.clear();
    await store().db.updateTable('job').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('unique_key', '=', `access.requestTimeout:${id}`).execute();
    bot.bot.jobs.wake();
    await waitFor('Nestor to get the card from the job', () => approvalCardIn(NESTED_ADMIN, id));
    const stored = await waitFor('the cards to be recorded', async () => {
      const now = await store().accessRequests.get(id);
      return now && now.approvalMessages.length > 0 ? now : undefined;
    });
    const timeoutJob = await waitFor('the time-out job to wait for the deadline', async () => {
      const job = await bot.bot.jobs.queue.findByUniqueKey(`access.requestTimeout:${id}`);
      return job?.state === 'pending' && job.runAt.getTime() === stored.approvalDeadline.getTime() ? job : undefined;
    });
    expect({ state: stored.state, runAt: timeoutJob.runAt.toISOString() }).toEqual({ state: 'pending', runAt: stored.approvalDeadline.toISOString() });
  });

  it('refuses a Kerberos app for an invited guest when no on-prem directory is configured, but a synced partner needs none', async () => {
    const refused = await ask(MANAGER, 'request timesheets for alice@fabrikam.com');
    const text = cardText(cardOf(refused));
    expect(text).toContain('cannot be granted here');
    expect(text).toContain('no on-prem directory is configured');

    const { form, result, record } = await requestVia(MANAGER, 'request timesheets for wmoran@fabrikam.com because Timesheets for the Fabrikam crew');
    expect(cardText(form)).toContain("Not needed: the partner's own account is synced from on-prem AD");
    expect(invokeText(result)).toContain('Waiting for approval');
    const id = record?.id ?? '';
    expect(record).toMatchObject({ shadowPlan: 'synced', guestOnPremSynced: true });
    // The approver sees a guest like any other, told where a synced partner differs: their own AD account, no shadow account.
    const approval = await waitFor('the approval card', async () => approvalCardIn(NESTED_ADMIN, record?.id ?? ''));
    const approvalText = cardText(cardOf(approval));
    expect(approvalText).toContain('Guest, synced from on-prem AD');
    expect(approvalText).toContain("Not needed: the partner's own account is synced from on-prem AD");
    sandbox.resetStats();
    await bot.click(NESTED_ADMIN, 'access.approve', { id });
    const granted = await settledIn(id, ['granted']);
    // Wendy has held the role directly since 2023: the grant records "already had access", creates nothing, and so its
    // expiry will remove nothing.
    expect(granted.grantProgress).toMatchObject({ alreadyHadAccess: true, createdAssignmentId: null, assignmentId: WENDY_TIMESHEETS_ASSIGNMENT });
    expect(granted.grantProgress.shadowAccount).toBeUndefined();
    expect(assignments(TIMESHEETS, 'd0000000-0000-4000-8000-000000000001').map((a) => a.id)).toEqual([WENDY_TIMESHEETS_ASSIGNMENT]);
    expect(sandbox.stats().requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    const [audit] = (await store().audit.list({ action: 'access.grant' })).filter((a) => a.detail?.request === id);
    expect(audit).toMatchObject({ outcome: 'success', detail: { alreadyHadAccess: true, createdAssignment: null } });
  });

  it('explains a partner who is not a guest yet, a member address, and a bad address', async () => {
    const unknown = await ask(MANAGER, 'request wiki for newbie@fabrikam.com');
    expect(cardText(cardOf(unknown))).toContain('newbie@fabrikam.com is not a guest here yet');
    expect(cardText(cardOf(unknown))).toContain('invite newbie@fabrikam.com');
    const member = await ask(MANAGER, 'request wiki for alex.wilber@contoso.com');
    expect(cardText(cardOf(member))).toContain('belongs to a member account');
    const bad = await ask(MANAGER, 'request wiki for a..b@fabrikam.com');
    expect(cardText(cardOf(bad))).toContain("not a partner's email address");
  });

  it('offers a pick list for an ambiguous name, and the apps card button opens the form', async () => {
    const pick = await ask(MANAGER, 'request contoso for bob@tailspintoys.com for 5 days because Pilot');
    const card = cardOf(pick);
    expect(cardText(card)).toContain('3 apps match "contoso"');
    const next = executeData(card, 'access.request');
    expect(next).toMatchObject({ partner: 'bob@tailspintoys.com', days: '5', justification: 'Pilot' });
    const chosen = await bot.click(MANAGER, 'access.request', { ...next, servicePrincipalId: WIKI });
    expect(invokeText(chosen)).toContain('Request access to Contoso Wiki (header-based)');
    expect(JSON.stringify(chosen.value)).toContain('"value":5');

    const apps = await ask(MANAGER, 'apps');
    const button = executeData(cardOf(apps), 'access.request');
    expect(button).toEqual({ servicePrincipalId: EXPENSES });
    const form = await bot.click(MANAGER, 'access.request', { ...button });
    expect(JSON.stringify(form.value)).toContain('"id":"email"');
    expect(JSON.stringify(form.value)).toContain('"value":30');
    // A member cannot start a request.
    expect(invokeText(await bot.click(MEMBER, 'access.request', { ...button }))).toContain('Only partner managers and admins');
  });

  it('checks the form again on the server: duration, justification, role', async () => {
    const reply = await ask(MANAGER, 'request expenses for bob@tailspintoys.com');
    const data = executeData(cardOf(reply), 'access.submit');
    const tooLong = await bot.click(MANAGER, 'access.submit', { ...data, appRoleId: EXPENSES_USER_ROLE, days: '61', justification: 'x' });
    expect(invokeText(tooLong)).toContain('from 1 to 60');
    const noReason = await bot.click(MANAGER, 'access.submit', { ...data, appRoleId: EXPENSES_USER_ROLE, days: '5', justification: '   ' });
    expect(invokeText(noReason)).toContain('Justification');
    const noRole = await bot.click(MANAGER, 'access.submit', { ...data, days: '5', justification: 'Pilot' });
    expect(invokeText(noRole)).toContain('has 2 roles; choose one');
    const foreignRole = await bot.click(MANAGER, 'access.submit', { ...data, appRoleId: '3c1d5e7f-9a2b-4c4d-8e6f-a1b2c3d4e5f6', days: '5', justification: 'Pilot' });
    expect(invokeText(foreignRole)).toContain('no such role');
    expect(await store().accessRequests.get(String(data?.formId))).toBeUndefined();
    // Another user cannot submit my form once it exists.
    await bot.click(MANAGER, 'access.submit', { ...data, appRoleId: EXPENSES_USER_ROLE, days: '5', justification: 'Pilot' });
    expect(invokeText(await bot.click(ADMIN, 'access.submit', { ...data, appRoleId: EXPENSES_USER_ROLE, days: '5', justification: 'Pilot' }))).toContain('belongs to someone else');
  });

  it('lets the requester withdraw a pending request from requests: approvers see it, the time-out is cancelled, a late Approve changes nothing', async () => {
    bot.connector.clear();
    const { result, record } = await requestVia(MANAGER, 'request wiki for dana.reyes@outlook.com because Docs review');
    expect(invokeText(result)).toContain('Waiting for approval');
    const id = record?.id ?? '';
    await waitFor('Nestor to get the card', () => approvalCardIn(NESTED_ADMIN, id));
    const sentCards = await waitFor('the approval cards to be recorded', async () => {
      const stored = await store().accessRequests.get(id);
      return stored && stored.approvalMessages.length >= 2 ? stored.approvalMessages : undefined;
    });

    // Only pending rows have Withdraw, and each carries its own request's id.
    const list = cardOf(await ask(MANAGER, 'requests'));
    const withdrawIds = [...JSON.stringify(list).matchAll(/"verb":"access\.withdraw","data":\{"id":"([^"]+)"\}/g)].map((m) => m[1]);
    const pendingIds = (await store().accessRequests.listByRequester(MANAGER.aadObjectId, 50)).filter((r) => r.state === 'pending').map((r) => r.id);
    expect(withdrawIds).toContain(id);
    expect(withdrawIds.sort()).toEqual(pendingIds.sort());

    // Someone else, even an admin approver, cannot withdraw it.
    const byOther = await bot.click(NESTED_ADMIN, 'access.withdraw', { id });
    expect(invokeText(byOther)).toContain('Only the person who asked');
    expect(await state(id)).toBe('pending');

    const withdrawn = await bot.click(MANAGER, 'access.withdraw', { id });
    const withdrawnText = invokeText(withdrawn);
    expect(withdrawnText).toContain('Withdrawn: Contoso Wiki (header-based) for Dana Reyes');
    expect(withdrawnText).toContain('Withdrawn by Megan Bowen');
    expect(JSON.stringify(withdrawn.value)).not.toContain(`"verb":"access.withdraw","data":{"id":"${id}"}`);
    expect(await state(id)).toBe('withdrawn');
    expect((await bot.bot.jobs.queue.findByUniqueKey(`access.requestTimeout:${id}`))?.state).toBe('cancelled');

    // Every approval card sent (each approver's chat and the channel) now says it was withdrawn, without buttons.
    const puts = await waitFor('every approval card to show the withdrawal', () => {
      const found = bot.connector.calls.filter((c) => c.method === 'PUT' && cardText(cardOf(c)).includes('Withdrawn by Megan Bowen'));
      return found.length >= sentCards.length ? found : undefined;
    });
    expect(new Set(puts.map((c) => c.activityId))).toEqual(new Set(sentCards.map((m) => m.activityId)));
    for (const put of puts) expect(executeData(cardOf(put), 'access.approve')).toBeUndefined();

    // An approver who clicks Approve on an old card is shown the request as it stands; nothing is granted.
    const late = await bot.click(NESTED_ADMIN, 'access.approve', { id });
    expect(invokeText(late)).toContain('Withdrawn by Megan Bowen');
    expect(executeData(late.value, 'access.approve')).toBeUndefined();
    expect(await state(id)).toBe('withdrawn');
    expect(await bot.bot.jobs.queue.findByUniqueKey(`access.grant:${id}`)).toBeUndefined();
    expect(assignments(WIKI, 'e0000000-0000-4000-8000-000000000003')).toHaveLength(0);

    // A second Withdraw changes nothing, and the audit log has the one withdrawal and the one refusal.
    expect(invokeText(await bot.click(MANAGER, 'access.withdraw', { id }))).toContain('already withdrawn');
    const audit = (await store().audit.list({ action: 'access.withdraw' })).filter((a) => a.detail?.request === id);
    expect(audit.map((a) => `${a.outcome}:${a.actor}`).sort()).toEqual([`refused:${NESTED_ADMIN.aadObjectId}`, `success:${MANAGER.aadObjectId}`].sort());
  });

  it('lists my requests and the approvals waiting for me, and Review opens the decision card', async () => {
    const mine = await ask(MANAGER, 'requests');
    const mineText = cardText(cardOf(mine));
    expect(mineText).toContain('Contoso Expenses (SAML) for Alice Smith (Fabrikam)');
    expect(mineText).toContain('granted until');
    expect(mineText).toContain('Denied by Nestor Wilke');

    const waiting = await ask(ADMIN, 'pending');
    const waitingCard = cardOf(waiting);
    const waitingText = cardText(waitingCard);
    expect(waitingText).toContain('Erik Lindqvist');
    expect(waitingText).not.toContain('Dana Reyes');
    const review = executeData(waitingCard, 'access.refresh');
    const opened = await bot.click(ADMIN, 'access.refresh', { ...review });
    expect(executeData(opened.value, 'access.approve')).toBeDefined();

    const nothing = await ask(MEMBER, 'pending');
    expect(cardText(cardOf(nothing))).toContain('Nothing waiting for you');
  });
});
