import { randomUUID } from 'node:crypto';
import { openStore, type NewInvitation, type Store, type StoreWarning } from '../../../bot/store';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

function newInvitation(overrides: Partial<NewInvitation> = {}): NewInvitation {
  return {
    id: randomUUID(),
    email: 'alice@fabrikam.com',
    requesterId: 'b0000000-0000-4000-8000-000000000001',
    requesterName: 'Megan Bowen',
    options: { delivery: 'link', redirectUrl: 'https://myapps.microsoft.com', groupIds: [] },
    ...overrides,
  };
}

/** The invitation repository, the same on both backends: validated columns, and each move happens once. */
function invitationContract(backend: Backend): void {
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

  it('stores a draft and reads it back from another instance', async () => {
    const created = await store.invitations.createDraft(newInvitation({ options: { delivery: 'email', language: 'de', groupIds: ['g1'] } }));
    expect(created).toMatchObject({ state: 'draft', version: 0, approvalMessages: [] });
    const read = await peer.invitations.get(created.id);
    expect(read).toMatchObject({ id: created.id, state: 'draft', email: 'alice@fabrikam.com', options: { delivery: 'email', language: 'de', groupIds: ['g1'] } });
    expect(read?.result).toBeUndefined();
  });

  it('moves a record once: the second compare-and-set from the same version loses', async () => {
    const created = await store.invitations.createDraft(newInvitation());
    expect(await store.invitations.transition(created, 'pending', { options: { ...created.options, groupIds: ['g2'] } })).toBe(true);
    expect(await peer.invitations.transition(created, 'cancelled')).toBe(false);
    const pending = await peer.invitations.get(created.id);
    expect(pending).toMatchObject({ state: 'pending', version: 1, options: { groupIds: ['g2'] } });
    if (!pending) throw new Error('gone');
    const result = { kind: 'invited' as const, userId: 'u1', reusedExisting: false, groups: [{ groupId: 'g2', outcome: 'added' as const }] };
    expect(await store.invitations.transition(pending, 'invited', { decidedBy: 'a1', decidedByName: 'Adele', result })).toBe(true);
    expect(await store.invitations.get(created.id)).toMatchObject({ state: 'invited', decidedBy: 'a1', decidedByName: 'Adele', result, version: 2 });
  });

  it('commits a transition with its audit row, or neither', async () => {
    const created = await store.invitations.createDraft(newInvitation());
    await expect(
      store.transaction(async (tx) => {
        await tx.invitations.transition(created, 'pending');
        await tx.audit.append({ actor: 'x', action: 'invite.request', target: created.email, outcome: 'requested' });
        throw new Error('crash before commit');
      }),
    ).rejects.toThrow('crash before commit');
    expect((await store.invitations.get(created.id))?.state).toBe('draft');
    expect((await store.audit.list({ target: created.email })).length).toBe(0);
  });

  it('keeps where the approval cards went without moving the version', async () => {
    const created = await store.invitations.createDraft(newInvitation());
    await store.invitations.setApprovalMessages(created.id, [{ reference: { serviceUrl: 'https://smba.example' }, activityId: 'a1' }]);
    expect(await peer.invitations.get(created.id)).toMatchObject({ version: 0, approvalMessages: [{ activityId: 'a1' }] });
  });

  it('survives corrupt columns, reporting them, and never acts on a row it cannot read', async () => {
    const created = await store.invitations.createDraft(newInvitation());
    await store.db.updateTable('invitation').set({ approval_messages: '{not json', result: '{"kind":"invited"}' }).where('id', '=', created.id).execute();
    expect(await store.invitations.get(created.id)).toMatchObject({ state: 'draft', approvalMessages: [], result: undefined });
    const badState = await store.invitations.createDraft(newInvitation());
    await store.db.updateTable('invitation').set({ state: 'exploded' }).where('id', '=', badState.id).execute();
    const badOptions = await store.invitations.createDraft(newInvitation());
    await store.db.updateTable('invitation').set({ options: '{"delivery":"carrier pigeon"}' }).where('id', '=', badOptions.id).execute();
    expect((await store.invitations.get(badState.id))?.state).toBe('cancelled');
    expect((await store.invitations.get(badOptions.id))?.state).toBe('cancelled');
    expect(warnings.map((w) => (w.kind === 'corrupt-row' ? w.key : '')).sort()).toEqual(
      [`${created.id}.approval_messages`, `${created.id}.result`, `${badState.id}.state`, `${badOptions.id}.options`].sort(),
    );
  });
}

describeOnEachBackend('invitations', invitationContract);
