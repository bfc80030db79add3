import {
  accessRequestViewer,
  canBulkInvite,
  canCancelBulkRun,
  canDecideAccess,
  canDecideInvitation,
  canResetRedemption,
  canRetryInvitation,
  canRevoke,
  canWithdrawAccessRequest,
  type CapabilityCaller,
  type DecidableAccessRequest,
} from '../../bot/identity/capabilities';
import type { Role } from '../../bot/identity/policy';

/** A GUID named for readability: the same name in another case is the same id written in that case, as Graph or Teams might. */
const oid = (name: string): string => {
  const hex = Buffer.from(name.toLowerCase()).toString('hex').padEnd(32, '0');
  const guid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return name === name.toLowerCase() ? guid : guid.toUpperCase();
};
const who = (name: string, ...roles: Role[]): CapabilityCaller => ({ aadObjectId: oid(name), roles });
const request = (over: Partial<DecidableAccessRequest> = {}): DecidableAccessRequest => ({
  requesterObjectId: oid('req'),
  guestObjectId: oid('guest'),
  approverObjectIds: [oid('owner')],
  approverSource: 'owners',
  ...over,
});

describe('canDecideAccess', () => {
  it('refuses the requester and the partner even when they are approvers or admins', () => {
    expect(canDecideAccess(who('REQ', 'admin'), request({ approverObjectIds: [oid('req')] }))).toEqual({ allowed: false, reason: 'self-approval' });
    expect(canDecideAccess(who('guest', 'admin'), request({ approverObjectIds: [oid('guest')] }))).toEqual({ allowed: false, reason: 'partner-approval' });
  });

  it('lets a recorded owner decide, and not an admin when the owners decide', () => {
    expect(canDecideAccess(who('Owner'), request())).toEqual({ allowed: true });
    expect(canDecideAccess(who('admin1', 'admin'), request())).toEqual({ allowed: false, reason: 'not-an-owner' });
  });

  it('lets any admin decide a request the admins decide, by role, until the live approvers are known', () => {
    const byAdmins = request({ approverSource: 'admins', approverObjectIds: [oid('admin1')] });
    expect(canDecideAccess(who('admin2', 'admin'), byAdmins)).toEqual({ allowed: true });
    expect(canDecideAccess(who('manager', 'manager'), byAdmins)).toEqual({ allowed: false, reason: 'not-an-admin' });
    expect(canDecideAccess(who('admin2', 'admin'), byAdmins, { ids: [oid('admin1')], source: 'admins' })).toEqual({ allowed: false, reason: 'not-an-admin' });
  });

  it('uses only the live approvers when given: a removed owner is refused, a new one allowed', () => {
    expect(canDecideAccess(who('owner'), request(), { ids: [oid('other')], source: 'owners' })).toEqual({ allowed: false, reason: 'not-an-owner' });
    expect(canDecideAccess(who('new'), request(), { ids: [oid('new')], source: 'owners' })).toEqual({ allowed: true });
  });
});

describe('resource-level capabilities', () => {
  it('says who sees an access request as whom', () => {
    expect(accessRequestViewer(who('req'), request())).toBe('requester');
    expect(accessRequestViewer(who('owner'), request())).toBe('approver');
    expect(accessRequestViewer(who('x', 'admin'), request())).toBe('admin');
    expect(accessRequestViewer(who('x', 'manager'), request())).toBeUndefined();
  });

  it('keeps redemption resets, bulk runs and retries for admins', () => {
    expect([canResetRedemption(who('a', 'admin')), canResetRedemption(who('m', 'manager'))]).toEqual([true, false]);
    expect([canBulkInvite(who('a', 'admin')), canBulkInvite(who('m', 'manager'))]).toEqual([true, false]);
    expect(canRetryInvitation(who('a', 'admin'), { state: 'failed' })).toBe(true);
    expect(canRetryInvitation(who('a', 'admin'), { state: 'failed', decidedBy: oid('b') })).toBe(false);
    expect(canRetryInvitation(who('m', 'manager'), { state: 'failed' })).toBe(false);
    expect(canRetryInvitation(who('a', 'admin'), { state: 'draft' })).toBe(false);
  });

  it('lets another admin decide a pending invitation, never its requester', () => {
    expect(canDecideInvitation(who('a2', 'admin'), { requesterId: oid('m'), state: 'pending' })).toBe(true);
    expect(canDecideInvitation(who('a2', 'admin'), { requesterId: oid('a2'), state: 'pending' })).toBe(false);
    expect(canDecideInvitation(who('a2', 'admin'), { requesterId: oid('m'), state: 'invited' })).toBe(false);
    expect(canDecideInvitation(who('m2', 'manager'), { requesterId: oid('m'), state: 'pending' })).toBe(false);
  });

  it('lets only the requester withdraw an access request, and only while it is pending', () => {
    expect(canWithdrawAccessRequest(who('REQ', 'manager'), { requesterObjectId: oid('req'), state: 'pending' })).toBe(true);
    expect(canWithdrawAccessRequest(who('a', 'admin'), { requesterObjectId: oid('req'), state: 'pending' })).toBe(false);
    expect(canWithdrawAccessRequest(who('owner'), { requesterObjectId: oid('req'), state: 'pending' })).toBe(false);
    for (const state of ['approved', 'granted', 'denied', 'timedOut', 'withdrawn']) expect(canWithdrawAccessRequest(who('req', 'manager'), { requesterObjectId: oid('req'), state })).toBe(false);
  });

  it('lets the requester or an admin cancel a bulk run', () => {
    expect(canCancelBulkRun(who('a', 'admin'), { requesterId: oid('b') })).toBe(true);
    expect(canCancelBulkRun(who('b'), { requesterId: oid('b') })).toBe(true);
    expect(canCancelBulkRun(who('c', 'manager'), { requesterId: oid('b') })).toBe(false);
  });

  it('lets admins and the app owners revoke', () => {
    expect(canRevoke(who('a', 'admin'))).toBe('admin');
    expect(canRevoke(who('o'), [oid('O')])).toBe('owner');
    expect(canRevoke(who('m', 'manager'), [oid('o')])).toBeUndefined();
  });
});

describe('the policy lives in identity/', () => {
  it('has no raw role check anywhere else in bot/', () => {
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const path = jest.requireActual<typeof import('node:path')>('node:path');
    const bot = path.resolve(__dirname, '../../bot');
    const files = (fs.readdirSync(bot, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.startsWith(`identity${path.sep}`));
    const raw = files.filter((f) => /\broles\s*\.\s*(includes|indexOf)\s*\(\s*['"](admin|manager)['"]/.test(fs.readFileSync(path.join(bot, f), 'utf8')));
    expect(raw).toEqual([]);
  });
});
