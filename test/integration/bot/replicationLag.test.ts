import { GraphAppProxy } from '../../../bot/graph/appProxy';
import { GraphInvitations } from '../../../bot/graph/graphInvitations';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeData, startBotOn, waitFor, type TestBot, type TestUser } from '../../helpers/bot';
import { sandboxGraphClient, sandboxToken, startTestSandbox, TEST_REPLICATION_LAG_MS } from '../../helpers/sandbox';

const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const ALL_PARTNERS = '9a000000-0000-4000-8000-000000000004';
const FINANCE = '9a000000-0000-4000-8000-000000000005';
const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
const EXPENSES_USER_ROLE = '18d14569-c3bd-439b-9a66-3a2aee01d14f';

describe('replication lag: a new guest is not visible at once', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { JOB_POLL_MS: '50' });
    await bot.say(ADMIN, 'whoami');
  });
  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
  });
  afterEach(() => sandbox.setReplicationLag(TEST_REPLICATION_LAG_MS));

  const groupAdds = (groupId: string) => sandbox.stats().requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/groups/${groupId}/members/$ref`));
  const guestOf = (mail: string) => [...sandbox.state.users.values()].find((u) => (u.mail ?? '').toLowerCase() === mail);

  /** An admin invites `email` into `groups` and returns the outcome the invite job tells them. */
  async function invite(email: string, groups: string): Promise<string> {
    const [reply] = await bot.say(ADMIN, `invite ${email}`);
    await bot.click(ADMIN, 'invite.submit', { ...executeData(cardOf(reply), 'invite.submit'), groups });
    return waitFor(`the outcome for ${email}`, () =>
      bot.connector.calls.filter((c) => c.method === 'POST' && c.conversationId === `a:personal-${ADMIN.aadObjectId}`).map((c) => cardText(cardOf(c))).find((t) => t.includes(`${email} is invited`)),
    );
  }

  it('the sandbox hides a guest from reads, filters and $ref adds until the lag has passed', async () => {
    sandbox.setReplicationLag(1500);
    const token = await sandboxToken(sandbox);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${sandbox.url}/v1.0/invitations`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ invitedUserEmailAddress: 'lag@fabrikam.com', inviteRedirectUrl: 'https://myapps.microsoft.com', sendInvitationMessage: false }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { invitedUser: { id: string } }).invitedUser.id;
    const read = await fetch(`${sandbox.url}/v1.0/users/${id}`, { headers });
    expect(read.status).toBe(404);
    expect(((await read.json()) as { error: { code: string } }).error.code).toBe('Request_ResourceNotFound');
    const filtered = await fetch(`${sandbox.url}/v1.0/users?$filter=${encodeURIComponent("mail eq 'lag@fabrikam.com'")}`, { headers });
    expect(((await filtered.json()) as { value: unknown[] }).value).toHaveLength(0);
    const add = await fetch(`${sandbox.url}/v1.0/groups/${ALL_PARTNERS}/members/$ref`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` }),
    });
    expect(add.status).toBe(404);
    expect(await add.text()).toContain(id);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await fetch(`${sandbox.url}/v1.0/users/${id}`, { headers })).status).toBe(200);
  });

  it('adds a guest invited a moment ago to its groups by retrying while Graph does not find it yet', async () => {
    sandbox.setReplicationLag(1000);
    sandbox.resetStats();
    const told = await invite('nina@fabrikam.com', `${ALL_PARTNERS}, ${FINANCE}`);
    expect(told).toContain('nina@fabrikam.com is invited');
    expect(told).toContain(`${ALL_PARTNERS}: added`);
    expect(told).toContain(`${FINANCE}: added`);
    const guest = guestOf('nina@fabrikam.com');
    expect(sandbox.state.findGroup(ALL_PARTNERS)?.members).toContain(guest?.id);
    expect(sandbox.state.findGroup(FINANCE)?.members).toContain(guest?.id);
    // The lag was really met: the first group add was answered 404 and tried again.
    expect(groupAdds(ALL_PARTNERS).filter((r) => r.status === 404).length).toBeGreaterThanOrEqual(1);
  });

  it('gives up within a few seconds with an error that says the guest exists and the group add can be retried', async () => {
    sandbox.setReplicationLag(60_000);
    sandbox.resetStats();
    const told = await invite('omar@fabrikam.com', FINANCE);
    expect(told).toContain('omar@fabrikam.com is invited');
    expect(told).toContain('was created');
    expect(told).toContain(`add them to group ${FINANCE} again`);
    expect(await bot.bot.services.store.invitations.get(String((await latestInvitation('omar@fabrikam.com'))?.id))).toMatchObject({ state: 'invited' });
    // Bounded: six tries (the first and five retries), then the error.
    expect(groupAdds(FINANCE)).toHaveLength(6);
  });

  it("the grant's read of a new guest and its assignment retry while the guest replicates", async () => {
    sandbox.setReplicationLag(1000);
    const { client } = sandboxGraphClient(sandbox);
    const invitations = new GraphInvitations(client);
    const newGuest = async (email: string) =>
      (await invitations.invite({ email, redirectUrl: 'https://myapps.microsoft.com', sendInvitationMessage: false, sponsorIds: [] })).invitedUser.id;
    const apps = new GraphAppProxy(client);
    sandbox.resetStats();

    const read = await newGuest('pia@fabrikam.com');
    expect(await apps.listUserAssignments(read)).toEqual([]);
    const assigned = await newGuest('quinn@fabrikam.com');
    const { assignment } = await apps.assign(EXPENSES, assigned, EXPENSES_USER_ROLE);
    expect(assignment).toMatchObject({ principalId: assigned, resourceId: EXPENSES });

    // Each was answered 404 while its guest replicated, and tried again.
    const requests = sandbox.stats().requests;
    expect(requests.filter((r) => r.path.includes(`/users/${read}/appRoleAssignments`) && r.status === 404).length).toBeGreaterThanOrEqual(1);
    expect(requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/servicePrincipals/${EXPENSES}/appRoleAssignedTo`) && r.status === 404).length).toBeGreaterThanOrEqual(1);
  });

  async function latestInvitation(email: string) {
    const row = await bot.bot.services.store.db.selectFrom('invitation').select('id').where('email', '=', email).orderBy('created_at', 'desc').executeTakeFirst();
    return row;
  }
});
