import { GraphError, PageIterator, type Client, type PageCollection } from '@microsoft/microsoft-graph-client';
import type { RunningSandbox } from '../../../sandbox/server';
import { contosoFixture, sandboxGraphClient, sandboxToken, startTestSandbox } from '../../helpers/sandbox';

const ADELE = 'a0000000-0000-4000-8000-000000000001';
const NESTOR = 'a0000000-0000-4000-8000-000000000002';
const MEGAN = 'b0000000-0000-4000-8000-000000000001';
const ALEX = 'c0000000-0000-4000-8000-000000000001';
const SIOBHAN = 'c0000000-0000-4000-8000-000000000002';
const WENDY = 'd0000000-0000-4000-8000-000000000001';
const ALICE = 'e0000000-0000-4000-8000-000000000001';
const ADMINS = '9a000000-0000-4000-8000-000000000001';
const MANAGERS = '9a000000-0000-4000-8000-000000000002';
const IT_OPS = '9a000000-0000-4000-8000-000000000003';
const ALICE_UPN = 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com';

interface Listed {
  value: Array<Record<string, unknown>>;
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
  '@odata.context'?: string;
}

async function failure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GraphError) return err;
    throw err;
  }
  throw new Error('expected the Graph call to fail');
}

function ids(list: Listed): string[] {
  return list.value.map((u) => String(u.id)).sort();
}

describe('sandbox Graph directory over HTTPS with the real Graph client', () => {
  let sandbox: RunningSandbox;
  let client: Client;
  let token: string;

  beforeAll(async () => {
    // GET /organization needs Organization.Read.All, which the bot never asks for.
    sandbox = await startTestSandbox({ fixture: { ...contosoFixture(), grantedPermissions: [...contosoFixture().grantedPermissions, 'Organization.Read.All'] } });
    client = sandboxGraphClient(sandbox).client;
    token = await sandboxToken(sandbox);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const raw = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${sandbox.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });

  it('refuses Graph calls without a token, with Graph\'s error body', async () => {
    const response = await fetch(`${sandbox.url}/v1.0/users`, { headers: { 'client-request-id': 'abc-123' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
    const body = (await response.json()) as { error: { code: string; message: string; innerError: Record<string, string> } };
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(body.error.message).toBe('Access token is empty.');
    expect(body.error.innerError['client-request-id']).toBe('abc-123');
    expect(body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const forged = await fetch(`${sandbox.url}/v1.0/users`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(forged.status).toBe(401);
  });

  it('returns exactly the $select-ed properties and the default set without $select', async () => {
    const selected = (await client.api(`/users/${ADELE}`).select('id,displayName,userType,onPremisesSamAccountName').get()) as Record<string, unknown>;
    expect(Object.keys(selected).filter((k) => !k.startsWith('@odata')).sort()).toEqual(['displayName', 'id', 'onPremisesSamAccountName', 'userType']);
    expect(selected).toMatchObject({ id: ADELE, userType: 'Member', onPremisesSamAccountName: 'adelev' });

    const plain = (await client.api(`/users/${ADELE}`).get()) as Record<string, unknown>;
    expect(Object.keys(plain).filter((k) => !k.startsWith('@odata')).sort()).toEqual(
      ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
    );
    expect(plain.userType).toBeUndefined();
    expect(plain.mobilePhone).toBeNull();

    const guest = (await client.api(`/users/${ALICE}`).select('externalUserState,creationType,identities,onPremisesExtensionAttributes').get()) as Record<string, unknown>;
    expect(guest.externalUserState).toBe('Accepted');
    expect(guest.creationType).toBe('Invitation');
    expect(guest.onPremisesExtensionAttributes).toMatchObject({ extensionAttribute1: null, extensionAttribute15: null });

    const bad = await failure(client.api('/users').select('id,nope').get());
    expect(bad.statusCode).toBe(400);
    expect(bad.message).toContain("Could not find a property named 'nope'");
  });

  it('resolves a #EXT# userPrincipalName sent percent-encoded in the path', async () => {
    const user = (await client.api(`/users/${encodeURIComponent(ALICE_UPN)}`).select('id,userPrincipalName').get()) as Record<string, unknown>;
    expect(user).toMatchObject({ id: ALICE, userPrincipalName: ALICE_UPN });
    const wire = await raw(`/v1.0/users/alice_fabrikam.com%23EXT%23%40contoso.onmicrosoft.com?$select=id`);
    expect(wire.status).toBe(200);
    expect(sandbox.stats().requests.at(-1)?.path).toBe(`/v1.0/users/${ALICE_UPN}?$select=id`);
  });

  it('answers 404 with the real message, and 400 for a malformed id', async () => {
    const missing = await failure(client.api('/users/nobody@contoso.com').get());
    expect(missing.statusCode).toBe(404);
    expect(missing.code).toBe('Request_ResourceNotFound');
    expect(missing.message).toBe("Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present.");
    const malformed = await failure(client.api('/users/not-an-id').get());
    expect(malformed.statusCode).toBe(400);
  });

  it('filters by eq with doubled single quotes, and refuses an unescaped quote', async () => {
    const found = (await client.api('/users').filter("surname eq 'O''Brien'").select('id,displayName').get()) as Listed;
    expect(ids(found)).toEqual([SIOBHAN]);
    expect(found.value[0]?.displayName).toBe("Siobhán O'Brien");
    const byName = (await client.api('/users').filter("displayName eq 'siobhán o''brien'").select('id').get()) as Listed;
    expect(ids(byName)).toEqual([SIOBHAN]);
    const broken = await failure(client.api('/users').filter("surname eq 'O'Brien'").get());
    expect(broken.statusCode).toBe(400);
    expect(broken.code).toBe('BadRequest');
    expect(broken.message).toContain('Invalid filter clause');
  });

  it('filters mail eq case-insensitively, and by booleans and null', async () => {
    expect(ids((await client.api('/users').filter("mail eq 'WMORAN@fabrikam.com'").select('id').get()) as Listed)).toEqual([WENDY]);
    const disabled = (await client.api('/users').filter('accountEnabled eq false').select('id,displayName').get()) as Listed;
    expect(disabled.value.map((u) => u.displayName)).toEqual(['Lee Gu', 'Gustav Berg (disabled)']);
    const synced = (await client.api('/users').filter("onPremisesSyncEnabled eq true and userType eq 'Guest'").select('id').get()) as Listed;
    expect(ids(synced)).toEqual([WENDY, 'd0000000-0000-4000-8000-000000000002'].sort());
    const cloudOnly = (await client.api('/users').filter('onPremisesSyncEnabled eq null').select('id').get()) as Listed;
    expect(ids(cloudOnly)).toContain(ALICE);
    expect(ids(cloudOnly)).not.toContain(ADELE);
  });

  it('filters with startsWith, lambdas over otherMails, proxyAddresses and identities, and and/or with parentheses', async () => {
    const starts = (await client.api('/users').filter("startsWith(displayName,'al')").select('id').get()) as Listed;
    expect(ids(starts)).toEqual([ALEX, ALICE].sort());
    const other = (await client.api('/users').filter("otherMails/any(m:m eq 'Siobhan.OBrien@outlook.com')").select('id').get()) as Listed;
    expect(ids(other)).toEqual([SIOBHAN]);
    const proxy = (await client.api('/users').filter("proxyAddresses/any(p:p eq 'SMTP:wmoran@partners.contoso.com')").select('id').get()) as Listed;
    expect(ids(proxy)).toEqual([WENDY]);
    const google = (await client.api('/users').filter("identities/any(c:c/issuerAssignedId eq 'fiona.grant@gmail.com' and c/issuer eq 'google.com')").select('id').get()) as Listed;
    expect(ids(google)).toEqual(['e0000000-0000-4000-8000-000000000005']);
    // The Graph client does not encode query values: a raw '#' would start the URL fragment, so callers send %23.
    const cut = await failure(client.api('/users').filter(`userPrincipalName eq '${ALICE_UPN}'`).get());
    expect(cut.message).toContain('Syntax error');
    const encodedUpn = ALICE_UPN.replace(/#/g, '%23');
    expect(ids((await client.api('/users').filter(`userPrincipalName eq '${encodedUpn}'`).select('id').get()) as Listed)).toEqual([ALICE]);
    const upnIdentity = (await client.api('/users').filter(`identities/any(c:c/issuerAssignedId eq '${encodedUpn}' and c/issuer eq 'contoso.onmicrosoft.com')`).select('id').get()) as Listed;
    expect(upnIdentity.value).toEqual([]);
    const combined = (await client
      .api('/users')
      .filter("(mail eq 'alice@fabrikam.com' or otherMails/any(m:m eq 'alice@fabrikam.com')) and userType eq 'Guest'")
      .select('id')
      .get()) as Listed;
    expect(ids(combined)).toEqual([ALICE]);
    const halfIdentity = await failure(client.api('/users').filter("identities/any(c:c/issuer eq 'google.com')").get());
    expect(halfIdentity.statusCode).toBe(400);
    expect(halfIdentity.code).toBe('Request_UnsupportedQuery');
  });

  it('needs the advanced query parameters where Graph does', async () => {
    const plain = await failure(client.api('/users').filter("onPremisesSamAccountName eq 'wmoran'").get());
    expect(plain.statusCode).toBe(400);
    expect(plain.code).toBe('Request_UnsupportedQuery');
    expect(plain.message).toBe("Unsupported or invalid query filter clause specified for property 'onPremisesSamAccountName' of resource 'User'.");
    const advanced = (await client
      .api('/users')
      .header('ConsistencyLevel', 'eventual')
      .count(true)
      .filter("onPremisesSamAccountName eq 'wmoran' or onPremisesExtensionAttributes/extensionAttribute1 eq 'partner'")
      .select('id')
      .get()) as Listed;
    expect(ids(advanced)).toEqual([WENDY, 'd0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000003'].sort());
    expect(advanced['@odata.count']).toBe(3);
    const ne = await failure(client.api('/users').filter("userType ne 'Guest'").get());
    expect(ne.message).toBe("Unsupported property filter clause operator 'NotEqualsMatch'.");
    const unknown = await failure(client.api('/users').filter("shoeSize eq '9'").get());
    expect(unknown.statusCode).toBe(400);
    // Without ConsistencyLevel Graph silently ignores ?$count=true (GD concepts/aad-advanced-queries, error handling).
    const countWithoutHeader = await raw('/v1.0/users?$count=true&$select=id');
    expect(countWithoutHeader.status).toBe(200);
    expect(((await countWithoutHeader.json()) as Listed)['@odata.count']).toBeUndefined();
    const count = await raw("/v1.0/users/$count?$filter=userType eq 'Guest'", { headers: { ConsistencyLevel: 'eventual' } });
    expect(await count.text()).toBe('9');
  });

  it('pages with $top and an @odata.nextLink that points back at the sandbox', async () => {
    const first = (await client.api('/users').select('id').top(5).get()) as Listed;
    expect(first.value).toHaveLength(5);
    expect(first['@odata.nextLink']).toMatch(new RegExp(`^${sandbox.url}/v1\\.0/users\\?.*\\$skiptoken=`));
    expect(first['@odata.context']).toBe(`${sandbox.url}/v1.0/$metadata#users(id)`);
    const seen: string[] = [];
    const iterator = new PageIterator(client, first as PageCollection, (u: { id: string }) => {
      seen.push(u.id);
      return true;
    });
    await iterator.iterate();
    expect(seen).toHaveLength(sandbox.state.users.size);
    expect(new Set(seen).size).toBe(seen.length);
    const tooMany = await failure(client.api('/users').top(1000).get());
    expect(tooMany.message).toBe("Invalid page size specified: '1000'. Must be between 1 and 999 inclusive.");
  });

  it('lists sponsors and expands them with a nested $select', async () => {
    const sponsors = (await client.api(`/users/${ALICE}/sponsors`).select('id,displayName').get()) as Listed;
    expect(sponsors.value).toEqual([{ '@odata.type': '#microsoft.graph.user', id: MEGAN, displayName: 'Megan Bowen' }]);
    const expanded = (await client.api(`/users/${encodeURIComponent('carla.diaz_wingtiptoys.com#EXT#@contoso.onmicrosoft.com')}`).select('id').expand('sponsors($select=id,displayName)').get()) as {
      sponsors: Array<Record<string, unknown>>;
    };
    expect(expanded.sponsors).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: MEGAN, displayName: 'Megan Bowen' },
      { '@odata.type': '#microsoft.graph.group', id: MANAGERS, displayName: 'Partner Managers' },
    ]);
  });

  it('checks membership transitively through nested groups', async () => {
    const nested = (await client.api(`/users/${NESTOR}/checkMemberGroups`).post({ groupIds: [ADMINS, MANAGERS, IT_OPS] })) as { value: string[] };
    expect(nested.value.sort()).toEqual([ADMINS, IT_OPS].sort());
    const manager = (await client.api(`/users/${MEGAN}/checkMemberGroups`).post({ groupIds: [ADMINS, MANAGERS] })) as { value: string[] };
    expect(manager.value).toEqual([MANAGERS]);
    const memberOf = (await client.api(`/users/${NESTOR}/transitiveMemberOf`).select('id,displayName').get()) as Listed;
    expect(ids(memberOf)).toEqual([ADMINS, IT_OPS].sort());
    expect(memberOf.value.every((g) => g['@odata.type'] === '#microsoft.graph.group')).toBe(true);
    const members = (await client.api(`/groups/${ADMINS}/transitiveMembers`).select('id').get()) as Listed;
    expect(ids(members)).toEqual([ADELE, NESTOR, IT_OPS].sort());
    const direct = (await client.api(`/groups/${ADMINS}/members/microsoft.graph.user`).select('id').get()) as Listed;
    expect(ids(direct)).toEqual([ADELE]);
    const groups = (await client.api('/groups').filter("displayName eq 'partner managers'").select('id,mailEnabled').get()) as Listed;
    expect(groups.value).toEqual([{ id: MANAGERS, mailEnabled: true }]);
  });

  it('serves domains and the federation configuration of the federated one only', async () => {
    const domains = (await client.api('/domains').get()) as Listed;
    expect(domains.value.map((d) => [d.id, d.authenticationType, d.isDefault])).toEqual([
      ['contoso.com', 'Managed', true],
      ['contoso.onmicrosoft.com', 'Managed', false],
      ['partners.contoso.com', 'Federated', false],
    ]);
    expect(domains.value[0]?.federationConfiguration).toBeUndefined();
    const federation = (await client.api('/domains/Partners.Contoso.com/federationConfiguration').get()) as Listed;
    expect(federation.value).toHaveLength(1);
    expect(federation.value[0]).toMatchObject({
      '@odata.type': '#microsoft.graph.internalDomainFederation',
      issuerUri: 'http://sts.contoso.com/adfs/services/trust',
      passiveSignInUri: 'https://sts.contoso.com/adfs/ls/',
      preferredAuthenticationProtocol: 'wsFed',
    });
    expect((await failure(client.api('/domains/contoso.com/federationConfiguration').get())).statusCode).toBe(404);
    expect((await failure(client.api('/domains/fabrikam.com/federationConfiguration').get())).statusCode).toBe(404);
    const org = (await client.api('/organization').get()) as Listed;
    expect(org.value[0]).toMatchObject({ id: sandbox.tenantId, displayName: 'Contoso' });
  });

  it('answers unknown segments the way Graph does', async () => {
    const unknown = await failure(client.api('/frobnicators').get());
    expect(unknown.statusCode).toBe(400);
    expect(unknown.code).toBe('BadRequest');
    expect(unknown.message).toBe("Resource not found for the segment 'frobnicators'.");
    const beta = (await client.api(`/users/${ADELE}`).version('beta').select('id').get()) as Record<string, unknown>;
    expect(beta['@odata.context']).toBe(`${sandbox.url}/beta/$metadata#users(id)/$entity`);
  });

  it('returns signInActivity when licensed', async () => {
    const user = (await client.api(`/users/${ADELE}`).select('id,signInActivity').get()) as { signInActivity: Record<string, unknown> };
    expect(user.signInActivity.lastSignInDateTime).toBe('2025-01-14T08:03:11Z');
  });
});

describe('sandbox tenant without an Entra ID premium licence', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    const fixture = contosoFixture();
    fixture.tenant.hasPremiumLicense = false;
    sandbox = await startTestSandbox({ fixture });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('refuses signInActivity with the real 403 body', async () => {
    const { client } = sandboxGraphClient(sandbox);
    const err = await failure(client.api('/users').select('id,signInActivity').get());
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    expect(err.message).toBe("Neither tenant is B2C or tenant doesn't have premium license");
    const withoutIt = (await client.api(`/users/${ADELE}`).select('id').get()) as Record<string, unknown>;
    expect(withoutIt.id).toBe(ADELE);
  });
});
