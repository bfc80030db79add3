import { canForwardAccess, type CapabilityCaller, type DecidableAccessRequest } from '../../bot/identity/capabilities';
import type { Role } from '../../bot/identity/policy';
import { handedOnBy } from '../../bot/services/access/reminders';

const oid = (n: number): string => `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const who = (n: number, ...roles: Role[]): CapabilityCaller => ({ aadObjectId: oid(n), roles });
const REQUESTER = oid(90);
const GUEST = oid(91);
const request: DecidableAccessRequest = { requesterObjectId: REQUESTER, guestObjectId: GUEST, approverObjectIds: [oid(1), oid(2)], approverSource: 'owners' };
const live = { ids: [oid(1), oid(2), oid(3)], source: 'owners' as const };

describe('canForwardAccess: who may hand a request to whom', () => {
  it('lets an approver Graph lists now hand it to another one, also one added since the request (not on the request yet)', () => {
    expect(canForwardAccess(who(1), request, live, oid(2))).toEqual({ allowed: true });
    expect(canForwardAccess(who(1), request, live, oid(3))).toEqual({ allowed: true });
    // Ids in another case are the same person, as Graph and Teams may write them.
    expect(canForwardAccess(who(1), request, live, oid(3).toUpperCase())).toEqual({ allowed: true });
  });

  it('refuses forwarding to yourself, to the requester (self-approval) and to the partner', () => {
    expect(canForwardAccess(who(1), request, live, oid(1).toUpperCase())).toEqual({ allowed: false, reason: 'to-yourself' });
    // Even when Graph lists the requester or the partner as an owner, neither may decide.
    const listsThem = { ids: [...live.ids, REQUESTER, GUEST], source: 'owners' as const };
    expect(canForwardAccess(who(1), request, listsThem, REQUESTER)).toEqual({ allowed: false, reason: 'to-the-requester' });
    expect(canForwardAccess(who(1), request, listsThem, GUEST)).toEqual({ allowed: false, reason: 'to-the-partner' });
  });

  it('refuses a target who may not approve the app, even an admin while the owners decide', () => {
    expect(canForwardAccess(who(1), request, live, oid(50))).toEqual({ allowed: false, reason: 'target-not-an-approver' });
    expect(canForwardAccess(who(1, 'admin'), request, live, oid(51))).toEqual({ allowed: false, reason: 'target-not-an-approver' });
  });

  it('refuses a caller who may not decide now: an owner removed since the request, the requester, an admin when the owners decide', () => {
    const removed = { ids: [oid(2), oid(3)], source: 'owners' as const };
    expect(canForwardAccess(who(1), request, removed, oid(2))).toEqual({ allowed: false, reason: 'caller-not-an-approver' });
    expect(canForwardAccess({ aadObjectId: REQUESTER, roles: ['admin'] }, request, live, oid(2))).toEqual({ allowed: false, reason: 'caller-not-an-approver' });
    expect(canForwardAccess(who(60, 'admin'), request, live, oid(2))).toEqual({ allowed: false, reason: 'caller-not-an-approver' });
  });
});

describe('handedOnBy: who answered by forwarding, so the reminders skip them', () => {
  it('is everyone who forwarded, except one the request was forwarded back to since', () => {
    expect([...handedOnBy([])]).toEqual([]);
    expect([...handedOnBy([{ by: oid(1), to: oid(2) }])]).toEqual([oid(1)]);
    expect([...handedOnBy([{ by: oid(1), to: oid(2) }, { by: oid(2), to: oid(1) }])]).toEqual([oid(2)]);
    expect([...handedOnBy([{ by: oid(1).toUpperCase(), to: oid(2) }, { by: oid(2), to: oid(3) }])].sort()).toEqual([oid(1), oid(2)]);
  });
});
