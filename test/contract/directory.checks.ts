import { z } from 'zod';
import { GraphDirectory } from '../../bot/graph/graphDirectory';
import { GraphDomains } from '../../bot/graph/domains';
import { GraphInvitations } from '../../bot/graph/graphInvitations';
import { ADVANCED_QUERY_HEADERS, allPages } from '../../bot/graph/paging';
import { NotRun, recordRequests, statusAndCode, type Check, type Target } from './harness';

function adminGroup(t: Target): string {
  if (!t.adminGroupId) throw new NotRun('no CONTRACT_ADMIN_GROUP_ID or ADMIN_GROUP_ID');
  return t.adminGroupId;
}

function userId(t: Target): string {
  const id = t.state.get('user.id');
  if (!id) throw new Error('no member user was found to read');
  return id;
}

const TRANSITIVE_USERS = /\/groups\/[^/]+\/transitiveMembers\/microsoft\.graph\.user$/;

/** Membership, the approvers' advanced query, paging and our domains. */
export function directoryChecks(check: Check): void {
  check('POST /users/{id}/checkMemberGroups', 'answers value[] holding only the group ids asked for', async (t) => {
    const asked = [adminGroup(t), '00000000-0000-4000-8000-00000000c0de'];
    const ids = await new GraphDirectory(t.graph).checkMemberGroups(userId(t), asked);
    expect(ids.every((id) => asked.includes(id.toLowerCase()))).toBe(true);
    return 'value[] within the ids asked';
  });

  check('GET /groups/{id}/transitiveMembers/microsoft.graph.user', 'sent as an advanced query: ConsistencyLevel: eventual, $count=true and $select=id on every page', async (t) => {
    const { result, requests } = await recordRequests(() => new GraphInvitations(t.graph).transitiveUserMemberIds(adminGroup(t)));
    const pages = requests.filter((r) => TRANSITIVE_USERS.test(r.url.pathname));
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) {
      expect(page.headers.get('consistencylevel')).toBe('eventual');
      expect(page.url.searchParams.get('$count')).toBe('true');
    }
    expect(pages[0]?.url.searchParams.get('$select')).toBe('id');
    expect(result.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
    return 'advanced query on every page; user ids read';
  });

  check('GET /groups/{id}/transitiveMembers/microsoft.graph.user', 'without ConsistencyLevel and $count the cast is refused', async (t) => {
    try {
      await t.graph.api(`/groups/${adminGroup(t)}/transitiveMembers/microsoft.graph.user?$select=id`).get();
      return 'served without the advanced query parameters';
    } catch (error) {
      return statusAndCode(error);
    }
  });

  check('GET /groups/{id}/transitiveMembers/microsoft.graph.user', '@odata.nextLink paging is followed, with the advanced query header on each page', async (t) => {
    const one = await new GraphInvitations(t.graph).transitiveUserMemberIds(adminGroup(t));
    if (one.length < 2) throw new NotRun(`the group has ${one.length} user(s); paging needs two`);
    const url = `/groups/${adminGroup(t)}/transitiveMembers/microsoft.graph.user?$select=id&$top=1&$count=true`;
    const { result, requests } = await recordRequests(() => allPages(t.graph, url, z.object({ id: z.string() }), { headers: ADVANCED_QUERY_HEADERS }));
    const pages = requests.filter((r) => TRANSITIVE_USERS.test(r.url.pathname));
    expect(pages.length).toBe(one.length);
    expect(pages.slice(1).every((p) => p.url.searchParams.has('$skiptoken') || p.url.search.length > 0)).toBe(true);
    expect(pages.every((p) => p.headers.get('consistencylevel') === 'eventual')).toBe(true);
    expect(result.map((u) => u.id.toLowerCase()).sort()).toEqual([...one].sort());
    return 'one page per user at $top=1, every nextLink followed, same ids as one page';
  });

  check('GET /domains?$select=id,authenticationType,isVerified', 'the fields the realm check reads parse, with at least one verified domain', async (t) => {
    const { result, requests } = await recordRequests(() => new GraphDomains(t.graph).list());
    expect(result.some((d) => d.isVerified)).toBe(true);
    expect(requests[0]?.url.searchParams.get('$select')).toBe('id,authenticationType,isVerified');
    return 'parsed; a verified domain';
  });

  check('GET /domains/{id}/federationConfiguration', 'a managed domain has no federation (an empty list or 404), read as none', async (t) => {
    const domains = new GraphDomains(t.graph);
    const managed = (await domains.list()).find((d) => d.authenticationType === 'Managed' && d.isVerified);
    if (!managed) throw new NotRun('no verified managed domain');
    expect(await domains.federation(managed.id)).toBeUndefined();
    return 'none';
  });

  check('GET /domains/{id}/federationConfiguration', 'a federated domain: one internalDomainFederation with issuerUri and passiveSignInUri', async (t) => {
    const domains = new GraphDomains(t.graph);
    const federated = (await domains.list()).find((d) => d.authenticationType === 'Federated');
    if (!federated) throw new NotRun('no federated domain');
    const federation = await domains.federation(federated.id);
    expect(federation?.issuerUri).toEqual(expect.any(String));
    expect(federation?.passiveSignInUri).toEqual(expect.any(String));
    return 'issuerUri and passiveSignInUri read';
  });
}
