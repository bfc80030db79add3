import type { HygieneGuest, SponsorRead } from '../../bot/graph/guestHygiene';
import { classifyGuest, lastSignInOf, sponsorStateOf } from '../../bot/services/stale/staleClassify';

const NOW = new Date('2026-12-02T12:00:00Z');
const RULES = { now: NOW, days: 90, unredeemedDays: 30 };
const READABLE = { readable: true } as const;
const LIVE: SponsorRead = { read: true, sponsors: [{ id: 'b1', kind: 'user', displayName: 'Megan Bowen', accountEnabled: true }] };

function daysAgo(days: number): string {
  return new Date(NOW.getTime() - days * 86_400_000).toISOString();
}

function guest(overrides: Partial<HygieneGuest> = {}): HygieneGuest {
  return { id: 'e1', displayName: 'Alice', mail: 'alice@fabrikam.com', userType: 'Guest', externalUserState: 'Accepted', createdDateTime: daysAgo(400), ...overrides };
}

describe('stale classification', () => {
  it('puts a redeemed guest whose last successful sign-in is older than the window in no sign-in, and a recent one nowhere', () => {
    expect(classifyGuest(guest({ signInActivity: { lastSuccessfulSignInDateTime: daysAgo(91) } }), READABLE, LIVE, RULES).groups).toEqual(['noSignIn']);
    expect(classifyGuest(guest({ signInActivity: { lastSuccessfulSignInDateTime: daysAgo(89) } }), READABLE, LIVE, RULES).groups).toEqual([]);
  });

  it('reads the later attempt when no successful sign-in is recorded, and prefers the successful one when there is', () => {
    expect(lastSignInOf(guest({ signInActivity: { lastSignInDateTime: daysAgo(200), lastNonInteractiveSignInDateTime: daysAgo(10) } }), READABLE)).toEqual({
      kind: 'attempt',
      at: new Date(daysAgo(10)),
      interactive: false,
    });
    // Attempts count failed ones: a recent failed attempt does not make an old successful sign-in fresh.
    const failedLately = guest({ signInActivity: { lastSuccessfulSignInDateTime: daysAgo(120), lastSignInDateTime: daysAgo(2) } });
    expect(classifyGuest(failedLately, READABLE, LIVE, RULES).groups).toEqual(['noSignIn']);
  });

  it('counts a guest with no sign-in recorded as stale only when created before the window', () => {
    expect(classifyGuest(guest({ createdDateTime: daysAgo(100) }), READABLE, LIVE, RULES).groups).toEqual(['noSignIn']);
    expect(classifyGuest(guest({ createdDateTime: daysAgo(20) }), READABLE, LIVE, RULES).groups).toEqual([]);
    expect(classifyGuest(guest({ createdDateTime: undefined }), READABLE, LIVE, RULES).groups).toEqual(['noSignIn']);
  });

  it('judges a pending invitation by its age from externalUserStateChangeDateTime, never as no sign-in', () => {
    const old = guest({ externalUserState: 'PendingAcceptance', externalUserStateChangeDateTime: daysAgo(31), createdDateTime: daysAgo(500) });
    const young = guest({ externalUserState: 'PendingAcceptance', externalUserStateChangeDateTime: daysAgo(29), createdDateTime: daysAgo(500) });
    expect(classifyGuest(old, READABLE, LIVE, RULES).groups).toEqual(['unredeemed']);
    expect(classifyGuest(old, READABLE, LIVE, RULES).pendingSince).toEqual(new Date(daysAgo(31)));
    // A reset invitation (resend) counts from the new date, not from when the guest was first created.
    expect(classifyGuest(young, READABLE, LIVE, RULES).groups).toEqual([]);
    expect(classifyGuest(guest({ externalUserState: 'PendingAcceptance', createdDateTime: daysAgo(45) }), READABLE, LIVE, RULES).groups).toEqual(['unredeemed']);
  });

  it('calls a guest with no sponsor, or whose every user sponsor is disabled, sponsorless; a group or one enabled sponsor is enough', () => {
    expect(sponsorStateOf({ read: true, sponsors: [] })).toEqual({ kind: 'none' });
    const disabled: SponsorRead = { read: true, sponsors: [{ id: 'b1', kind: 'user', accountEnabled: false }, { id: 'b2', kind: 'user', accountEnabled: false }] };
    expect(sponsorStateOf(disabled).kind).toBe('allGone');
    expect(sponsorStateOf({ read: true, sponsors: [{ id: 'b1', kind: 'user', accountEnabled: false }, { id: 'b2', kind: 'user', accountEnabled: true }] }).kind).toBe('live');
    expect(sponsorStateOf({ read: true, sponsors: [{ id: 'b1', kind: 'user', accountEnabled: false }, { id: 'g1', kind: 'group' }] }).kind).toBe('live');
    // Graph leaving accountEnabled out is not read as gone.
    expect(sponsorStateOf({ read: true, sponsors: [{ id: 'b1', kind: 'user' }] }).kind).toBe('live');
    const fresh = guest({ signInActivity: { lastSuccessfulSignInDateTime: daysAgo(1) } });
    expect(classifyGuest(fresh, READABLE, { read: true, sponsors: [] }, RULES).groups).toEqual(['sponsorless']);
    expect(classifyGuest(fresh, READABLE, disabled, RULES).groups).toEqual(['sponsorless']);
  });

  it('puts a guest in two groups when both hold: an old pending invitation whose sponsors are all disabled', () => {
    const both = classifyGuest(
      guest({ externalUserState: 'PendingAcceptance', externalUserStateChangeDateTime: daysAgo(60) }),
      READABLE,
      { read: true, sponsors: [{ id: 'b1', kind: 'user', displayName: 'Left Company', accountEnabled: false }] },
      RULES,
    );
    expect(both.groups).toEqual(['unredeemed', 'sponsorless']);
  });

  it('reports sponsors that could not be read as such, never as sponsorless', () => {
    const unread = classifyGuest(guest({ signInActivity: { lastSuccessfulSignInDateTime: daysAgo(1) } }), READABLE, { read: false, problem: 'Graph answered 429' }, RULES);
    expect(unread.groups).toEqual(['sponsorsUnread']);
    expect(classifyGuest(guest(), READABLE, undefined, RULES).groups).toEqual(['noSignIn', 'sponsorsUnread']);
  });

  it('without sign-in activity, lists redeemed guests created before the window as sign-in unknown, never as fine', () => {
    const noLicence = { readable: false, reason: 'noLicence' } as const;
    expect(classifyGuest(guest({ signInActivity: { lastSuccessfulSignInDateTime: daysAgo(1) } }), noLicence, LIVE, RULES).groups).toEqual(['signInUnknown']);
    expect(classifyGuest(guest({ createdDateTime: daysAgo(10) }), noLicence, LIVE, RULES).groups).toEqual([]);
    expect(classifyGuest(guest({ externalUserState: 'PendingAcceptance', createdDateTime: daysAgo(40) }), noLicence, LIVE, RULES).groups).toEqual(['unredeemed']);
  });
});
