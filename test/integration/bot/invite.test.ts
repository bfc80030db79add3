import type { RunningSandbox } from '../../../sandbox/server';
import type { SandboxUser } from '../../../sandbox/state';
import { cardOf, cardText, executeData, startBotOn, waitFor, type InvokeResult, type TestBot, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { startTestSandbox } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const NESTED_ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000002', name: 'Nestor Wilke' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
const ALL_PARTNERS = '9a000000-0000-4000-8000-000000000004';
const FINANCE = '9a000000-0000-4000-8000-000000000005';

function invokeText(result: InvokeResult): string {
  return typeof result.value === 'string' ? result.value : cardText(result.value);
}

function usersWithMail(sandbox: RunningSandbox, mail: string): SandboxUser[] {
  return [...sandbox.state.users.values()].filter((u) => (u.mail ?? '').toLowerCase() === mail.toLowerCase());
}

function graphCalls(sandbox: RunningSandbox, pattern: RegExp, method = 'POST') {
  return sandbox.stats().requests.filter((r) => r.method === method && pattern.test(r.path) && !r.refused);
}

describe('invite and resend over HTTP against the sandbox', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { PARTNER_DOMAINS_BLOCK: 'blocked.example' });
    // Admins and the manager talk to the bot once, so their personal chats are known for proactive cards.
    for (const user of [ADMIN, NESTED_ADMIN, MANAGER, MEMBER]) await bot.say(user, 'whoami');
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });

  /** The invite job's message to `user` whose card says `says`: the outcome arrives after the click, not in its answer. */
  function toldTo(user: TestUser, says: string): Promise<string> {
    return waitFor(`${user.name} to be told "${says}"`, () =>
      bot.connector.calls
        .filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${user.aadObjectId}`)
        .map((c) => cardText(cardOf(c)))
        .find((t) => t.includes(says)),
    );
  }

  /** invite → confirm card → the confirm button with the given inputs. */
  async function inviteAndConfirm(user: TestUser, command: string, inputs: Record<string, unknown> = {}) {
    const [reply] = await bot.say(user, command);
    const card = cardOf(reply);
    const data = executeData(card, 'invite.submit');
    if (!data) throw new Error(`no confirm button in: ${cardText(card)}`);
    const result = await bot.click(user, 'invite.submit', { ...data, ...inputs });
    return { card, data, result };
  }

  it('lets an admin invite a partner after one confirmation, within the Graph call budget', async () => {
    // Warm the role and home-realm caches so the budget counts the invitation's own calls.
    await bot.say(ADMIN, 'invite warmup@fabrikam.com');
    sandbox.resetStats();

    const [reply] = await bot.say(ADMIN, 'invite ana.silva@fabrikam.com as "Ana Silva"');
    const confirm = cardText(cardOf(reply));
    expect(confirm).toContain('Invite ana.silva@fabrikam.com?');
    expect(confirm).toContain('Send invitation');
    expect(confirm).toContain('Microsoft drops personal messages');
    const data = executeData(cardOf(reply), 'invite.submit');
    const result = await bot.click(ADMIN, 'invite.submit', { ...data, displayName: 'Ana Silva', delivery: 'link', message: 'Welcome, Ana!' });

    expect(invokeText(result)).toContain('Sending the invitation to ana.silva@fabrikam.com');
    const text = await toldTo(ADMIN, 'ana.silva@fabrikam.com is invited');
    expect(text).toContain('https://login.microsoftonline.com/redeem?rd=');
    expect(text).toContain('Welcome, Ana!');

    const stats = sandbox.stats();
    expect(stats.graphRoundTrips).toBeLessThanOrEqual(3);
    expect(stats.writes).toBeLessThanOrEqual(2);
    const [guest, ...others] = usersWithMail(sandbox, 'ana.silva@fabrikam.com');
    expect(others).toHaveLength(0);
    expect(guest).toMatchObject({
      userType: 'Guest',
      displayName: 'Ana Silva',
      userPrincipalName: 'ana.silva_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      externalUserState: 'PendingAcceptance',
      creationType: 'Invitation',
      sponsors: [ADMIN.aadObjectId],
    });
    const audit = await bot.bot.services.store.audit.list({ target: 'ana.silva@fabrikam.com', action: 'invite.create' });
    expect(audit.map((a) => a.outcome)).toEqual(['success', 'started']);
  });

  it('adds the guest to each chosen group with one call per group', async () => {
    await bot.say(ADMIN, 'whoami');
    sandbox.resetStats();
    const { result } = await inviteAndConfirm(ADMIN, 'invite carl@fabrikam.com', { groups: `${ALL_PARTNERS}, ${FINANCE}` });
    expect(invokeText(result)).toContain('Sending the invitation to carl@fabrikam.com');
    expect(await toldTo(ADMIN, 'carl@fabrikam.com is invited')).toContain(`${FINANCE}: added`);
    const [guest] = usersWithMail(sandbox, 'carl@fabrikam.com');
    expect(guest).toBeDefined();
    expect(sandbox.state.findGroup(ALL_PARTNERS)?.members).toContain(guest?.id);
    expect(sandbox.state.findGroup(FINANCE)?.members).toContain(guest?.id);
    const stats = sandbox.stats();
    // One add per group that lands; the 404s of a guest still replicating (the test sandbox's lag) are retried on top.
    const adds = stats.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/members/$ref'));
    const replicating = adds.filter((r) => r.status === 404).length;
    expect(adds.filter((r) => r.status === 204)).toHaveLength(2);
    expect(stats.graphRoundTrips - replicating).toBeLessThanOrEqual(3 + 2);
    expect(stats.writes - replicating).toBeLessThanOrEqual(2 + 2);
  });

  it('a double click on Send invitation invites once', async () => {
    const [reply] = await bot.say(ADMIN, 'invite dora@fabrikam.com');
    const data = executeData(cardOf(reply), 'invite.submit');
    sandbox.resetStats();
    const results = await Promise.all([bot.click(ADMIN, 'invite.submit', { ...data }), bot.click(ADMIN, 'invite.submit', { ...data })]);
    await toldTo(ADMIN, 'dora@fabrikam.com is invited');
    expect(usersWithMail(sandbox, 'dora@fabrikam.com')).toHaveLength(1);
    expect(graphCalls(sandbox, /\/invitations$/)).toHaveLength(1);
    for (const result of results) expect(result.statusCode).toBe(200);
  });

  it('shows an existing guest with its state and a Resend button, and creates no second user', async () => {
    const before = sandbox.state.users.size;
    sandbox.resetStats();
    const [reply] = await bot.say(ADMIN, 'invite Alice@Fabrikam.com');
    const card = cardOf(reply);
    const text = cardText(card);
    expect(text).toContain('is already a guest');
    expect(text).toContain('Accepted (since');
    expect(executeData(card, 'invite.resend')).toEqual({ email: 'Alice@fabrikam.com' });
    expect(sandbox.state.users.size).toBe(before);
    expect(graphCalls(sandbox, /\/invitations$/)).toHaveLength(0);
  });

  it('explains an existing synced partner account instead of inviting it: who they are, how they sign in, and no POST /invitations', async () => {
    for (const [caller, address] of [[MANAGER, 'wmoran@fabrikam.com'], [ADMIN, 'WMoran@Fabrikam.com'], [ADMIN, 'wmoran@partners.contoso.com']] as const) {
      sandbox.resetStats();
      const [reply] = await bot.say(caller, `invite ${address}`);
      const card = cardOf(reply);
      const text = cardText(card);
      expect(text).toContain('is a locally managed partner account');
      expect(text).toContain('Wendy Moran (wmoran@partners.contoso.com) is a partner whose account our on-premises Active Directory manages');
      expect(text).toContain('They sign in with that on-prem account and its password, not through an invitation');
      expect(text).toContain('no invitation was sent');
      // No form, no Send button: nothing to confirm, because nothing will be created.
      expect(JSON.stringify(card)).not.toContain('invite.submit');
      expect(graphCalls(sandbox, /\/invitations$/)).toHaveLength(0);
      expect(sandbox.stats().writes).toBe(0);
    }
    expect(usersWithMail(sandbox, 'wmoran@fabrikam.com')).toHaveLength(1);
  });

  it('says a synced partner has no invitation to resend, and sends none', async () => {
    sandbox.resetStats();
    const [reply] = await bot.say(ADMIN, 'resend wmoran@fabrikam.com');
    const text = cardText(cardOf(reply));
    expect(text).toContain('no invitation: there is nothing to resend');
    expect(text).toContain('They sign in with their AD account');
    expect(graphCalls(sandbox, /\/invitations$/)).toHaveLength(0);
    expect(sandbox.stats().writes).toBe(0);
  });

  it("refuses a domain on the bot's block list before calling Graph", async () => {
    sandbox.resetStats();
    const [reply] = await bot.say(ADMIN, 'invite eve@blocked.example');
    expect(cardText(cardOf(reply))).toContain('Invitations to blocked.example are not allowed');
    expect(sandbox.stats().graphRoundTrips).toBe(0);
    const audit = await bot.bot.services.store.audit.list({ target: 'eve@blocked.example' });
    expect(audit[0]).toMatchObject({ action: 'invite.create', outcome: 'refused' });
  });

  it("refuses a domain on the tenant's block list before the form, with the reason and what to do", async () => {
    const [reply] = await bot.say(ADMIN, 'invite temp@mailinator.com');
    const card = cardOf(reply);
    expect(executeData(card, 'invite.submit')).toBeUndefined();
    const text = cardText(card);
    expect(text).toContain('Invitations to mailinator.com are not allowed');
    expect(text).toContain("tenant's collaboration restrictions");
    expect(text).toContain('External collaboration settings');
    expect(text.toLowerCase()).not.toContain('ask an admin');
    expect(usersWithMail(sandbox, 'temp@mailinator.com')).toHaveLength(0);

    const [asManager] = await bot.say(MANAGER, 'invite temp@mailinator.com');
    expect(cardText(cardOf(asManager))).toContain('ask an admin');
  });

  it('refuses ordinary members', async () => {
    const [reply] = await bot.say(MEMBER, 'invite someone@fabrikam.com');
    expect(cardText(cardOf(reply))).toContain("You can't use invite");
  });

  it("turns a manager's invitation into a request that another admin approves once; self-approval is refused", async () => {
    bot.connector.clear();
    const { result } = await inviteAndConfirm(MANAGER, 'invite gus@fabrikam.com', { message: 'Hi Gus', justification: 'Gus audits the Q3 books' });
    expect(invokeText(result)).toContain('waiting for an admin');
    expect(usersWithMail(sandbox, 'gus@fabrikam.com')).toHaveLength(0);

    const approvals = await bot.connector.waitForCalls(1 + 2);
    const toAdmins = approvals.filter((c: ConnectorCall) => c.method === 'POST' && cardText(cardOf(c)).includes('Invitation request: gus@fabrikam.com'));
    expect(toAdmins.map((c) => c.conversationId).sort()).toEqual([`a:personal-${ADMIN.aadObjectId}`, `a:personal-${NESTED_ADMIN.aadObjectId}`]);
    const approvalText = cardText(cardOf(toAdmins[0]));
    expect(approvalText).toContain('Why: Gus audits the Q3 books');
    expect(approvalText).toContain("uses their own Fabrikam account");
    const approvalCard = cardOf(toAdmins[0]) as { refresh?: { userIds?: string[] } };
    expect(approvalCard.refresh?.userIds?.sort()).toEqual([`29:${ADMIN.aadObjectId}`, `29:${NESTED_ADMIN.aadObjectId}`]);
    const id = executeData(approvalCard, 'invite.approve');
    expect(id).toBeDefined();

    // The requester cannot approve: first as a manager (not an admin), then even after becoming an admin.
    const asManager = await bot.click(MANAGER, 'invite.approve', { ...id });
    expect(invokeText(asManager)).toContain('Only admins can do this');
    sandbox.state.findGroup(sandbox.state.roles.adminGroupId)?.members.push(MANAGER.aadObjectId);
    bot.bot.services.roles.forget(MANAGER.aadObjectId);
    const self = await bot.click(MANAGER, 'invite.approve', { ...id });
    expect(invokeText(self)).toContain('cannot decide on your own request');
    const group = sandbox.state.findGroup(sandbox.state.roles.adminGroupId);
    if (group) group.members = group.members.filter((m) => m !== MANAGER.aadObjectId);
    bot.bot.services.roles.forget(MANAGER.aadObjectId);

    // The refreshed view for an admin has the buttons; the requester's own view would not.
    const view = await bot.click(NESTED_ADMIN, 'invite.refresh', { ...id });
    expect(executeData(view.value, 'invite.approve')).toBeDefined();

    // Two admins click at once, one of them twice: one invitation.
    const clicks = await Promise.all([
      bot.click(NESTED_ADMIN, 'invite.approve', { ...id }),
      bot.click(NESTED_ADMIN, 'invite.approve', { ...id }),
      bot.click(ADMIN, 'invite.approve', { ...id }),
    ]);
    expect(clicks.filter((c) => invokeText(c).includes('Approved by')).length).toBe(3);
    for (const click of clicks) expect(executeData(click.value, 'invite.approve')).toBeUndefined();
    // The click answers with the decision; the invite job then invites and tells the requester.
    await toldTo(MANAGER, 'gus@fabrikam.com is invited');
    expect(usersWithMail(sandbox, 'gus@fabrikam.com')).toHaveLength(1);
    const [guest] = usersWithMail(sandbox, 'gus@fabrikam.com');
    expect(guest?.sponsors).toEqual([MANAGER.aadObjectId]);
    const approvedAudit = await bot.bot.services.store.audit.list({ target: 'gus@fabrikam.com', action: 'invite.approve' });
    expect(approvedAudit.filter((a) => a.outcome === 'success')).toHaveLength(1);
    expect(approvedAudit.filter((a) => a.outcome === 'refused')).toHaveLength(1);

    // The requester is told once, and both admins' cards are replaced in place: "sending", then "invited".
    const updates = await waitFor('both approval cards to say invited', () => {
      const puts = bot.connector.calls.filter((c) => c.method === 'PUT');
      return puts.filter((c) => cardText(cardOf(c)).includes('Approved by') && cardText(cardOf(c)).includes(': invited')).length === 2 ? puts : undefined;
    });
    const toRequester = bot.connector.calls.filter((c) => c.conversationId === `a:personal-${MANAGER.aadObjectId}` && c.method === 'POST');
    expect(toRequester.map((c) => cardText(cardOf(c))).filter((t) => t.includes('gus@fabrikam.com is invited'))).toHaveLength(1);
    expect(updates).toHaveLength(4);
    expect(updates.filter((c) => cardText(cardOf(c)).includes('sending the invitation'))).toHaveLength(2);
    for (const update of updates) expect(executeData(cardOf(update), 'invite.approve')).toBeUndefined();
  });

  it('lets an admin deny a request and tells the requester', async () => {
    bot.connector.clear();
    await inviteAndConfirm(MANAGER, 'invite hal@fabrikam.com', { justification: 'Hal joins the pilot' });
    const approvals = await bot.connector.waitForCalls(1 + 2);
    const id = executeData(cardOf(approvals.find((c) => executeData(cardOf(c), 'invite.deny'))), 'invite.deny');
    expect(id).toBeDefined();
    const denied = await bot.click(ADMIN, 'invite.deny', { ...id, comment: 'Use the Fabrikam shared account' });
    expect(invokeText(denied)).toContain('Denied by Adele Vance');
    expect(invokeText(denied)).toContain('Comment from Adele Vance: Use the Fabrikam shared account');
    expect(usersWithMail(sandbox, 'hal@fabrikam.com')).toHaveLength(0);
    const calls = await bot.connector.waitForCalls(1 + 2 + 1 + 2);
    const told = calls.filter((c) => c.conversationId === `a:personal-${MANAGER.aadObjectId}`).map((c) => cardText(cardOf(c)));
    expect(told.filter((t) => t.includes('hal@fabrikam.com: Denied') && t.includes('Use the Fabrikam shared account'))).toHaveLength(1);
    expect(calls.filter((c) => c.method === 'PUT').map((c) => cardText(cardOf(c)))).toEqual([expect.stringContaining('Denied by Adele Vance'), expect.stringContaining('Denied by Adele Vance')]);
  });

  it('resends a pending invitation at once, and resets an accepted guest only after a confirmation that says so', async () => {
    sandbox.resetStats();
    const [pending] = await bot.say(MANAGER, 'resend bob@tailspintoys.com');
    expect(cardText(cardOf(pending))).toContain('Invitation renewed for bob@tailspintoys.com');
    expect(cardText(cardOf(pending))).toContain('https://login.microsoftonline.com/redeem?rd=');
    expect(usersWithMail(sandbox, 'bob@tailspintoys.com')).toHaveLength(1);

    sandbox.redeemInvitation('bob@tailspintoys.com');
    const [bob] = usersWithMail(sandbox, 'bob@tailspintoys.com');
    expect(bob?.externalUserState).toBe('Accepted');

    const [managerTry] = await bot.say(MANAGER, 'resend bob@tailspintoys.com');
    expect(cardText(cardOf(managerTry))).toContain('Only admins can do that');

    // The reproduction (issue 9): the button reset an accepted guest at once. Now it asks, naming the consequence.
    const asked = await bot.click(ADMIN, 'invite.resend', { email: 'bob@tailspintoys.com' });
    const question = invokeText(asked);
    expect(question).toContain('will have to accept a new invitation before they can sign in again');
    expect(usersWithMail(sandbox, 'bob@tailspintoys.com')[0]?.externalUserState).toBe('Accepted');
    expect(graphCalls(sandbox, /\/invitations$/)).toHaveLength(1);
    const confirmData = executeData(asked.value, 'confirm.accept');
    expect(confirmData).toEqual({ confirmationId: expect.any(String) });

    // Someone else cannot use the id, and a card altered to name another guest still runs what was asked.
    expect(invokeText(await bot.click(MANAGER, 'confirm.accept', { ...confirmData }))).toContain('Only the person who was asked');
    const reset = await bot.click(ADMIN, 'confirm.accept', { ...confirmData, email: 'alice@fabrikam.com' });
    expect(invokeText(reset)).toContain('Redemption reset for bob@tailspintoys.com');
    const [after, ...others] = usersWithMail(sandbox, 'bob@tailspintoys.com');
    expect(others).toHaveLength(0);
    expect(after?.id).toBe(bob?.id);
    expect(after?.externalUserState).toBe('PendingAcceptance');
    expect(usersWithMail(sandbox, 'alice@fabrikam.com')[0]?.externalUserState).toBe('Accepted');

    // A second click is told what happened, and nothing is sent again.
    const again = await bot.click(ADMIN, 'confirm.accept', { ...confirmData });
    expect(invokeText(again)).toContain('Redemption reset for bob@tailspintoys.com');
    expect(graphCalls(sandbox, /\/invitations$/)).toHaveLength(2);

    const audit = await bot.bot.services.store.audit.list({ target: 'bob@tailspintoys.com', action: 'invite.resend' });
    expect(audit.map((a) => a.outcome)).toEqual(['success', 'refused', 'success']);
    const confirmations = await bot.bot.services.store.audit.list({ action: 'confirm.accept' });
    expect(confirmations.map((a) => [a.actor, a.outcome])).toEqual([
      [ADMIN.aadObjectId, 'success'],
      [MANAGER.aadObjectId, 'refused'],
    ]);
  });

  it('asks before a typed resend resets an accepted guest, and Cancel changes nothing', async () => {
    sandbox.resetStats();
    const [asked] = await bot.say(ADMIN, 'resend alice@fabrikam.com');
    const card = cardOf(asked);
    expect(cardText(card)).toContain("Reset Alice");
    expect(cardText(card)).toContain('will have to accept a new invitation before they can sign in again');
    const data = executeData(card, 'confirm.cancel');
    expect(invokeText(await bot.click(ADMIN, 'confirm.cancel', { ...data }))).toContain('Nothing was changed');
    expect(invokeText(await bot.click(ADMIN, 'confirm.accept', { ...data }))).toContain('This was cancelled');
    expect(graphCalls(sandbox, /\/invitations$/)).toHaveLength(0);
    expect(usersWithMail(sandbox, 'alice@fabrikam.com')[0]?.externalUserState).toBe('Accepted');
  });
});
