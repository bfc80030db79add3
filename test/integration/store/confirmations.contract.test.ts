import { randomUUID } from 'node:crypto';
import { openStore, type NewConfirmation, type Store, type StoreWarning } from '../../../bot/store';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

const NOW = new Date('2026-12-02T10:00:00Z');
const LATER = new Date('2026-12-02T10:05:00Z');
const EXPIRED = new Date('2026-12-02T10:16:00Z');

function newConfirmation(overrides: Partial<NewConfirmation> = {}): NewConfirmation {
  return {
    id: randomUUID(),
    callerId: 'a0000000-0000-4000-8000-0000000000aa',
    kind: 'command',
    verb: 'resend',
    payload: { word: 'resend', args: ['alice@fabrikam.com'], rest: 'alice@fabrikam.com' },
    summary: "Reset Alice's redemption?",
    expiresAt: new Date(NOW.getTime() + 15 * 60_000),
    now: NOW,
    ...overrides,
  };
}

/** Pending confirmations, the same on both backends: the exact payload back, and each one settles once, before expiry. */
function confirmationContract(backend: Backend): void {
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

  it('stores the exact payload and offered choices, and reads them back from another instance', async () => {
    const created = await store.confirmations.create(
      newConfirmation({ kind: 'action', verb: 'revoke.confirm', payload: { servicePrincipalId: 'sp', email: 'a@b.c' }, choices: { assignments: ['x', 'y'] } }),
    );
    expect(await peer.confirmations.get(created.id)).toMatchObject({
      state: 'pending',
      kind: 'action',
      verb: 'revoke.confirm',
      payload: { servicePrincipalId: 'sp', email: 'a@b.c' },
      choices: { assignments: ['x', 'y'] },
      version: 0,
      expiresAt: new Date(NOW.getTime() + 15 * 60_000),
    });
    expect(warnings).toEqual([]);
  });

  it('is used once: the second compare-and-set loses, on either instance', async () => {
    const created = await store.confirmations.create(newConfirmation());
    const [first, second] = await Promise.all([store.confirmations.settle(created, 'used', LATER), peer.confirmations.settle(created, 'used', LATER)]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect(await peer.confirmations.settle(created, 'cancelled', LATER)).toBe(false);
    expect(await store.confirmations.get(created.id)).toMatchObject({ state: 'used', version: 1 });
  });

  it('cannot be settled after it expired', async () => {
    const created = await store.confirmations.create(newConfirmation());
    expect(await store.confirmations.settle(created, 'used', EXPIRED)).toBe(false);
    expect(await store.confirmations.get(created.id)).toMatchObject({ state: 'pending', version: 0 });
  });

  it('keeps the result for a second click, without moving the version', async () => {
    const created = await store.confirmations.create(newConfirmation());
    expect(await store.confirmations.settle(created, 'used', LATER)).toBe(true);
    await store.confirmations.setResult(created.id, { message: 'Redemption reset.' });
    expect(await peer.confirmations.get(created.id)).toMatchObject({ state: 'used', version: 1, result: { message: 'Redemption reset.' } });
  });

  it('settles with its audit row in one transaction, or not at all', async () => {
    const created = await store.confirmations.create(newConfirmation());
    await expect(
      store.transaction(async (tx) => {
        expect(await tx.confirmations.settle(created, 'used', LATER)).toBe(true);
        await tx.audit.append({ actor: created.callerId, action: 'confirm.accept', target: 'resend', outcome: 'success' });
        throw new Error('crash after the audit row');
      }),
    ).rejects.toThrow('crash');
    expect(await store.confirmations.get(created.id)).toMatchObject({ state: 'pending' });
    expect(await store.audit.list({ action: 'confirm.accept' })).toEqual([]);
  });

  it('reads a corrupt row as cancelled, with a warning, so nothing runs from it', async () => {
    const created = await store.confirmations.create(newConfirmation());
    await store.db.updateTable('confirmation').set({ payload: '{not json' }).where('id', '=', created.id).execute();
    expect(await store.confirmations.get(created.id)).toMatchObject({ state: 'cancelled' });
    expect(warnings.some((w) => w.kind === 'corrupt-row')).toBe(true);
  });

  it('purges what expired', async () => {
    const old = await store.confirmations.create(newConfirmation());
    expect(await store.confirmations.purgeExpired(EXPIRED)).toBe(1);
    expect(await store.confirmations.get(old.id)).toBeUndefined();
  });

  it('is purged by housekeeping once it expired longer ago than drafts are kept, so a late second click still gets its result', async () => {
    const old = await store.confirmations.create(newConfirmation());
    const recent = await store.confirmations.create(newConfirmation({ expiresAt: new Date(EXPIRED.getTime() + 24 * 60 * 60_000) }));
    const counts = await store.purgeExpired(new Date(EXPIRED.getTime() + 24 * 60 * 60_000), 24 * 60 * 60_000);
    expect(counts.confirmations).toBe(1);
    expect(await store.confirmations.get(old.id)).toBeUndefined();
    expect(await store.confirmations.get(recent.id)).toBeDefined();
  });
}

describeOnEachBackend('confirmations', confirmationContract);
