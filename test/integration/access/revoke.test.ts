import type { ProxyApp } from '../../../bot/graph/appProxy';
import type { GuestIdentity } from '../../../bot/onprem/shadowAccounts';
import type { RunningSandbox } from '../../../sandbox/server';
import { expiryNoticeJob } from '../../../bot/services/access/schedule';
import { grantAccess, makeDue, type GrantedAccess } from '../../helpers/accessGrants';
import { cardOf, cardText, executeActions, revokeConfirmClick, startBotOn, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import { contosoFixture, startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
/** A partner manager who owns Contoso Expenses in this test's fixture. */
const OWNER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
/** A partner manager who owns nothing. */
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000002', name: 'Patti Fernández' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
/** A member without a bot role who owns Contoso Wiki in this test's fixture. */
const MEMBER_OWNER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000003', name: 'Zoë Krüger-Łukasiewicz' };

const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
const EXPENSES_USER_ROLE = '18d14569-c3bd-439b-9a66-3a2aee01d14f';
/** Expenses' second role: Finance Portal Users does not hold it, so a grant of it to Alice creates her own assignment. */
const EXPENSES_MSIAM_ROLE = 'b9632174-c057-4f7e-951b-be3adc52bfe6';
const WIKI = 'f3000000-0000-4000-8000-000000000003';
const DEFAULT_ROLE = '00000000-0000-0000-0000-000000000000';
/** A fixture group assigned to Contoso Expenses; Alice is a direct member. */
const FINANCE_PORTAL_USERS = '9a000000-0000-4000-8000-000000000005';

/** The data of every button with this verb: one per row of a pick list. */
function buttonData(card: unknown, verb: string): Record<string, unknown>[] {
  return executeActions(card)
    .filter((b) => b.verb === verb)
    .map((b) => b.data);
}

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

describe('revoke, and expiry of SAML grants, over HTTP against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;
  let expenses: ProxyApp;

  function guest(objectId: string): GuestIdentity {
    const user = sandbox.state.findUser(objectId);
    if (!user) throw new Error(`fixture lacks ${objectId}`);
    return { objectId, userPrincipalName: user.userPrincipalName, displayName: user.displayName ?? '', ...(user.mail ? { mail: user.mail } : {}) };
  }

  function assignments(spId: string, principalId: string) {
    return sandbox.state.appRoleAssignments.filter((a) => a.resourceId === spId && a.principalId === principalId);
  }

  async function grant(objectId: string, days = 30, appRoleId = EXPENSES_USER_ROLE): Promise<GrantedAccess> {
    const { services } = bot.bot;
    return grantAccess(
      { store: services.store, appAccess: services.appAccess, queue: bot.bot.jobs.queue },
      { app: expenses, guest: guest(objectId), requester: OWNER, appRoleId, expiresAt: new Date(Date.now() + days * 86_400_000) },
    );
  }

  /** The proactive messages the bot sent to one user's personal chat since `from`. */
  function sentTo(user: TestUser, from = 0) {
    return bot.connector.calls.slice(from).filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${user.aadObjectId}`);
  }

  beforeAll(async () => {
    const fixture = contosoFixture();
    const sp = fixture.servicePrincipals.find((s) => s.id === EXPENSES);
    sp?.owners.push(OWNER.aadObjectId);
    // An owner without any bot role: app owners approve and revoke whatever their role here.
    fixture.servicePrincipals.find((s) => s.id === WIKI)?.owners.push(MEMBER_OWNER.aadObjectId);
    sandbox = await startTestSandbox({ fixture });
    bot = await startBotOn(sandbox, { JOB_POLL_MS: '3600000' });
    for (const user of [ADMIN, OWNER, MANAGER, MEMBER, MEMBER_OWNER]) await bot.say(user, 'whoami');
    const app = await bot.bot.services.appAccess.listApps();
    expenses = app.find((a) => a.servicePrincipalId === EXPENSES) as ProxyApp;
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  it('an admin revokes a grant: one confirmation, then the assignment goes, the grant is revoked and audited, the requester told', async () => {
    const alice = 'e0000000-0000-4000-8000-000000000001';
    // Alice holds User through Finance Portal Users already (a grant of it would change nothing): the bot grants msiam_access.
    const granted = await grant(alice, 30, EXPENSES_MSIAM_ROLE);
    expect(assignments(EXPENSES, alice)).toHaveLength(1);

    const [reply] = await bot.say(ADMIN, 'revoke expenses for Alice@Fabrikam.com');
    const confirm = cardText(cardOf(reply));
    expect(confirm).toContain("Remove Alice Smith (Fabrikam)'s access to Contoso Expenses (SAML)?");
    expect(confirm).toContain("Removed (the bot's)\nmsiam\\_access");
    expect(confirm).toContain('msiam\\_access: granted by the bot (request ' + granted.record.id);
    expect(confirm).toContain("Through this bot at Megan Bowen's request, approved by Adele Vance");
    expect(confirm).toContain('Not involved (the app does not sign in with Kerberos)');
    expect(confirm).toContain('You may revoke this as an admin');
    // Alice is also in Finance Portal Users, which is assigned to the app: Graph lists that assignment with hers.
    expect(confirm).toContain('User: through the group Finance Portal Users. Revoke cannot remove it');
    expect(assignments(EXPENSES, alice)).toHaveLength(1);
    const [data] = buttonData(cardOf(reply), 'revoke.confirm');
    // The button carries only the confirmation id: the app and the partner that go are the ones stored with it.
    expect(data).toEqual({ confirmationId: expect.any(String) });

    const before = bot.connector.calls.length;
    sandbox.resetStats();
    const result = await bot.click(ADMIN, 'revoke.confirm', data);
    const text = invokeText(result);
    expect(result.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(text).toContain("Alice Smith (Fabrikam)'s access to Contoso Expenses (SAML) is revoked");
    expect(text).toContain('Assignments removed\n1');
    expect(text).toContain('Megan Bowen (told)');
    expect(assignments(EXPENSES, alice)).toHaveLength(0);
    expect(assignments(EXPENSES, FINANCE_PORTAL_USERS)).toHaveLength(1);
    expect(text).toContain('Through groups');
    const writes = sandbox.stats().requests.filter((r) => r.method !== 'GET');
    expect(writes.map((r) => r.method)).toEqual(['DELETE']);
    // The app (2), the guest (1) and their assignments (1) to check again; the removal lists them once more and deletes (2).
    expect(sandbox.stats().graphRoundTrips).toBeLessThanOrEqual(6);

    const record = await bot.bot.services.store.accessRequests.get(granted.record.id);
    expect(record).toMatchObject({ state: 'revoked', endedBy: ADMIN.aadObjectId });
    const audit = await bot.bot.services.store.audit.list({ target: granted.record.guestUpn, action: 'access.revoke' });
    expect(audit.map((a) => a.outcome)).toEqual(['success', 'started']);
    expect(audit[0]).toMatchObject({ actor: ADMIN.aadObjectId, detail: { source: 'bot', requests: [granted.record.id], removedAssignments: 1, shadow: 'notKerberos' } });

    const told = sentTo(OWNER, before);
    expect(told).toHaveLength(1);
    expect(cardText(cardOf(told[0]))).toContain('was revoked');
    expect(cardText(cardOf(told[0]))).toContain('Adele Vance revoked it');

    // The expiry job, when its time comes, finds the grant revoked and does nothing.
    await makeDue(bot.bot.services.store, granted);
    sandbox.resetStats();
    await bot.bot.runner.runDue();
    expect((await bot.bot.jobs.queue.get(granted.jobId))?.state).toBe('succeeded');
    expect(sandbox.stats().requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(await bot.bot.services.store.audit.list({ target: granted.record.guestUpn, action: 'access.expire' })).toHaveLength(0);
    expect((await bot.bot.services.store.accessRequests.get(granted.record.id))?.state).toBe('revoked');

    // What is left comes through the group: revoke says so, and leaves the group's assignment alone.
    const [again] = await bot.say(ADMIN, 'revoke expenses for alice@fabrikam.com');
    const left = cardText(cardOf(again));
    expect(left).toContain('Nothing to revoke: Alice Smith (Fabrikam) holds Contoso Expenses (SAML) only through a group');
    expect(left).not.toContain('has no access');
    expect(left).toContain('User: through the group Finance Portal Users. Revoke cannot remove it');
    expect(left).toContain('remove them from that group in Microsoft Entra ID');
    expect(buttonData(cardOf(again), 'revoke.confirm')).toEqual([]);
    expect(assignments(EXPENSES, FINANCE_PORTAL_USERS)).toHaveLength(1);
  });

  it('refuses a partner manager who does not own the app, typed or clicked, and changes nothing', async () => {
    const bob = 'e0000000-0000-4000-8000-000000000002';
    const granted = await grant(bob);
    const [reply] = await bot.say(MANAGER, 'revoke "Contoso Expenses (SAML)" for bob@tailspintoys.com');
    const text = cardText(cardOf(reply));
    expect(text).toContain('Only admins and the owners of Contoso Expenses (SAML) can revoke access to it');
    expect(text).toContain('its owners: Adele Vance, Megan Bowen');
    expect(text).toContain('Nothing was changed');
    expect(buttonData(cardOf(reply), 'revoke.confirm')).toHaveLength(0);

    // A card from someone else's chat, or a forged one, is refused at click time before anything runs.
    const [adminCard] = await bot.say(ADMIN, 'revoke "Contoso Expenses (SAML)" for bob@tailspintoys.com');
    const [adminData] = buttonData(cardOf(adminCard), 'revoke.confirm');
    expect(invokeText(await bot.click(MANAGER, 'revoke.confirm', { ...adminData }))).toContain('Only the person who was asked');
    const forged = await bot.click(MANAGER, 'revoke.confirm', { servicePrincipalId: EXPENSES, email: 'bob@tailspintoys.com' });
    expect(invokeText(forged)).toContain('This card is out of date or was changed');
    expect(assignments(EXPENSES, bob)).toHaveLength(1);
    expect((await bot.bot.services.store.accessRequests.get(granted.record.id))?.state).toBe('granted');
    const refused = await bot.bot.services.store.audit.list({ actor: MANAGER.aadObjectId, action: 'access.revoke' });
    expect(refused.map((a) => a.outcome)).toEqual(['refused']);
    const clicks = await bot.bot.services.store.audit.list({ actor: MANAGER.aadObjectId, action: 'confirm.accept' });
    expect(clicks.map((a) => a.outcome)).toEqual(['refused']);
  });

  it("lets a partner manager who owns the app revoke, re-checking Graph's owner list at click time", async () => {
    const dana = 'e0000000-0000-4000-8000-000000000003';
    const granted = await grant(dana);
    const [reply] = await bot.say(OWNER, 'revoke expenses for dana.reyes@outlook.com');
    expect(cardText(cardOf(reply))).toContain('You may revoke this as an owner of the app');
    const [data] = buttonData(cardOf(reply), 'revoke.confirm');

    // Ownership removed in Entra after the card was shown: the click is refused.
    const sp = sandbox.state.servicePrincipals.get(EXPENSES);
    if (!sp) throw new Error('no Expenses service principal');
    sp.owners = sp.owners.filter((o) => o !== OWNER.aadObjectId);
    expect(invokeText(await bot.click(OWNER, 'revoke.confirm', data))).toContain('Only admins and the owners');
    expect(assignments(EXPENSES, dana)).toHaveLength(1);

    // One confirmation runs once, even when it was refused: the owner asks again for a fresh card.
    sp.owners.push(OWNER.aadObjectId);
    expect(invokeText(await bot.click(OWNER, 'revoke.confirm', data))).not.toContain('is revoked');
    const [fresh] = await bot.say(OWNER, 'revoke expenses for dana.reyes@outlook.com');
    const result = await bot.click(OWNER, 'revoke.confirm', buttonData(cardOf(fresh), 'revoke.confirm')[0]);
    expect(invokeText(result)).toContain('is revoked');
    expect(assignments(EXPENSES, dana)).toHaveLength(0);
    expect((await bot.bot.services.store.accessRequests.get(granted.record.id))?.state).toBe('revoked');
    // The owner asked for the grant themself, so there is nobody else to tell.
    expect(invokeText(result)).not.toContain('(told)');
  });

  it('refuses an ordinary member, and does not hand them the app list', async () => {
    const [reply] = await bot.say(MEMBER, 'revoke expenses for alice@fabrikam.com');
    const text = cardText(cardOf(reply));
    expect(text).toContain('Only admins and the owners of Contoso Expenses (SAML) can revoke access to it');
    expect(text).not.toContain('Alice Smith');
    const [vague] = await bot.say(MEMBER, 'revoke contoso for alice@fabrikam.com');
    expect(cardText(cardOf(vague))).toContain('No app is called "contoso"');
    expect(buttonData(cardOf(vague), 'revoke.prepare')).toHaveLength(0);
    expect(cardText(cardOf(vague))).not.toContain('Contoso Expenses');
  });

  it('lists an assignment the bot did not grant as direct, keeps it by default, and removes it only when its toggle is on', async () => {
    const carla = 'e0000000-0000-4000-8000-000000000006';
    const manual = 'manualWikiAssignmentCarla01';
    sandbox.state.appRoleAssignments.push({ id: manual, principalId: carla, resourceId: WIKI, appRoleId: DEFAULT_ROLE, createdDateTime: '2025-01-01T00:00:00Z' });
    const target = 'carla.diaz_wingtiptoys.com#EXT#@contoso.onmicrosoft.com';
    const [reply] = await bot.say(ADMIN, 'revoke wiki for carla.diaz@wingtiptoys.com');
    const confirm = cardText(cardOf(reply));
    expect(confirm).toContain('Directly in Entra, not through this bot');
    expect(confirm).toContain('Some of this access was not granted through this bot. It stays unless you switch it on below');
    expect(confirm).toContain('Also remove Default access: direct, not granted by the bot (created 2025-01-01)');

    // Clicked as the card comes, the toggle off: nothing the bot did not grant is removed, and the card says so.
    sandbox.resetStats();
    const kept = await bot.click(ADMIN, 'revoke.confirm', revokeConfirmClick(cardOf(reply)));
    expect(invokeText(kept)).toContain("Nothing to remove from Carla Díaz's access to Contoso Wiki (header-based)");
    expect(assignments(WIKI, carla).map((a) => a.id)).toEqual([manual]);
    expect(sandbox.stats().requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect((await bot.bot.services.store.audit.list({ target, action: 'access.revoke' })).filter((a) => a.outcome === 'success')).toHaveLength(0);

    // Switched on, on a fresh card (a confirmation runs once), with a reason: that assignment goes, and the audit says why.
    const [again] = await bot.say(ADMIN, 'revoke wiki for carla.diaz@wingtiptoys.com');
    const result = await bot.click(ADMIN, 'revoke.confirm', revokeConfirmClick(cardOf(again), { remove: [manual], reason: 'Contract ended' }));
    expect(invokeText(result)).toContain("Carla Díaz's access to Contoso Wiki (header-based) is revoked");
    expect(assignments(WIKI, carla)).toHaveLength(0);
    const audit = await bot.bot.services.store.audit.list({ target, action: 'access.revoke' });
    expect(audit.map((a) => a.outcome)).toEqual(['success']);
    expect(audit[0]?.detail).toMatchObject({ source: 'outsideBot', requests: [], removedAssignments: 1 });
    expect(JSON.stringify(audit[0]?.detail)).toContain('Contract ended');
  });

  it("revokes a synced partner's Kerberos app like a guest's, and says their own AD account is left alone (no shadow account)", async () => {
    const wendy = 'd0000000-0000-4000-8000-000000000001';
    const timesheets = 'f3000000-0000-4000-8000-000000000002';
    const held = assignments(timesheets, wendy).map((a) => a.id);
    expect(held).toHaveLength(1);
    const [reply] = await bot.say(ADMIN, 'revoke timesheets for wmoran@fabrikam.com');
    const confirm = cardText(cardOf(reply));
    expect(confirm).toContain("Remove Wendy Moran's access to Contoso Timesheets (IWA)?");
    expect(confirm).toContain('Their own AD account (a partner synced from on-prem AD, not a shadow account) is untouched');
    expect(confirm).not.toContain('Shadow account will be disabled');
    expect(confirm).not.toContain('no on-prem directory is configured');

    sandbox.resetStats();
    const result = await bot.click(ADMIN, 'revoke.confirm', revokeConfirmClick(cardOf(reply), { remove: held, reason: 'Left the project' }));
    const text = invokeText(result);
    expect(text).toContain("Wendy Moran's access to Contoso Timesheets (IWA) is revoked");
    expect(text).toContain('Their own AD account (a partner synced from on-prem AD, not a shadow account) is untouched');
    expect(assignments(timesheets, wendy)).toHaveLength(0);
    expect(sandbox.stats().requests.filter((r) => r.method !== 'GET').map((r) => r.method)).toEqual(['DELETE']);
    const [audit] = (await bot.bot.services.store.audit.list({ target: 'wmoran@partners.contoso.com', action: 'access.revoke' })).filter((a) => a.outcome === 'success');
    expect(audit?.detail).toMatchObject({ removedAssignments: 1, shadow: 'ownAccount' });
  });

  it('a double click ends the grant once and answers both clicks with a card', async () => {
    const erik = 'e0000000-0000-4000-8000-000000000004';
    const granted = await grant(erik);
    const [reply] = await bot.say(ADMIN, 'revoke expenses for erik@lakeshore-consulting.net');
    const [data] = buttonData(cardOf(reply), 'revoke.confirm');
    const results = await Promise.all([bot.click(ADMIN, 'revoke.confirm', data), bot.click(ADMIN, 'revoke.confirm', data)]);
    for (const r of results) expect(r.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(results.map(invokeText).some((t) => t.includes('is revoked'))).toBe(true);
    expect(assignments(EXPENSES, erik)).toHaveLength(0);
    const audit = await bot.bot.services.store.audit.list({ target: granted.record.guestUpn, action: 'access.revoke' });
    expect(audit.filter((a) => a.outcome === 'started')).toHaveLength(1);
    expect(audit.filter((a) => a.outcome === 'success')).toHaveLength(1);
  });

  it('Cancel on the revoke card ends its confirmation: a later Revoke click on the same card changes nothing', async () => {
    const erik = 'e0000000-0000-4000-8000-000000000004';
    const granted = await grant(erik);
    const revokesBefore = (await bot.bot.services.store.audit.list({ target: granted.record.guestUpn, action: 'access.revoke' })).length;
    const [reply] = await bot.say(ADMIN, 'revoke expenses for erik@lakeshore-consulting.net');
    const [cancelData] = buttonData(cardOf(reply), 'confirm.cancel');
    expect(cancelData).toBeDefined();
    const cancelled = await bot.click(ADMIN, 'confirm.cancel', cancelData ?? {});
    expect(invokeText(cancelled)).toContain('Cancelled');
    const late = await bot.click(ADMIN, 'revoke.confirm', revokeConfirmClick(cardOf(reply)));
    expect(invokeText(late)).toContain('This was cancelled');
    expect(assignments(EXPENSES, erik)).toHaveLength(1);
    const audit = await bot.bot.services.store.audit.list({ target: granted.record.guestUpn, action: 'access.revoke' });
    expect(audit).toHaveLength(revokesBefore);
  });

  it('offers a pick list for an ambiguous or unknown app name, and the pick leads to the confirmation', async () => {
    const fiona = 'e0000000-0000-4000-8000-000000000005';
    await grant(fiona);
    const [several] = await bot.say(ADMIN, 'revoke contoso for fiona.grant@gmail.com');
    const text = cardText(cardOf(several));
    expect(text).toContain('Several apps match "contoso"');
    const picks = buttonData(cardOf(several), 'revoke.prepare');
    expect(picks.map((p) => p.servicePrincipalId).sort()).toEqual([EXPENSES, 'f3000000-0000-4000-8000-000000000002', WIKI]);
    for (const p of picks) expect(p.email).toBe('fiona.grant@gmail.com');

    const picked = await bot.click(ADMIN, 'revoke.prepare', picks.find((p) => p.servicePrincipalId === EXPENSES));
    expect(invokeText(picked)).toContain("Remove Fiona Grant's access to Contoso Expenses (SAML)?");
    expect(assignments(EXPENSES, fiona)).toHaveLength(1);

    const [typo] = await bot.say(ADMIN, 'revoke expnses for fiona.grant@gmail.com');
    expect(buttonData(cardOf(typo), 'revoke.prepare').map((p) => p.servicePrincipalId)).toEqual([EXPENSES]);
    expect(buttonData(cardOf(typo), 'revoke.confirm')).toHaveLength(0);

    const [unknown] = await bot.say(ADMIN, 'revoke payroll for fiona.grant@gmail.com');
    expect(cardText(cardOf(unknown))).toContain('No app is called "payroll"');
    expect(buttonData(cardOf(unknown), 'revoke.prepare')).toHaveLength(3);
  });

  it.each([
    ['an unknown user', 'revoke expenses for nobody@fabrikam.com', 'No one in our directory has the address nobody@fabrikam.com'],
    ['a guest without access', 'revoke wiki for bob@tailspintoys.com', 'Bob Kelly has no access to Contoso Wiki (header-based)'],
    ['a member of our organization', 'revoke wiki for alex.wilber@contoso.com', "alex.wilber@contoso.com is not a partner's guest account"],
    ['an address that is not one', 'revoke wiki for alice@@fabrikam', "That is not a partner's email address"],
    ['no address at all', 'revoke wiki', "Name the app and the partner's email address."],
  ])('explains %s and changes nothing', async (_label, command, expected) => {
    const before = sandbox.state.appRoleAssignments.length;
    const [reply] = await bot.say(ADMIN, command);
    const text = cardText(cardOf(reply));
    expect(text).toContain(expected);
    expect(buttonData(cardOf(reply), 'revoke.confirm')).toHaveLength(0);
    expect(sandbox.state.appRoleAssignments).toHaveLength(before);
  });

  it('understands an address Teams turned into a mailto link', async () => {
    const [reply] = await bot.say(ADMIN, 'revoke wiki for <a href="mailto:bob@tailspintoys.com">bob@tailspintoys.com</a>');
    expect(cardText(cardOf(reply))).toContain('Bob Kelly has no access to Contoso Wiki (header-based)');
  });

  it('lets an app owner without any bot role revoke access to their app', async () => {
    const bob = 'e0000000-0000-4000-8000-000000000002';
    sandbox.state.appRoleAssignments.push({ id: 'manualWikiAssignmentBob0001', principalId: bob, resourceId: WIKI, appRoleId: DEFAULT_ROLE, createdDateTime: '2025-01-01T00:00:00Z' });
    const [reply] = await bot.say(MEMBER_OWNER, 'revoke "Contoso Wiki (header-based)" for bob@tailspintoys.com');
    expect(cardText(cardOf(reply))).toContain('You may revoke this as an owner of the app');
    // The assignment is direct, not the bot's: the owner switches its toggle on.
    const result = await bot.click(MEMBER_OWNER, 'revoke.confirm', revokeConfirmClick(cardOf(reply), { remove: ['manualWikiAssignmentBob0001'] }));
    expect(invokeText(result)).toContain("Bob Kelly's access to Contoso Wiki (header-based) is revoked");
    expect(assignments(WIKI, bob)).toHaveLength(0);
  });

  it("a synced partner's Kerberos grant: its notice and expiring's card say their own AD account stays, and the expiry removes only the assignment", async () => {
    const wendy = 'd0000000-0000-4000-8000-000000000001';
    const timesheetsId = 'f3000000-0000-4000-8000-000000000002';
    const { services } = bot.bot;
    // Whatever Wendy held directly before (the fixture gives her Timesheets), this grant makes its own assignment.
    for (let i = sandbox.state.appRoleAssignments.length - 1; i >= 0; i--) {
      const a = sandbox.state.appRoleAssignments[i];
      if (a && a.principalId === wendy && a.resourceId === timesheetsId) sandbox.state.appRoleAssignments.splice(i, 1);
    }
    const timesheets = (await services.appAccess.listApps()).find((a) => a.servicePrincipalId === timesheetsId) as ProxyApp;
    expect(timesheets.ssoKind).toBe('kerberos');
    const deps = { store: services.store, appAccess: services.appAccess, queue: bot.bot.jobs.queue };
    const granted = await grantAccess(deps, { app: timesheets, guest: guest(wendy), requester: OWNER, expiresAt: new Date(Date.now() + 3 * 86_400_000), onPremSynced: true });
    expect(granted.record.grantProgress.shadowAccount).toBeUndefined();
    expect(assignments(timesheetsId, wendy)).toHaveLength(1);
    const ownAccount = 'Their own AD account (a partner synced from on-prem AD), not a shadow account: the end does not disable or delete it';

    // The 7-day notice (already due for a grant that ends in 3 days) tells the requester, with what the end does on-prem.
    const endsAt = granted.record.expiresAt as Date;
    const notice = expiryNoticeJob(granted.record.id, endsAt, new Date(Date.now() - 10 * 86_400_000), [7, 1]);
    if (!notice) throw new Error('no notice ahead');
    await bot.bot.jobs.queue.enqueue(notice);
    const before = bot.connector.calls.length;
    await bot.bot.runner.runDue();
    const told = sentTo(OWNER, before).map((c) => cardText(cardOf(c)));
    expect(told.some((t) => t.includes("Wendy Moran's access to Contoso Timesheets (IWA) ends") && t.includes(ownAccount))).toBe(true);

    // expiring lists it like any grant; its card says the same.
    const [list] = await bot.say(ADMIN, 'expiring');
    expect(cardText(cardOf(list))).toContain('Contoso Timesheets (IWA) for Wendy Moran');
    const opened = await bot.click(ADMIN, 'access.grantShow', { grantId: granted.record.id });
    expect(invokeText(opened)).toContain(ownAccount);

    // The end removes the assignment the bot made, and nothing on-prem.
    await makeDue(services.store, granted);
    sandbox.resetStats();
    await bot.bot.runner.runDue();
    expect((await services.store.accessRequests.get(granted.record.id))?.state).toBe('expired');
    expect(assignments(timesheetsId, wendy)).toHaveLength(0);
    expect(sandbox.stats().requests.filter((r) => r.method !== 'GET').map((r) => r.method)).toEqual(['DELETE']);
    const [ended] = await services.store.audit.list({ target: granted.record.guestUpn, action: 'access.expire' });
    expect(ended?.detail).toMatchObject({ request: granted.record.id, removedAssignments: 1, shadow: 'ownAccount' });
  });

  it("at expiry takes away only the expired grant's role when another live grant of the same app covers a second one", async () => {
    const dana = 'e0000000-0000-4000-8000-000000000003';
    const msiam = 'b9632174-c057-4f7e-951b-be3adc52bfe6';
    const { services } = bot.bot;
    const deps = { store: services.store, appAccess: services.appAccess, queue: bot.bot.jobs.queue };
    const expiring = await grantAccess(deps, { app: expenses, guest: guest(dana), requester: OWNER, appRoleId: EXPENSES_USER_ROLE, expiresAt: new Date(Date.now() + 86_400_000) });
    const live = await grantAccess(deps, { app: expenses, guest: guest(dana), requester: OWNER, appRoleId: msiam, expiresAt: new Date(Date.now() + 30 * 86_400_000) });
    expect(assignments(EXPENSES, dana).map((a) => a.appRoleId).sort()).toEqual([EXPENSES_USER_ROLE, msiam].sort());

    // The job comes due before the grant does (its expiry was moved later): it waits for the grant's own time.
    await services.store.db.updateTable('job').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', expiring.jobId).execute();
    expect(await bot.bot.runner.runDue()).toBe(1);
    expect(await bot.bot.jobs.queue.get(expiring.jobId)).toMatchObject({ state: 'pending', runAt: expiring.record.expiresAt });
    expect((await services.store.accessRequests.get(expiring.record.id))?.state).toBe('granted');

    await makeDue(services.store, expiring);
    await bot.bot.runner.runDue();
    expect(assignments(EXPENSES, dana).map((a) => a.appRoleId)).toEqual([msiam]);
    expect((await services.store.accessRequests.get(expiring.record.id))?.state).toBe('expired');
    expect((await services.store.accessRequests.get(live.record.id))?.state).toBe('granted');
    const [success] = await services.store.audit.list({ target: expiring.record.guestUpn, action: 'access.expire' });
    expect(success?.detail).toMatchObject({ request: expiring.record.id, removedAssignments: 1 });
  });
});
