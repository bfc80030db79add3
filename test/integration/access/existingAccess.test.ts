import { randomUUID } from 'node:crypto';
import type { RunningSandbox } from '../../../sandbox/server';
import type { AccessRequestRecord } from '../../../bot/store';
import { cardOf, cardText, executeActions, executeData, inputDefaults, startBotOn, waitFor, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };

const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';
const TIMESHEET_USER = '3c1d5e7f-9a2b-4c4d-8e6f-a1b2c3d4e5f6';
/** Wendy Moran: a partner synced from on-prem AD. */
const WENDY = 'd0000000-0000-4000-8000-000000000001';
/** Her direct assignment of Timesheets, made in Entra in 2023, long before the bot (the fixture's). */
const WENDY_2023_ASSIGNMENT = 'r7HkS1aB2cD3eF4gH5iJ6k';
/** A fixture group Wendy is a direct member of. */
const ALL_PARTNERS = '9a000000-0000-4000-8000-000000000004';

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describe('access the bot did not grant is never taken away by the bot (sandbox, synced partner, no on-prem directory)', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { JOB_POLL_MS: '50', ACCESS_MAX_DAYS: '60' });
    for (const user of [ADMIN, NESTED_ADMIN, MANAGER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  const store = () => bot.bot.services.store;
  const wendysTimesheets = () => sandbox.state.appRoleAssignments.filter((a) => a.resourceId === TIMESHEETS && a.principalId === WENDY);
  const settledIn = (id: string, states: AccessRequestRecord['state'][]) =>
    waitFor(`request ${id} to be ${states.join(' or ')}`, async () => {
      const record = await store().accessRequests.get(id);
      return record && states.includes(record.state) ? record : undefined;
    });

  async function ask(user: TestUser, text: string): Promise<ConnectorCall> {
    const activityId = randomUUID();
    await bot.say(user, text, { activityId, expectReplies: 0 });
    return waitFor(`the reply to "${text}"`, () => bot.connector.calls.find((c) => c.activity.replyToId === activityId));
  }

  /** Runs the grant's expiry now, as the job would at its end date. */
  async function expireNow(id: string): Promise<void> {
    const past = new Date(Date.now() - 1000).toISOString();
    await store().db.updateTable('access_request').set({ expires_at: past }).where('id', '=', id).execute();
    await store().db.updateTable('job').set({ run_at: past }).where('unique_key', '=', `access.expire:${id}`).execute();
    bot.bot.jobs.wake();
    await settledIn(id, ['expired']);
    await waitFor('the expiry to be reported', async () =>
      (await store().audit.list({ action: 'access.expire' })).find((a) => a.outcome === 'success' && a.detail?.request === id),
    );
  }

  /** Request → approve of Timesheets for Wendy, for 20 days; returns the request once the grant step has run. */
  async function requestAndApprove(): Promise<{ form: unknown; approval: string; record: AccessRequestRecord }> {
    bot.connector.clear();
    const reply = await ask(MANAGER, 'request timesheets for wmoran@fabrikam.com for 20 days because Timesheets for the Fabrikam crew');
    const form = cardOf(reply);
    const data = executeData(form, 'access.submit');
    if (!data) throw new Error(`no Send button in: ${cardText(form)}`);
    const submitted = await bot.click(MANAGER, 'access.submit', { ...inputDefaults(form), ...data, days: '20', justification: 'Timesheets for the Fabrikam crew' });
    expect(invokeText(submitted)).toContain('Waiting for approval');
    const id = String(data.formId);
    const card = await waitFor('the approval card', () =>
      bot.connector.calls.find((c) => c.conversationId === `a:personal-${NESTED_ADMIN.aadObjectId}` && executeData(cardOf(c), 'access.approve')?.id === id),
    );
    sandbox.resetStats();
    await bot.click(NESTED_ADMIN, 'access.approve', { id });
    const record = await settledIn(id, ['granted', 'failed']);
    return { form, approval: cardText(cardOf(card)), record };
  }

  it("at the end of a 20-day grant, Wendy keeps the Timesheets assignment she has held since 2023, and whois still shows it", async () => {
    expect(wendysTimesheets().map((a) => [a.id, a.createdDateTime])).toEqual([[WENDY_2023_ASSIGNMENT, '2023-01-09T12:00:00Z']]);
    const { record } = await requestAndApprove();
    expect(record.state).toBe('granted');
    // Approving changed nothing in Graph: no assignment was made, and the record says why.
    expect(sandbox.stats().requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(record.grantProgress).toMatchObject({ alreadyHadAccess: true, createdAssignmentId: null });
    const grantAudit = (await store().audit.list({ action: 'access.grant' })).find((a) => a.detail?.request === record.id);
    expect(grantAudit).toMatchObject({ outcome: 'success', detail: { alreadyHadAccess: true, createdAssignment: null } });

    await expireNow(record.id);
    expect(wendysTimesheets().map((a) => a.id)).toEqual([WENDY_2023_ASSIGNMENT]);
    const whois = cardText(cardOf(await ask(ADMIN, 'whois wmoran@fabrikam.com')));
    expect(whois).toContain('Contoso Timesheets (IWA)');

    // The requester is told that nothing was removed, and the synced partner's own AD account is not called a shadow account.
    const told = await waitFor('the requester to be told', () =>
      bot.connector.calls.find((c) => c.method === 'POST' && c.conversationId === `a:personal-${MANAGER.aadObjectId}` && cardText(cardOf(c)).includes('has expired')),
    );
    const text = cardText(cardOf(told));
    expect(text).toContain('already had this access');
    expect(text).toContain('Their own AD account');
    expect(text).not.toMatch(/shadow account by hand/i);
  });

  it('the form, the approval card and the grant say that she already holds the role', async () => {
    const { form, approval, record } = await requestAndApprove();
    expect(cardText(form)).toContain('Already has access');
    expect(cardText(form)).toContain('direct assignment');
    expect(approval).toContain('Already has access');
    expect(approval).toContain('2023-01-09');
    expect(record.grantProgress.alreadyHadAccess).toBe(true);
    await expireNow(record.id);
    expect(wendysTimesheets().map((a) => a.id)).toEqual([WENDY_2023_ASSIGNMENT]);
  });

  it('revoke lists each assignment with its origin, removes a direct one only when switched on, and refuses an id it did not offer', async () => {
    sandbox.state.appRoleAssignments.push({ id: 'allPartnersTimesheets01', principalId: ALL_PARTNERS, resourceId: TIMESHEETS, appRoleId: TIMESHEET_USER, createdDateTime: '2025-02-01T00:00:00Z' });
    try {
      /** A fresh confirmation card: each one confirms once. */
      const confirmCard = async () => {
        const card = cardOf(await ask(ADMIN, 'revoke timesheets for wmoran@fabrikam.com'));
        const confirm = executeActions(card).find((a) => a.verb === 'revoke.confirm')?.data;
        if (!confirm) throw new Error(`no confirm button in: ${cardText(card)}`);
        return { card, defaults: inputDefaults(card), confirm };
      };
      const { card, defaults, confirm } = await confirmCard();
      const text = cardText(card);
      expect(text).toContain('direct, not granted by the bot (created 2023-01-09)');
      expect(text).toContain('through the group All Partners');
      expect(text).toContain('Revoke cannot remove it');
      expect(text).not.toMatch(/disable the shadow account|shadow account by hand/i);
      expect(text).toContain('Their own AD account');
      // One toggle, for the direct assignment, off by default; none for the group's. The button carries only its confirmation.
      expect(defaults).toMatchObject({ [`remove:${WENDY_2023_ASSIGNMENT}`]: 'false' });
      expect(Object.keys(defaults).filter((k) => k.startsWith('remove:'))).toHaveLength(1);
      expect(Object.keys(confirm)).toEqual(['confirmationId']);

      // As shown: nothing is the bot's, nothing switched on, so nothing changes.
      const untouched = await bot.click(ADMIN, 'revoke.confirm', { ...defaults, ...confirm });
      expect(invokeText(untouched)).toContain('Nothing was changed');
      expect(wendysTimesheets()).toHaveLength(1);

      // Card data is user input: a group's assignment, or any id the card did not offer, is refused.
      const second = await confirmCard();
      const forged = await bot.click(ADMIN, 'revoke.confirm', { ...second.defaults, ...second.confirm, 'remove:allPartnersTimesheets01': 'true' });
      expect(invokeText(forged)).toContain('Nothing was changed');
      expect(sandbox.state.appRoleAssignments.filter((a) => a.resourceId === TIMESHEETS && (a.principalId === WENDY || a.principalId === ALL_PARTNERS))).toHaveLength(2);
      // The service checks again what Graph lists at the click, whatever the card offered.
      const graphRefusal = await bot.bot.services.accessRevocation.revoke(
        { aadObjectId: ADMIN.aadObjectId, tenantId: sandbox.state.tenant.id, teamsUserId: `29:${ADMIN.aadObjectId}`, name: ADMIN.name, roles: ['admin'] },
        TIMESHEETS,
        'wmoran@fabrikam.com',
        { offered: ['allPartnersTimesheets01'], chosen: ['allPartnersTimesheets01'] },
      );
      expect(graphRefusal.kind).toBe('notOffered');

      // Switched on, with a reason: the direct assignment goes, the group's stays, and the audit has the reason.
      const third = await confirmCard();
      const removed = await bot.click(ADMIN, 'revoke.confirm', { ...third.defaults, ...third.confirm, [`remove:${WENDY_2023_ASSIGNMENT}`]: 'true', reason: 'Contract ended' });
      const removedText = invokeText(removed);
      expect(removedText).toContain('is revoked');
      expect(removedText).toContain('Their own AD account');
      expect(wendysTimesheets()).toHaveLength(0);
      expect(sandbox.state.appRoleAssignments.filter((a) => a.principalId === ALL_PARTNERS && a.resourceId === TIMESHEETS)).toHaveLength(1);
      const audit = (await store().audit.list({ action: 'access.revoke' })).find((a) => a.outcome === 'success');
      expect(audit?.detail).toMatchObject({ reason: 'Contract ended', chosenDirectAssignments: [WENDY_2023_ASSIGNMENT], removedAssignments: 1, keptThroughGroups: 1 });
    } finally {
      sandbox.state.appRoleAssignments.splice(0, sandbox.state.appRoleAssignments.length, ...sandbox.state.appRoleAssignments.filter((a) => a.id !== 'allPartnersTimesheets01'));
    }
  });
});
