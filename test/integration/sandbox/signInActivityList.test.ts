import type { Fixture } from '../../../sandbox/fixture';
import type { RunningSandbox } from '../../../sandbox/server';
import { contosoFixture, sandboxToken, startTestSandbox } from '../../helpers/sandbox';

/** 300 extra guests, so a listing needs more than one page of 120 and of 100. */
function bigTenant(): Fixture {
  const fixture = contosoFixture();
  for (let i = 0; i < 300; i++) {
    fixture.users.push({
      id: `f2000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      userPrincipalName: `p${i}_example.test#EXT#@contoso.onmicrosoft.com`,
      displayName: `Paged Guest ${i}`,
      userType: 'Guest',
      accountEnabled: true,
      signInActivity: { lastSignInDateTime: '2026-01-01T00:00:00Z' },
    } as Fixture['users'][number]);
  }
  return fixture;
}

describe('sandbox: signInActivity in a user listing (GD api/user-list, api/resources/user)', () => {
  let sandbox: RunningSandbox;
  let token: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ fixture: bigTenant() });
    token = await sandboxToken(sandbox);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  async function get(query: string): Promise<{ status: number; body: { value?: unknown[]; '@odata.nextLink'?: string; error?: { code?: string } } }> {
    const res = await fetch(`${sandbox.url}/v1.0/users?${query}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as { value?: unknown[]; '@odata.nextLink'?: string; error?: { code?: string } } };
  }

  it('serves at most 120 users a page when signInActivity is selected, whatever $top asks, and follows on with nextLink', async () => {
    const first = await get(`$filter=${encodeURIComponent("userType eq 'Guest'")}&$select=id,signInActivity&$top=999`);
    expect(first.status).toBe(200);
    expect(first.body.value).toHaveLength(120);
    const next = first.body['@odata.nextLink'] ?? '';
    expect(next).toContain('$top=999');
    const second = await fetch(next, { headers: { authorization: `Bearer ${token}` } });
    expect(((await second.json()) as { value: unknown[] }).value).toHaveLength(120);
    // Without signInActivity the same $top is served in full.
    expect((await get(`$filter=${encodeURIComponent("userType eq 'Guest'")}&$select=id&$top=999`)).body.value?.length).toBeGreaterThan(300);
  });

  it('refuses a signInActivity filter beside another property, and serves it alone', async () => {
    const alone = await get(`$filter=${encodeURIComponent('signInActivity/lastSignInDateTime le 2026-06-01T00:00:00Z')}&$select=id,signInActivity`);
    expect(alone.status).toBe(200);
    expect(alone.body.value?.length).toBeGreaterThan(0);
    const combined = await get(`$filter=${encodeURIComponent("signInActivity/lastSignInDateTime le 2026-06-01T00:00:00Z and userType eq 'Guest'")}&$select=id,signInActivity`);
    expect(combined.status).toBe(400);
    expect(combined.body.error?.code).toBe('Request_UnsupportedQuery');
  });
});
