import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../../bot/store';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

/** `stale` reads who asked for each sent invitation: only invited rows, newest first, with the guest's object id when known. */
function sentInvitationsContract(backend: Backend): void {
  let store: Store;

  beforeEach(async () => {
    store = await openStore(await backend.freshOptions());
  });
  afterEach(async () => {
    await store.close();
  });

  async function invite(email: string, requesterName: string, userId?: string): Promise<void> {
    const draft = await store.invitations.createDraft({ id: randomUUID(), email, requesterId: 'r', requesterName, options: { delivery: 'link', groupIds: [] } });
    const inviting = { ...draft, version: 0 };
    expect(await store.invitations.transition(inviting, 'inviting')).toBe(true);
    if (userId) {
      const result = { kind: 'invited' as const, userId, reusedExisting: false, groups: [] };
      expect(await store.invitations.transition({ id: draft.id, version: 1 }, 'invited', { result })).toBe(true);
    }
  }

  it('lists only sent invitations, with their object id and requester', async () => {
    await invite('alice@fabrikam.com', 'Megan Bowen', 'e1');
    await invite('bob@woodgrove.test', 'Patti Fernández');
    const sent = await store.invitations.sentInvitations();
    expect(sent.map((s) => ({ email: s.email, userId: s.userId, requesterName: s.requesterName }))).toEqual([{ email: 'alice@fabrikam.com', userId: 'e1', requesterName: 'Megan Bowen' }]);
    expect(sent[0]?.at).toBeInstanceOf(Date);
  });
}

describeOnEachBackend('sent invitations for stale', sentInvitationsContract);
