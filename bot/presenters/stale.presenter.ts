import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { StaleGuestRow } from '../../cards/staleGuests';
import { STALE_GROUPS, STALE_GROUP_TITLES, type StaleGroup, type StaleGuest } from '../services/stale/staleClassify';
import type { StalePage, StaleScan } from '../services/stale/staleService';

const DAY_MS = 86_400_000;
const ATTENTION: ReadonlySet<StaleGroup> = new Set(['sponsorless', 'sponsorsUnread', 'signInUnknown']);

function day(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function ago(at: Date, now: Date): string {
  const days = Math.floor((now.getTime() - at.getTime()) / DAY_MS);
  return days <= 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`;
}

function groupRule(group: StaleGroup, scan: StaleScan): string {
  const since = day(new Date(scan.at.getTime() - scan.days * DAY_MS));
  switch (group) {
    case 'noSignIn':
      return `Last successful sign-in (or, where Entra has none recorded, the last attempt) before ${since}, or no sign-in at all for a guest created before then.`;
    case 'signInUnknown':
      return `Redeemed guests created before ${since}: whether they still sign in could not be read.`;
    case 'unredeemed':
      return `Invited more than ${scan.unredeemedDays} days ago (INVITE_UNREDEEMED_DAYS) and still PendingAcceptance.`;
    case 'sponsorless':
      return 'No sponsor, or every sponsor disabled. Entra lists no deleted sponsor, so a guest whose sponsors were all deleted shows none. A group sponsor counts as present.';
    case 'sponsorsUnread':
      return 'Graph did not answer for these guests\' sponsors; run stale again later.';
  }
}

function signInWords(g: StaleGuest, now: Date): string {
  const s = g.lastSignIn;
  switch (s.kind) {
    case 'successful':
      return `Last successful sign-in ${day(s.at)} (${ago(s.at, now)}).`;
    case 'attempt':
      return `Last ${s.interactive ? 'interactive' : 'non-interactive'} sign-in attempt ${day(s.at)} (${ago(s.at, now)}); no successful sign-in recorded (Entra records those since December 2023).`;
    case 'none':
      return g.guest.externalUserState === 'PendingAcceptance'
        ? 'No sign-in: the invitation was never redeemed.'
        : `No sign-in recorded (Entra keeps none from before April 2020).${g.created ? ` Created ${day(g.created)}.` : ' Creation date unknown.'}`;
    case 'unreadable':
      return `Sign-in activity not readable.${g.created ? ` Created ${day(g.created)}` : ' Creation date unknown'}; invitation ${g.guest.externalUserState ?? 'state unknown'}.`;
  }
}

function invitedWords(g: StaleGuest, now: Date): string {
  const byBot = g.invitation ? `Invited through the bot for ${g.invitation.requesterName} on ${day(g.invitation.at)}.` : '';
  if (g.guest.externalUserState === 'PendingAcceptance') {
    const sent = g.pendingSince ? `Invitation sent ${day(g.pendingSince)} (${ago(g.pendingSince, now)}), not redeemed.` : 'Invitation sent (date unknown), not redeemed.';
    return byBot ? `${sent} ${byBot}` : sent;
  }
  if (g.guest.onPremisesSyncEnabled === true) return 'Synced from our on-prem AD: no invitation.';
  return byBot;
}

function sponsorWords(g: StaleGuest): string {
  const s = g.sponsors;
  switch (s.kind) {
    case 'none':
      return 'No sponsor.';
    case 'unread':
      return `Sponsors not read: ${s.problem}.`;
    case 'live':
    case 'allGone': {
      const names = s.sponsors.map((p) => `${p.displayName ?? p.id} (${p.kind === 'group' ? 'group' : p.accountEnabled === false ? 'disabled' : 'enabled'})`);
      return `${s.kind === 'allGone' ? 'Every sponsor is disabled' : 'Sponsors'}: ${names.join(', ')}.`;
    }
  }
}

function rowOf(g: StaleGuest, now: Date): StaleGuestRow {
  const u = g.guest;
  const pending = u.externalUserState === 'PendingAcceptance';
  return {
    name: `${u.displayName ?? u.userPrincipalName ?? u.id}${u.accountEnabled === false ? ' (disabled)' : ''}`,
    address: u.mail ?? u.userPrincipalName ?? '',
    signIn: signInWords(g, now),
    invited: invitedWords(g, now),
    sponsors: sponsorWords(g),
    resendEmail: pending && u.mail ? u.mail : '',
  };
}

function signInWarning(scan: StaleScan): string {
  if (scan.signIn.readable) return '';
  const why =
    scan.signIn.reason === 'noLicence'
      ? 'Sign-in activity needs a Microsoft Entra ID P1 or P2 licence, which this tenant lacks (Graph answered 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant).'
      : 'Sign-in activity needs the AuditLog.Read.All application permission, which the bot lacks (Graph answered 403 Authorization_RequestDenied); an admin can grant it and consent.';
  return `${why} So this card cannot say who stopped signing in. Instead it lists the redeemed guests created more than ${scan.days} days ago, whose sign-in nobody could check, with their creation date and invitation state.`;
}

/** The `stale` card: counts first (never a clean zero for what could not be read), then this page's guests by group. */
export function staleCard(page: StalePage): Attachment {
  const { scan } = page;
  const needing = scan.guests.length;
  const c = scan.counts;
  const counts = [
    { title: 'Guests read', value: String(c.guests) },
    scan.signIn.readable
      ? { title: `No sign-in for ${scan.days} days`, value: String(c.noSignIn) }
      : { title: `No sign-in for ${scan.days} days`, value: scan.signIn.reason === 'noLicence' ? 'unknown: no P1/P2 licence' : 'unknown: no AuditLog.Read.All' },
    ...(scan.signIn.readable ? [] : [{ title: `Sign-in unknown, created over ${scan.days} days ago`, value: String(c.signInUnknown) }]),
    { title: `Invitations not redeemed after ${scan.unredeemedDays} days`, value: String(c.unredeemed) },
    { title: 'No sponsor left', value: String(c.sponsorless) },
    ...(c.sponsorsUnread > 0 ? [{ title: 'Sponsors not read', value: String(c.sponsorsUnread) }] : []),
  ];
  const groups = STALE_GROUPS.map((group) => ({ group, lines: page.lines.filter((l) => l.group === group) }))
    .filter((g) => g.lines.length > 0)
    .map((g) => ({
      title: STALE_GROUP_TITLES[g.group],
      rule: groupRule(g.group, scan),
      attention: ATTENTION.has(g.group),
      rows: g.lines.map((l) => rowOf(l.guest, scan.at)),
    }));
  return cards.staleGuests({
    scanId: scan.id,
    days: scan.days,
    title: needing === 0 ? `No guest needs a look among ${c.guests} guests` : `${needing} of ${c.guests} guests need a look`,
    scope: `Read at ${scan.at.toISOString().slice(0, 16).replace('T', ' ')} UTC. Read-only: nothing was changed.`,
    counts,
    signInWarning: signInWarning(scan),
    allClear: scan.signIn.readable
      ? `No guest needs a look: every guest signed in within ${scan.days} days, every invitation was redeemed within ${scan.unredeemedDays} days, and every guest has a sponsor.`
      : `Nothing else to look at: every invitation was redeemed within ${scan.unredeemedDays} days and every guest has a sponsor. Sign-in could not be checked (see above).`,
    groups,
    page: page.page,
    pages: page.pages,
    ...(page.exportUrl ? { exportUrl: page.exportUrl } : {}),
  });
}

/** The text beside the card, for notifications and screen readers. */
export function staleSummary(page: StalePage): string {
  return `${page.scan.guests.length} of ${page.scan.counts.guests} guests need a look`;
}
