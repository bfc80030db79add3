import { ContractReport, tenantSettings } from './harness';

const AZURE = { AZURE_TENANT_ID: '6e3c2d1a-9b8f-4a7e-b5c4-3d2e1f0a9b8c', AZURE_CLIENT_ID: '2b1ad4c3-8f5e-4c6a-9d7b-0e3f1a2b5c8d', AZURE_CLIENT_SECRET: 's' };

describe('contract harness', () => {
  it('a row where both targets ran and observed different things is a mismatch; not run on either side is not', () => {
    const report = new ContractReport();
    report.record('GET /a', 'same', 'sandbox', { status: 'pass', observed: '404 Request_ResourceNotFound' });
    report.record('GET /a', 'same', 'tenant', { status: 'pass', observed: '404 Request_ResourceNotFound' });
    report.record('GET /b', 'differs', 'sandbox', { status: 'pass', observed: '400 Request_UnsupportedQuery' });
    report.record('GET /b', 'differs', 'tenant', { status: 'pass', observed: 'served without the advanced query parameters' });
    report.record('GET /c', 'fails on one', 'sandbox', { status: 'pass', observed: 'parsed' });
    report.record('GET /c', 'fails on one', 'tenant', { status: 'fail', observed: 'parsed' });
    report.record('GET /d', 'sandbox-only', 'sandbox', { status: 'pass', observed: 'throttled' });
    report.record('GET /d', 'sandbox-only', 'tenant', { status: 'not run', why: 'sandbox-only (needs an injected 429)' });
    report.record('GET /e', 'tenant absent', 'sandbox', { status: 'pass', observed: 'read' });
    expect(report.mismatches().map((m) => m.endpoint)).toEqual(['GET /b', 'GET /c']);
    const table = report.toMarkdown(['note']);
    expect(table).toContain('| `GET /d` | sandbox-only | pass: throttled | not run: sandbox-only (needs an injected 429) |');
    expect(table).toContain('| `GET /e` | tenant absent | pass: read | not run |');
    expect(table).toContain('2 mismatch(es)');
  });

  it('the tenant run is skipped, with the reason, unless CONTRACT_TENANT=1 and the AZURE_* credentials are set', () => {
    expect(tenantSettings({})).toEqual({ run: false, why: 'CONTRACT_TENANT=1 is not set' });
    expect(tenantSettings({ ...AZURE })).toMatchObject({ run: false });
    expect(tenantSettings({ CONTRACT_TENANT: '1', AZURE_TENANT_ID: AZURE.AZURE_TENANT_ID })).toMatchObject({ run: false, why: expect.stringContaining('AZURE_CLIENT_ID') });
    const run = tenantSettings({ CONTRACT_TENANT: '1', ...AZURE });
    expect(run).toMatchObject({ run: true, graph: { baseUrl: 'https://graph.microsoft.com', customAuthority: false, credential: { kind: 'secret' } } });
    expect(run).not.toHaveProperty('writes');
  });

  it('writes need the named group and invite domain: CONTRACT_WRITE=1 without them is an error, not a write anywhere', () => {
    expect(() => tenantSettings({ CONTRACT_TENANT: '1', CONTRACT_WRITE: '1', ...AZURE })).toThrow(/CONTRACT_GROUP_ID/);
    expect(tenantSettings({ CONTRACT_TENANT: '1', CONTRACT_WRITE: '1', CONTRACT_GROUP_ID: 'g', CONTRACT_INVITE_DOMAIN: 'Test.Example', ...AZURE })).toMatchObject({
      writes: { groupId: 'g', inviteDomain: 'test.example' },
    });
  });
});
