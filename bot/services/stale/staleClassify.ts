import type { HygieneGuest, SignInReadability, SponsorFacts, SponsorRead } from '../../graph/guestHygiene';

/**
 * The groups of `stale`, in card order. A guest may be in several: a pending invitation whose inviter has left is both
 * unredeemed and sponsorless. `signInUnknown` replaces `noSignIn` when sign-in activity cannot be read, so the card never
 * looks clean for want of data: it lists the redeemed guests older than the window, whose sign-in nobody could check.
 */
export const STALE_GROUPS = ['noSignIn', 'signInUnknown', 'unredeemed', 'sponsorless', 'sponsorsUnread'] as const;
export type StaleGroup = (typeof STALE_GROUPS)[number];

export const STALE_GROUP_TITLES: Record<StaleGroup, string> = {
  noSignIn: 'No sign-in in the window',
  signInUnknown: 'Sign-in unknown, created before the window',
  unredeemed: 'Invitation not redeemed',
  sponsorless: 'No sponsor left',
  sponsorsUnread: 'Sponsors could not be read',
};

/** What the bot's own invitation records say about a guest: who asked for the invitation and when. */
export interface BotInvitation {
  requesterName: string;
  at: Date;
}

/** The sign-in fact a row shows; `successful` is preferred: attempts include failed ones (GD api/resources/signinactivity). */
export type LastSignIn =
  | { kind: 'successful'; at: Date }
  | { kind: 'attempt'; at: Date; interactive: boolean }
  | { kind: 'none' }
  | { kind: 'unreadable' };

export type SponsorState =
  | { kind: 'live'; sponsors: SponsorFacts[] }
  | { kind: 'allGone'; sponsors: SponsorFacts[] }
  | { kind: 'none' }
  | { kind: 'unread'; problem: string };

export interface StaleGuest {
  guest: HygieneGuest;
  groups: StaleGroup[];
  lastSignIn: LastSignIn;
  /** When the invitation went out (externalUserStateChangeDateTime, else createdDateTime) for a pending guest. */
  pendingSince?: Date;
  created?: Date;
  sponsors: SponsorState;
  invitation?: BotInvitation;
}

export interface StaleRules {
  now: Date;
  /** No sign-in for this many days makes a guest stale. */
  days: number;
  /** An invitation not redeemed after this many days is reported (INVITE_UNREDEEMED_DAYS). */
  unredeemedDays: number;
}

const DAY_MS = 86_400_000;

function date(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/**
 * The last sign-in as the row says it: the last successful one when Graph has it (kept since December 2023, not
 * backfilled), else the later of the last interactive and non-interactive attempts, which count failed attempts too.
 */
export function lastSignInOf(guest: HygieneGuest, signIn: SignInReadability): LastSignIn {
  if (!signIn.readable) return { kind: 'unreadable' };
  const activity = guest.signInActivity;
  const successful = date(activity?.lastSuccessfulSignInDateTime);
  if (successful) return { kind: 'successful', at: successful };
  const interactive = date(activity?.lastSignInDateTime);
  const nonInteractive = date(activity?.lastNonInteractiveSignInDateTime);
  if (interactive && (!nonInteractive || interactive >= nonInteractive)) return { kind: 'attempt', at: interactive, interactive: true };
  if (nonInteractive) return { kind: 'attempt', at: nonInteractive, interactive: false };
  return { kind: 'none' };
}

/**
 * Gone means disabled (accountEnabled false) or deleted: Graph lists no deleted object among sponsors, so a guest whose
 * every sponsor was deleted has none. A group sponsor counts as present, and so does a user whose state Graph did not say.
 */
export function sponsorStateOf(read: SponsorRead | undefined): SponsorState {
  if (!read) return { kind: 'unread', problem: 'not read' };
  if (!read.read) return { kind: 'unread', problem: read.problem };
  if (read.sponsors.length === 0) return { kind: 'none' };
  const live = read.sponsors.some((s) => s.kind === 'group' || s.accountEnabled !== false);
  return live ? { kind: 'live', sponsors: read.sponsors } : { kind: 'allGone', sponsors: read.sponsors };
}

function isPending(guest: HygieneGuest): boolean {
  return guest.externalUserState === 'PendingAcceptance';
}

/**
 * Puts one guest in the groups it belongs to. A pending invitation is judged by its age, not by sign-in (nobody signs in
 * before redeeming), so it is never "no sign-in" too. A guest created inside the window is not stale for want of a
 * sign-in yet; one whose creation date is unknown is, as the safer reading.
 */
export function classifyGuest(guest: HygieneGuest, signIn: SignInReadability, sponsors: SponsorRead | undefined, rules: StaleRules, invitation?: BotInvitation): StaleGuest {
  const cutoff = rules.now.getTime() - rules.days * DAY_MS;
  const created = date(guest.createdDateTime);
  const lastSignIn = lastSignInOf(guest, signIn);
  const sponsorState = sponsorStateOf(sponsors);
  const groups: StaleGroup[] = [];
  let pendingSince: Date | undefined;
  if (isPending(guest)) {
    pendingSince = date(guest.externalUserStateChangeDateTime) ?? created ?? invitation?.at;
    if (!pendingSince || pendingSince.getTime() <= rules.now.getTime() - rules.unredeemedDays * DAY_MS) groups.push('unredeemed');
  } else {
    const createdBeforeWindow = !created || created.getTime() <= cutoff;
    if (lastSignIn.kind === 'unreadable') {
      if (createdBeforeWindow) groups.push('signInUnknown');
    } else if (lastSignIn.kind === 'none' ? createdBeforeWindow : lastSignIn.at.getTime() <= cutoff) {
      groups.push('noSignIn');
    }
  }
  if (sponsorState.kind === 'none' || sponsorState.kind === 'allGone') groups.push('sponsorless');
  if (sponsorState.kind === 'unread') groups.push('sponsorsUnread');
  return {
    guest,
    groups,
    lastSignIn,
    sponsors: sponsorState,
    ...(pendingSince ? { pendingSince } : {}),
    ...(created ? { created } : {}),
    ...(invitation ? { invitation } : {}),
  };
}

export type StaleCounts = Record<StaleGroup, number> & { guests: number };

export function countGroups(guests: readonly StaleGuest[], total: number): StaleCounts {
  const counts = { guests: total, noSignIn: 0, signInUnknown: 0, unredeemed: 0, sponsorless: 0, sponsorsUnread: 0 };
  for (const g of guests) for (const group of g.groups) counts[group]++;
  return counts;
}
