import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../../bot/store';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

const GROUP = 'CN=Ledger Approvers,OU=Groups,DC=corp,DC=contoso,DC=test';
const MEMBER = 'CN=Wendy Moran,OU=Partners,DC=corp,DC=contoso,DC=test';
const GUEST = 'E0000000-0000-4000-8000-000000000001';

/** AD group memberships of grants, the same on both backends: the first write wins, and each move happens once. */
function membershipContract(backend: Backend): void {
  const opened: Store[] = [];
  let store: Store;
  let peer: Store;

  beforeEach(async () => {
    const options = await backend.freshOptions();
    store = await openStore(options);
    opened.push(store);
    peer = backend.multiInstance ? await openStore(options) : store;
    if (peer !== store) opened.push(peer);
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('keeps what the first attempt found: a repeat of begin returns the stored row, whatever it says', async () => {
    const requestId = randomUUID();
    const first = await store.adGroupMemberships.begin({ requestId, groupDn: GROUP, memberDn: MEMBER, guestObjectId: GUEST, state: 'adding' });
    // After a crash the bot added the member, so a second look finds it already in the group: the row must not change.
    const again = await peer.adGroupMemberships.begin({ requestId, groupDn: GROUP.toUpperCase(), memberDn: MEMBER, guestObjectId: GUEST, state: 'preExisting' });
    expect(again).toEqual(first);
    expect(first).toMatchObject({ requestId, groupDn: GROUP, memberDn: MEMBER, guestObjectId: GUEST.toLowerCase(), state: 'adding', version: 0 });
  });

  it('moves a row once by compare-and-set, on either instance', async () => {
    const requestId = randomUUID();
    const row = await store.adGroupMemberships.begin({ requestId, groupDn: GROUP, memberDn: MEMBER, guestObjectId: GUEST, state: 'adding' });
    const results = await Promise.all([store.adGroupMemberships.move(row, 'added'), peer.adGroupMemberships.move(row, 'added')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const added = await peer.adGroupMemberships.get(requestId, GROUP);
    expect(added).toMatchObject({ state: 'added', version: 1 });
    // A stale read cannot move it again.
    expect(await store.adGroupMemberships.move(row, 'removed')).toBe(false);
    if (!added) throw new Error('gone');
    expect(await store.adGroupMemberships.move(added, 'removed')).toBe(true);
    expect((await store.adGroupMemberships.get(requestId, GROUP))?.state).toBe('removed');
  });

  it('lists by grant, by partner and by membership, DNs compared without case', async () => {
    const a = randomUUID();
    const b = randomUUID();
    await store.adGroupMemberships.begin({ requestId: a, groupDn: GROUP, memberDn: MEMBER, guestObjectId: GUEST, state: 'adding' });
    await store.adGroupMemberships.begin({ requestId: a, groupDn: 'CN=Readers,DC=corp,DC=contoso,DC=test', memberDn: MEMBER, guestObjectId: GUEST, state: 'preExisting' });
    await store.adGroupMemberships.begin({ requestId: b, groupDn: GROUP, memberDn: MEMBER.toLowerCase(), guestObjectId: GUEST, state: 'preExisting' });
    expect((await peer.adGroupMemberships.listForRequest(a)).map((r) => r.state).sort()).toEqual(['adding', 'preExisting']);
    expect(await peer.adGroupMemberships.listForGuest(GUEST.toLowerCase())).toHaveLength(3);
    expect((await peer.adGroupMemberships.listForMembership(MEMBER.toUpperCase(), GROUP.toLowerCase())).map((r) => r.requestId).sort()).toEqual([a, b].sort());
    expect(await peer.adGroupMemberships.listForRequest(randomUUID())).toEqual([]);
  });
}

describeOnEachBackend('AD group membership repository', membershipContract);
