import type { Client } from '@microsoft/microsoft-graph-client';
import { GraphDoctorSignals } from '../../../bot/graph/doctorSignals';
import { README_PERMISSIONS } from '../../../sandbox/graph/permissions';
import type { RunningSandbox } from '../../../sandbox/server';
import { sandboxGraphClient, sandboxToken, startTestSandbox } from '../../helpers/sandbox';

const ERIK = 'e0000000-0000-4000-8000-000000000004';
const DANA = 'e0000000-0000-4000-8000-000000000003';
const TIMESHEETS_APP_ID = 'f2000000-0000-4000-8000-000000000002';

/** The sandbox's Conditional Access and sign-in log endpoints, raw and through the bot's adapter. */
describe('sandbox: /identity/conditionalAccess/policies and /auditLogs/signIns', () => {
  let sandbox: RunningSandbox;
  let client: Client;
  let token: string;

  async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${sandbox.url}/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const code = (body: Record<string, unknown>): unknown => (body.error as { code?: unknown } | undefined)?.code;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    client = sandboxGraphClient(sandbox).client;
    token = await sandboxToken(sandbox);
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it('lists the policies with $select, refuses an unknown property, another method, and serves one by id', async () => {
    const list = await get('/identity/conditionalAccess/policies?$select=id,displayName,state');
    expect(list.status).toBe(200);
    const value = list.body.value as Array<Record<string, unknown>>;
    expect(value.map((p) => p.state)).toContain('enabledForReportingButNotEnforced');
    expect(Object.keys(value[0] ?? {}).sort()).toEqual(['displayName', 'id', 'state']);
    expect((await get('/identity/conditionalAccess/policies?$select=nope')).status).toBe(400);
    expect((await get('/identity/conditionalAccess/policies/ca000000-0000-4000-8000-000000000003')).body.displayName).toBe('Block Erik Lindqvist everywhere (incident 4711)');
    expect((await get('/identity/conditionalAccess/policies/ca000000-0000-4000-8000-00000000dead')).status).toBe(404);
    const post = await fetch(`${sandbox.url}/v1.0/identity/conditionalAccess/policies`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(405);
  });

  it('filters sign-ins by userId, appId and createdDateTime, newest first, and bounds $top to 1–1000', async () => {
    const since = new Date(Date.now() - 24 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const dana = await get(`/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${DANA}' and appId eq '${TIMESHEETS_APP_ID}' and createdDateTime ge ${since}`)}`);
    const entries = dana.body.value as Array<{ status: { errorCode: number }; createdDateTime: string }>;
    expect(entries.map((e) => e.status.errorCode)).toEqual([50105, 50140]);
    const future = await get(`/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${DANA}' and createdDateTime ge 2999-01-01T00:00:00Z`)}`);
    expect(future.body.value).toEqual([]);
    expect((await get('/auditLogs/signIns?$top=1001')).status).toBe(400);
    expect(((await get('/auditLogs/signIns?$top=1')).body.value as unknown[]).length).toBe(1);
  });

  it('answers 403 Authorization_RequestDenied without the permission, and the licence 403 without P1/P2', async () => {
    sandbox.setGrantedPermissions(['User.Read.All']);
    const limited = await sandboxToken(sandbox);
    const denied = await fetch(`${sandbox.url}/v1.0/identity/conditionalAccess/policies`, { headers: { authorization: `Bearer ${limited}` } });
    expect(denied.status).toBe(403);
    expect(code((await denied.json()) as Record<string, unknown>)).toBe('Authorization_RequestDenied');
    const log = await fetch(`${sandbox.url}/v1.0/auditLogs/signIns`, { headers: { authorization: `Bearer ${limited}` } });
    expect(log.status).toBe(403);
    sandbox.setGrantedPermissions(['User.Read.All', 'AuditLog.Read.All', 'Policy.Read.All']);
    sandbox.state.tenant.hasPremiumLicense = false;
    try {
      const unlicensed = await get('/auditLogs/signIns');
      expect(unlicensed.status).toBe(403);
      expect(code(unlicensed.body)).toBe('Authentication_RequestFromNonPremiumTenantOrB2CTenant');
    } finally {
      sandbox.state.tenant.hasPremiumLicense = true;
      sandbox.setGrantedPermissions([...README_PERMISSIONS]);
    }
  });

  it("the bot's adapter reads all three in one $batch and classifies each failure on its own", async () => {
    sandbox.resetStats();
    const signals = await new GraphDoctorSignals(client).read(ERIK, undefined, { assignments: true });
    expect(sandbox.stats().graphRoundTrips).toBe(1);
    expect(Array.isArray(signals.policies) && signals.policies.map((p) => p.displayName)).toContain('Block Erik Lindqvist everywhere (incident 4711)');
    expect(Array.isArray(signals.signIns) && signals.signIns[0]?.errorCode).toBe(53003);
    expect(signals.groupIds).toEqual(new Set());
    expect(signals.assignments).toEqual([]);
  });
});
