import { randomUUID } from 'node:crypto';
import { openStore, type NewAccessRequest, type Store, type StoreWarning } from '../../../bot/store';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

function newRequest(overrides: Partial<NewAccessRequest> = {}): NewAccessRequest {
  return {
    id: randomUUID(),
    requesterObjectId: 'B0000000-0000-4000-8000-000000000001',
    requesterName: 'Megan Bowen',
    guestObjectId: 'E0000000-0000-4000-8000-000000000001',
    guestUpn: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
    guestDisplayName: 'Alice Smith (Fabrikam)',
    guestMail: 'alice@fabrikam.com',
    servicePrincipalId: 'F3000000-0000-4000-8000-000000000002',
    appDisplayName: 'Contoso Timesheets (IWA)',
    appRoleId: '3C1D5E7F-9A2B-4C4D-8E6F-A1B2C3D4E5F6',
    appRoleName: 'Timesheet User',
    ssoKind: 'kerberos',
    shadowPlan: 'create',
    durationDays: 30,
    justification: 'Northwind project',
    approverSource: 'owners',
    approverObjectIds: ['A0000000-0000-4000-8000-000000000001'],
    approvalDeadline: new Date('2030-01-08T00:00:00Z'),
    ...overrides,
  };
}

/**
 * Not `rejects.toThrow()`: better-sqlite3 registers its error class once per process, so in a jest worker's second test
 * file its errors are not `instanceof` this file's Error and toThrow reports "did not throw".
 */
const UNIQUE = /UNIQUE constraint failed|duplicate key value/;

/** The access request repository, the same on both backends: the row is the state machine, and each move happens once. */
function accessRequestContract(backend: Backend): void {
  const opened: Store[] = [];
  const warnings: StoreWarning[] = [];
  let store: Store;
  let peer: Store;

  beforeEach(async () => {
    const options = await backend.freshOptions();
    store = await openStore({ ...options, onWarning: (w) => warnings.push(w) });
    opened.push(store);
    peer = backend.multiInstance ? await openStore(options) : store;
    if (peer !== store) opened.push(peer);
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    warnings.length = 0;
  });

  it('stores a request as pending, ids lower-case, and reads it back', async () => {
    const created = await store.accessRequests.create(newRequest());
    const read = await peer.accessRequests.get(created.id);
    expect(read).toMatchObject({
      state: 'pending',
      version: 0,
      requesterObjectId: 'b0000000-0000-4000-8000-000000000001',
      guestObjectId: 'e0000000-0000-4000-8000-000000000001',
      servicePrincipalId: 'f3000000-0000-4000-8000-000000000002',
      appRoleId: '3c1d5e7f-9a2b-4c4d-8e6f-a1b2c3d4e5f6',
      approverObjectIds: ['a0000000-0000-4000-8000-000000000001'],
      shadowPlan: 'create',
      guestOnPremSynced: false,
      approvalMessages: [],
      grantProgress: {},
    });
    expect(read?.approvalDeadline.toISOString()).toBe('2030-01-08T00:00:00.000Z');
  });

  it('allows one live request per partner, app and role, and another once it has ended', async () => {
    const first = await store.accessRequests.create(newRequest());
    await expect(peer.accessRequests.create(newRequest())).rejects.toHaveProperty('message', expect.stringMatching(UNIQUE));
    await expect(peer.accessRequests.create(newRequest({ appRoleId: '00000000-0000-0000-0000-000000000000' }))).resolves.toMatchObject({ state: 'pending' });
    expect(await store.accessRequests.transition(first, 'approved')).toBe(true);
    await expect(peer.accessRequests.create(newRequest())).rejects.toHaveProperty('message', expect.stringMatching(UNIQUE));
    const approved = await store.accessRequests.get(first.id);
    if (!approved) throw new Error('lost the request');
    expect(await store.accessRequests.transition(approved, 'failed')).toBe(true);
    await expect(peer.accessRequests.create(newRequest())).resolves.toMatchObject({ state: 'pending' });
  });

  it('moves state by compare-and-set: of two callers that read the same version, one wins', async () => {
    const created = await store.accessRequests.create(newRequest());
    const results = await Promise.all([
      store.accessRequests.transition(created, 'approved', { decided_by: 'a' }),
      peer.accessRequests.transition(created, 'denied', { decided_by: 'b' }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const settled = await store.accessRequests.get(created.id);
    expect(settled?.version).toBe(1);
    expect(settled?.state).toBe(results[0] ? 'approved' : 'denied');
  });

  it('withdraws a pending request, reads it back as withdrawn, and frees the partner, app and role', async () => {
    const created = await store.accessRequests.create(newRequest());
    expect(await store.accessRequests.transition(created, 'withdrawn', { ended_by: 'b0000000-0000-4000-8000-000000000001', ended_at: '2030-01-02T00:00:00.000Z' })).toBe(true);
    const read = await peer.accessRequests.get(created.id);
    expect(read).toMatchObject({ state: 'withdrawn', version: 1, endedBy: 'b0000000-0000-4000-8000-000000000001' });
    expect(read?.endedAt?.toISOString()).toBe('2030-01-02T00:00:00.000Z');
    expect(warnings).toEqual([]);
    expect(await store.accessRequests.findFor('e0000000-0000-4000-8000-000000000001', 'f3000000-0000-4000-8000-000000000002', ['pending', 'approved', 'granted'])).toHaveLength(0);
    await expect(peer.accessRequests.create(newRequest())).resolves.toMatchObject({ state: 'pending' });
  });

  it('a withdraw racing an approve: one wins, and the loser cannot move the request afterwards', async () => {
    const created = await store.accessRequests.create(newRequest());
    const [withdrawn, approved] = await Promise.all([store.accessRequests.transition(created, 'withdrawn'), peer.accessRequests.transition(created, 'approved', { decided_by: 'a' })]);
    expect([withdrawn, approved].filter(Boolean)).toHaveLength(1);
    expect((await peer.accessRequests.get(created.id))?.state).toBe(withdrawn ? 'withdrawn' : 'approved');
    expect(await peer.accessRequests.transition(created, withdrawn ? 'approved' : 'withdrawn')).toBe(false);
    expect((await peer.accessRequests.listByState(['withdrawn'], 10)).map((r) => r.id)).toEqual(withdrawn ? [created.id] : []);
  });

  it('ends a grant once, from granted only, whoever races', async () => {
    const created = await store.accessRequests.create(newRequest());
    expect(await store.accessRequests.endGrant(created.id, 'expired', undefined)).toBe(false);
    await store.accessRequests.transition(created, 'approved');
    const approved = await store.accessRequests.get(created.id);
    if (!approved) throw new Error('lost the request');
    await store.accessRequests.transition(approved, 'granted', { expires_at: '2030-02-01T00:00:00.000Z' });
    expect(await store.accessRequests.findActiveGrants('E0000000-0000-4000-8000-000000000001', 'f3000000-0000-4000-8000-000000000002')).toHaveLength(1);
    const ends = await Promise.all([store.accessRequests.endGrant(created.id, 'expired', undefined), peer.accessRequests.endGrant(created.id, 'revoked', 'A0000000-0000-4000-8000-000000000001')]);
    expect(ends.filter(Boolean)).toHaveLength(1);
    const ended = await store.accessRequests.get(created.id);
    expect(ended?.state).toBe(ends[0] ? 'expired' : 'revoked');
    expect(ended?.endedBy).toBe(ends[0] ? undefined : 'a0000000-0000-4000-8000-000000000001');
    expect(ended?.endedAt).toBeInstanceOf(Date);
    expect(await store.accessRequests.findActiveGrants('e0000000-0000-4000-8000-000000000001', 'f3000000-0000-4000-8000-000000000002')).toHaveLength(0);
    // It wrote no audit row itself: the caller audits.
    expect(await store.audit.list()).toHaveLength(0);
  });

  it('keeps the cards and the grant checkpoint without touching the version', async () => {
    const created = await store.accessRequests.create(newRequest());
    const sent = { reference: { conversation: { id: 'a:1', isGroup: false, conversationType: 'personal', name: '' } }, activityId: 'msg-1' };
    await store.accessRequests.setApprovalMessages(created.id, [sent]);
    await store.accessRequests.saveGrantProgress(created.id, { assignmentId: 'x' }, 'ignored while pending');
    const read = await store.accessRequests.get(created.id);
    expect(read).toMatchObject({ version: 0, approvalMessages: [sent], grantProgress: {} });
    expect(read?.grantError).toBeUndefined();
    await store.accessRequests.transition(created, 'approved');
    await store.accessRequests.saveGrantProgress(created.id, { assignmentId: 'x' }, 'Graph answered 503');
    expect(await store.accessRequests.get(created.id)).toMatchObject({ version: 1, grantProgress: { assignmentId: 'x' }, grantError: 'Graph answered 503' });
  });

  it('lists a requester’s requests newest first and requests by state oldest first', async () => {
    const a = await store.accessRequests.create(newRequest({ guestObjectId: 'e0000000-0000-4000-8000-00000000000a' }));
    await new Promise((r) => setTimeout(r, 5));
    const b = await store.accessRequests.create(newRequest({ guestObjectId: 'e0000000-0000-4000-8000-00000000000b' }));
    await new Promise((r) => setTimeout(r, 5));
    await store.accessRequests.create(newRequest({ guestObjectId: 'e0000000-0000-4000-8000-00000000000c', requesterObjectId: 'b0000000-0000-4000-8000-000000000002' }));
    expect((await store.accessRequests.listByRequester('b0000000-0000-4000-8000-000000000001', 10)).map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await store.accessRequests.listByState(['pending'], 2)).map((r) => r.id)).toEqual([a.id, b.id]);
  });

  it('survives a corrupt JSON column, reporting it instead of failing the read', async () => {
    const created = await store.accessRequests.create(newRequest());
    await store.db.updateTable('access_request').set({ approval_messages: '{not json', grant_progress: '[1]' }).where('id', '=', created.id).execute();
    const read = await store.accessRequests.get(created.id);
    expect(read).toMatchObject({ approvalMessages: [], grantProgress: {} });
    expect(warnings.map((w) => (w.kind === 'corrupt-row' ? w.key : '')).sort()).toEqual([`${created.id}.approval_messages`, `${created.id}.grant_progress`]);
  });
}

describeOnEachBackend('access requests', accessRequestContract);
