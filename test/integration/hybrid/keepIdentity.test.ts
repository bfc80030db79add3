import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardText, executeData, startBotOn, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import { GraphAccountState, MasteredOnPremError } from '../../../bot/graph/accountState';
import { contosoFixture, sandboxGraphClient, startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const WENDY = 'd0000000-0000-4000-8000-000000000001';
/** Wendy's second identity: an invited guest with the same email. */
const TWIN = 'e0000000-0000-4000-8000-000000000099';
const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
const EXPENSES_USER = '18d14569-c3bd-439b-9a66-3a2aee01d14f';
const TIMESHEETS = 'f3000000-0000-4000-8000-000000000002';
const TIMESHEETS_ROLE = '3c1d5e7f-9a2b-4c4d-8e6f-a1b2c3d4e5f6';
const FINANCE_GROUP = '9a000000-0000-4000-8000-000000000005';

function text(result: InvokeResult): string {
  if (typeof result.value === 'string') return result.value;
  expect(validateAdaptiveCard(result.value)).toEqual([]);
  return cardText(result.value);
}

describe('keeping one of two identities, step by step, against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;
  const direct = (principalId: string) => sandbox.state.appRoleAssignments.filter((a) => a.principalId === principalId).map((a) => `${a.resourceId}/${a.appRoleId}`).sort();

  beforeAll(async () => {
    const fixture = contosoFixture();
    fixture.users.push({
      id: TWIN,
      userPrincipalName: 'wmoran_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      displayName: 'Wendy Moran (Fabrikam)',
      userType: 'Guest',
      mail: 'wmoran@fabrikam.com',
      otherMails: ['wmoran@fabrikam.com'],
      creationType: 'Invitation',
      externalUserState: 'Accepted',
      accountEnabled: true,
    });
    fixture.appRoleAssignments.push(
      { id: 'twinExpensesAssignment01', principalId: TWIN, resourceId: EXPENSES, appRoleId: EXPENSES_USER, createdDateTime: '2024-06-01T09:00:00Z' },
      { id: 'twinTimesheetsAssign0001', principalId: TWIN, resourceId: TIMESHEETS, appRoleId: TIMESHEETS_ROLE, createdDateTime: '2024-06-01T09:00:00Z' },
    );
    fixture.groups.find((g) => g.id === FINANCE_GROUP)?.members?.push(TWIN);
    sandbox = await startTestSandbox({ fixture });
    bot = await startBotOn(sandbox);
    for (const user of [ADMIN, MANAGER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('moves the app access first (asked), then disables the other (asked again), and touches nothing else', async () => {
    const data = { keepObjectId: WENDY, otherObjectId: TWIN };
    expect(text(await bot.click(MANAGER, 'partner.keepIdentity', data))).toContain('Only admins can do this');

    const asked = await bot.click(ADMIN, 'partner.keepIdentity', data);
    const question = text(asked);
    expect(question).toContain('Move 2 app assignments to the account synced from AD wmoran@partners.contoso.com?');
    expect(question).toContain('Contoso Expenses (SAML)');
    expect(question).toContain('already held by the kept identity: only removed from the other');
    expect(question).toContain('through the group Finance Portal Users');
    expect(direct(TWIN)).toHaveLength(2);

    const moved = await bot.click(ADMIN, 'confirm.accept', { ...executeData(asked.value, 'confirm.accept') });
    expect(text(moved)).toContain('Moved 2 app assignments to Wendy Moran');
    expect(direct(TWIN)).toEqual([]);
    expect(direct(WENDY)).toEqual([`${EXPENSES}/${EXPENSES_USER}`, `${TIMESHEETS}/${TIMESHEETS_ROLE}`].sort());
    // The group's assignment, and the group membership, are as they were.
    expect(sandbox.state.groups.get(FINANCE_GROUP)?.members).toContain(TWIN);
    expect(sandbox.state.users.get(TWIN)?.accountEnabled).toBe(true);

    const next = executeData(moved.value, 'partner.keepIdentity');
    expect(next).toEqual(data);
    const askedAgain = await bot.click(ADMIN, 'partner.keepIdentity', { ...next });
    expect(text(askedAgain)).toContain('Disable the invited B2B guest wmoran\\_fabrikam.com#EXT#@contoso.onmicrosoft.com?');
    const disabled = await bot.click(ADMIN, 'confirm.accept', { ...executeData(askedAgain.value, 'confirm.accept') });
    expect(text(disabled)).toContain('Disabled the invited B2B guest');
    expect(sandbox.state.users.get(TWIN)?.accountEnabled).toBe(false);
    expect(sandbox.state.users.get(WENDY)?.accountEnabled).not.toBe(false);

    expect(text(await bot.click(ADMIN, 'partner.keepIdentity', data))).toContain('Nothing is left to do');
    const audit = await bot.bot.services.store.audit.list({ action: 'partner.keepIdentity' });
    expect(audit.filter((a) => a.outcome === 'success').map((a) => a.detail?.step).sort()).toEqual(['disable', 'move', 'move']);
    expect(audit.find((a) => a.detail?.role === TIMESHEETS_ROLE)?.detail?.createdAssignment).toBeNull();
  });

  it('refuses keeping a disabled identity, and pairs that are not one person', async () => {
    sandbox.state.users.get(TWIN)!.accountEnabled = false;
    const synced = text(await bot.click(ADMIN, 'partner.keepIdentity', { keepObjectId: TWIN, otherObjectId: WENDY }));
    // Keeping a disabled identity is refused before anything moves.
    expect(synced).toContain('is disabled: enable the identity you keep first');
    const strangers = text(await bot.click(ADMIN, 'partner.keepIdentity', { keepObjectId: WENDY, otherObjectId: 'e0000000-0000-4000-8000-000000000001' }));
    expect(strangers).toContain('do not share an email address');
    const same = text(await bot.click(ADMIN, 'partner.keepIdentity', { keepObjectId: WENDY, otherObjectId: WENDY }));
    expect(same).toContain('are the same account');
    const forged = text(await bot.click(ADMIN, 'partner.keepIdentity', { keepObjectId: 'wmoran', otherObjectId: TWIN }));
    expect(forged).not.toMatch(/Move|Disable/);
  });

  it('a synced identity that is not kept is disabled in AD, not by the bot in Entra', async () => {
    sandbox.state.users.get(TWIN)!.accountEnabled = true;
    const asked = await bot.click(ADMIN, 'partner.keepIdentity', { keepObjectId: TWIN, otherObjectId: WENDY });
    expect(text(asked)).toContain('Move 2 app assignments to the invited B2B guest');
    expect(text(await bot.click(ADMIN, 'confirm.accept', { ...executeData(asked.value, 'confirm.accept') }))).toContain('Moved 2 app assignments');
    expect(direct(WENDY)).toEqual([]);
    const refused = text(await bot.click(ADMIN, 'partner.keepIdentity', { keepObjectId: TWIN, otherObjectId: WENDY }));
    expect(refused).toContain('it is synced from AD, where it is mastered: disable it in AD (wmoran)');
    expect(sandbox.state.users.get(WENDY)?.accountEnabled).not.toBe(false);
  });

  it('the sandbox refuses PATCH accountEnabled on a synced user, as the directory does', async () => {
    const accounts = new GraphAccountState(sandboxGraphClient(sandbox).client);
    await expect(accounts.disable(WENDY)).rejects.toBeInstanceOf(MasteredOnPremError);
    expect(await accounts.disable('e0000000-0000-4000-8000-00000000ffff')).toBe('missing');
  });
});
