import { GraphError } from '@microsoft/microsoft-graph-client';
import { DirectoryUnavailableError } from '../../bot/graph/errors';
import { GraphInvitations, InvitationRefusedError, InvitationThrottledError, type InvitationRequest } from '../../bot/graph/graphInvitations';
import { CROSS_TENANT_MESSAGE, UNDOCUMENTED_REFUSAL_MESSAGE } from '../../sandbox/graph/invitations';
import { recordRequests, statusAndCode, type Check, type Target } from './harness';

const REDIRECT = 'https://myapps.microsoft.com';

function request(email: string): InvitationRequest {
  return { email, redirectUrl: REDIRECT, sendInvitationMessage: false, sponsorIds: [] };
}

/**
 * A guest the suite created; the tenant removes it (membership, user, then the recycle bin) in afterAll. The sandbox's
 * directory is thrown away with it.
 */
function remember(t: Target, guestId: string, key = 'guest.id'): void {
  t.state.set(key, guestId);
  if (t.sandbox) return;
  t.cleanups.push({
    what: `delete guest ${guestId}`,
    undo: async () => {
      await t.graph.api(`/users/${guestId}`).delete();
      await t.graph
        .api(`/directory/deletedItems/${guestId}`)
        .delete()
        .catch(() => undefined);
    },
  });
}

/** The refusal the bot made of a POST /invitations: its kind and Graph's message, or what else went wrong. */
async function refusalOf(t: Target, email: string): Promise<{ kind: string; message: string }> {
  let accepted: string;
  try {
    accepted = (await new GraphInvitations(t.graph).invite(request(email))).invitedUser.id;
  } catch (error) {
    if (error instanceof InvitationRefusedError) return error.refusal;
    throw error;
  }
  // Graph created a guest the check expected it to refuse: it is removed with the rest.
  remember(t, accepted, 'refused.id');
  throw new Error(`POST /invitations accepted ${email}`);
}

function writes(t: Target): NonNullable<Target['writes']> {
  if (!t.writes) throw new Error('no write scope');
  return t.writes;
}

/** Replication lag: a guest just created may not be visible to a group add for a few seconds (ED troubleshoot). */
async function withLag<T>(t: Target, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i += 1) {
    try {
      return await attempt();
    } catch (error) {
      const notYet = error instanceof DirectoryUnavailableError && error.statusCode === 404;
      if (t.sandbox || !notYet || i >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

/** The invitation chain: look-up before inviting, the tenant's list, POST /invitations and its refusals, the group add. */
export function invitationChecks(check: Check): void {
  check("GET /users?$filter=mail eq … or otherMails/any … or proxyAddresses/any … or startsWith(userPrincipalName,'…#EXT#@')", 'pre-invite look-up: a default query, # sent as %23, an address nobody holds finds no one', async (t) => {
    const email = `${t.runId}@${t.runId}.invalid`;
    const { result, requests } = await recordRequests(() => new GraphInvitations(t.graph).findByEmail(email));
    expect(result).toEqual([]);
    const sent = requests.find((r) => r.url.pathname.endsWith('/users'));
    expect(sent?.url.search).toContain('%23EXT%23%40');
    expect(sent?.headers.get('consistencylevel')).toBeNull();
    return '200; none; # as %23';
  });

  check("GET /users?$filter=mail eq … or otherMails/any … or proxyAddresses/any … or startsWith(userPrincipalName,'…#EXT#@')", "pre-invite look-up finds an accepted guest with the fields the pre-check reads", async (t) => {
    const [alice] = await new GraphInvitations(t.graph).findByEmail('alice@fabrikam.com');
    expect(alice).toMatchObject({ userType: 'Guest', externalUserState: 'Accepted', creationType: 'Invitation' });
    return 'guest found';
  }, { sandboxOnly: "needs the fixture's guest" });

  check('GET /beta/policies/b2bManagementPolicies', "the tenant's allow or block list is read (Policy.Read.B2BManagementPolicy)", async (t) => {
    const policy = await new GraphInvitations(t.graph).tenantInvitationPolicy();
    return policy.kind === 'unknown' ? `unknown: ${policy.reason}` : 'read';
  });

  check('POST /invitations', '201 with invitedUser.id, inviteRedeemUrl and status PendingAcceptance, for an address in the test domain', async (t) => {
    const email = `${t.runId}@${writes(t).inviteDomain}`;
    const invited = await new GraphInvitations(t.graph).invite({ ...request(email), displayName: `Contract ${t.runId}` });
    remember(t, invited.invitedUser.id);
    expect(invited.inviteRedeemUrl).toMatch(/^https:\/\//);
    return `created; status ${invited.status ?? 'none'}`;
  }, { writes: true });

  check('POST /invitations', 'the same address again returns the same guest (a re-sent POST creates nothing)', async (t) => {
    const first = t.state.get('guest.id');
    if (!first) throw new Error('the invitation check created no guest');
    const again = await new GraphInvitations(t.graph).invite(request(`${t.runId}@${writes(t).inviteDomain}`));
    expect(again.invitedUser.id.toLowerCase()).toBe(first.toLowerCase());
    return 'same invitedUser.id';
  }, { writes: true });

  check('POST /groups/{id}/members/$ref', "204 adds the guest to the test group; a second add is Graph's 400 'already exist', read as already", async (t) => {
    const guest = t.state.get('guest.id');
    if (!guest) throw new Error('the invitation check created no guest');
    const { groupId } = writes(t);
    const invitations = new GraphInvitations(t.graph);
    const { result: first, requests } = await recordRequests(() => withLag(t, () => invitations.addToGroup(groupId, guest)));
    if (!t.sandbox) {
      t.cleanups.push({ what: `remove ${guest} from ${groupId}`, undo: async () => t.graph.api(`/groups/${groupId}/members/${guest}/$ref`).delete() });
    }
    const body = requests.find((r) => r.url.pathname.endsWith('/members/$ref'))?.body;
    expect(body).toEqual({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${guest}` });
    expect(first).toBe('added');
    expect(await invitations.addToGroup(groupId, guest)).toBe('already');
    return 'added, then already';
  }, { writes: true });

  check('POST /invitations', "an address Graph's character rules refuse: 400, classified invalid", async (t) => {
    const refusal = await refusalOf(t, `a,b@${writes(t).inviteDomain}`);
    return refusal.kind;
  }, { writes: true });

  check('POST /invitations', "a domain the tenant's block list refuses, 400 reading: policy, with Graph's message as it came", async (t) => {
    expect(await refusalOf(t, 'temp@mailinator.com')).toEqual({ kind: 'policy', message: UNDOCUMENTED_REFUSAL_MESSAGE[400] });
    return 'policy';
  }, { sandboxOnly: "provoking it needs a domain on the tenant's block list" });

  check('POST /invitations', "a domain the tenant's block list refuses, 403 reading: policy, with Graph's message as it came", async (t) => {
    t.sandbox?.setInvitations({ refusalStatus: 403 });
    try {
      expect(await refusalOf(t, 'temp@guerrillamail.com')).toEqual({ kind: 'policy', message: UNDOCUMENTED_REFUSAL_MESSAGE[403] });
    } finally {
      t.sandbox?.setInvitations({});
    }
    return 'policy';
  }, { sandboxOnly: 'Microsoft does not document the status; the sandbox switch serves the other reading' });

  check('POST /invitations', 'cross-tenant access settings block the partner (both status readings): policy, with the documented sentence', async (t) => {
    const seen: string[] = [];
    for (const refusalStatus of [400, 403] as const) {
      t.sandbox?.setInvitations({ crossTenantBlockedDomains: ['wingtiptoys.com'], refusalStatus });
      try {
        expect(await refusalOf(t, `x${refusalStatus}@wingtiptoys.com`)).toEqual({ kind: 'policy', message: CROSS_TENANT_MESSAGE });
        seen.push(`${refusalStatus}: policy`);
      } finally {
        t.sandbox?.setInvitations({});
      }
    }
    return seen.join(', ');
  }, { sandboxOnly: "provoking it needs a partner tenant whose cross-tenant settings block ours" });

  check('POST /invitations', "an address a member already holds: 400 Request_MultipleObjectsWithSameKeyValue, classified conflict", async (t) => {
    try {
      await t.graph.api('/invitations').post({ invitedUserEmailAddress: 'siobhan.obrien@outlook.com', inviteRedirectUrl: REDIRECT });
      throw new Error('accepted');
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      expect((await refusalOf(t, 'siobhan.obrien@outlook.com')).kind).toBe('conflict');
      return `${statusAndCode(error)}; conflict`;
    }
  }, { sandboxOnly: "needs the fixture's member with that proxy address" });

  check('POST /invitations', 'the anti-abuse block: 403 "…suspicious activity…", classified abuse', async (t) => {
    t.sandbox?.setInvitations({ abuseBlockAfter: 0 });
    try {
      return (await refusalOf(t, 'burst@fabrikam.com')).kind;
    } finally {
      t.sandbox?.setInvitations({});
    }
  }, { sandboxOnly: 'tripping it on a tenant blocks invitations until Microsoft support lifts it' });

  check('POST /invitations', "429 with Retry-After past the client's retries: InvitationThrottledError carrying Retry-After", async (t) => {
    t.sandbox?.setFaults([{ method: 'POST', pathPattern: '^/v1\\.0/invitations', status: 429, retryAfterSeconds: 0.1 }]);
    const { result, requests } = await recordRequests(async () => {
      try {
        await new GraphInvitations(t.graph).invite(request('slow@fabrikam.com'));
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(result).toBeInstanceOf(InvitationThrottledError);
    const throttled = result as InvitationThrottledError;
    expect(throttled.retryAfterMs).toBe(100);
    const posts = requests.filter((r) => r.method === 'POST' && r.url.pathname.endsWith('/invitations'));
    // The Graph client's RetryHandler: three retries (four sends), each after Retry-After, marked with Retry-Attempt.
    expect(posts).toHaveLength(4);
    expect(posts.slice(1).map((p) => p.headers.get('retry-attempt'))).toEqual(['1', '2', '3']);
    return `${throttled.statusCode} after ${posts.length} sends; retryAfterMs ${throttled.retryAfterMs ?? 'none'}`;
  }, { sandboxOnly: 'needs an injected 429' });
}
