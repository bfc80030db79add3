import type { RunningSandbox } from '../../../sandbox/server';
import { sandboxToken, startTestSandbox } from '../../helpers/sandbox';

const MEGAN = 'b0000000-0000-4000-8000-000000000001';
const ALICE = 'e0000000-0000-4000-8000-000000000001';
const ALL_PARTNERS = '9a000000-0000-4000-8000-000000000004';

describe('sandbox POST /invitations and group member adds, over HTTPS', () => {
  let sandbox: RunningSandbox;
  let token: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    token = await sandboxToken(sandbox);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${sandbox.url}/v1.0${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const invite = (email: string, extra: Record<string, unknown> = {}) =>
    post('/invitations', { invitedUserEmailAddress: email, inviteRedirectUrl: 'https://myapps.microsoft.com', ...extra });

  it('creates a pending guest with the #EXT# UPN, creationType Invitation and the given sponsor', async () => {
    const { status, body } = await invite("o'neil@fabrikam.com", { invitedUserDisplayName: "Pat O'Neil", invitedUserSponsors: [{ id: MEGAN }] });
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: 'PendingAcceptance', invitedUserEmailAddress: "o'neil@fabrikam.com", sendInvitationMessage: false });
    expect(String(body.inviteRedeemUrl)).toMatch(/^https:\/\/login\.microsoftonline\.com\/redeem\?rd=/);
    const userId = String((body.invitedUser as { id: string }).id);
    expect(sandbox.state.users.get(userId)).toMatchObject({
      userPrincipalName: "o'neil_fabrikam.com#EXT#@contoso.onmicrosoft.com",
      userType: 'Guest',
      creationType: 'Invitation',
      externalUserState: 'PendingAcceptance',
      sponsors: [MEGAN],
    });
  });

  it('returns the same guest when the same address is invited again (a re-sent POST creates nothing)', async () => {
    const first = await invite('repeat@fabrikam.com');
    const before = sandbox.state.users.size;
    const second = await invite('REPEAT@fabrikam.com');
    expect(second.status).toBe(201);
    expect(second.body.invitedUser).toEqual(first.body.invitedUser);
    expect(sandbox.state.users.size).toBe(before);
  });

  it('refuses the policy-blocked domain, an invalid address, two cc recipients and a member-owned address', async () => {
    const blocked = await invite('x@mailinator.com');
    expect(blocked.status).toBe(400);
    expect(blocked.body.error).toMatchObject({ code: 'BadRequest', message: "Can't process the request because it's malformed or incorrect." });
    expect((blocked.body.error as { innerError?: unknown }).innerError).toBeDefined();
    expect((await invite('a,b@fabrikam.com')).status).toBe(400);
    const cc = await invite('cc@fabrikam.com', { invitedUserMessageInfo: { ccRecipients: [{ emailAddress: { address: 'a@x.com' } }, { emailAddress: { address: 'b@x.com' } }] } });
    expect(cc.status).toBe(400);
    const member = await invite('siobhan.obrien@outlook.com');
    expect(member.status).toBe(400);
    expect(member.body.error).toMatchObject({ code: 'Request_MultipleObjectsWithSameKeyValue' });
  });

  it('resets redemption only with invitedUser.id, keeping the object id', async () => {
    const missing = await invite('alice@fabrikam.com', { resetRedemption: true });
    expect(missing.status).toBe(400);
    const reset = await invite('alice@fabrikam.com', { resetRedemption: true, invitedUser: { id: ALICE } });
    expect(reset.status).toBe(201);
    expect(reset.body.invitedUser).toEqual({ id: ALICE });
    expect(sandbox.state.users.get(ALICE)?.externalUserState).toBe('PendingAcceptance');
    sandbox.redeemInvitation(ALICE);
    expect(sandbox.state.users.get(ALICE)?.externalUserState).toBe('Accepted');
  });

  it('marks an invitation redeemed through the control endpoint', async () => {
    const { body } = await invite('redeem@fabrikam.com');
    const response = await fetch(`${sandbox.url}/_sandbox/invitations/redeem`, { method: 'POST', body: JSON.stringify({ user: 'redeem@fabrikam.com' }) });
    expect(response.status).toBe(200);
    expect(sandbox.state.users.get(String((body.invitedUser as { id: string }).id))?.externalUserState).toBe('Accepted');
    const unknown = await fetch(`${sandbox.url}/_sandbox/invitations/redeem`, { method: 'POST', body: JSON.stringify({ user: 'nobody@nowhere.example' }) });
    expect(unknown.status).toBe(404);
  });

  it('answers the anti-abuse 403 after the configured number of invitations, until the switches are replaced', async () => {
    sandbox.setInvitations({ abuseBlockAfter: 1 });
    expect((await invite('one@fabrikam.com')).status).toBe(201);
    const blocked = await invite('two@fabrikam.com');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error).toMatchObject({ message: 'Invitations are blocked for this directory due to suspicious activity. Please contact Microsoft support for help.' });
    expect((await invite('three@fabrikam.com')).status).toBe(403);
    sandbox.setInvitations({});
    expect((await invite('three@fabrikam.com')).status).toBe(201);
  });

  it('adds a group member by $ref once, and says so the second time', async () => {
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${MEGAN}` };
    const added = await post(`/groups/${ALL_PARTNERS}/members/$ref`, ref);
    expect(added.status).toBe(204);
    expect(sandbox.state.findGroup(ALL_PARTNERS)?.members).toContain(MEGAN);
    const again = await post(`/groups/${ALL_PARTNERS}/members/$ref`, ref);
    expect(again.status).toBe(400);
    expect(String((again.body.error as { message: string }).message)).toContain('already exist');
    expect((await post('/groups/9a000000-0000-4000-8000-0000000000ff/members/$ref', ref)).status).toBe(404);
    const stats = sandbox.stats();
    expect(stats.requests.filter((r) => r.path.includes('/members/$ref')).every((r) => r.writes === 1 || r.status !== 204)).toBe(true);
  });
});
