import { randomUUID } from 'node:crypto';
import type { GuestListing, SignInReadability, SponsorRead } from '../../graph/guestHygiene';
import { csvField } from '../bulk/csv';
import { ResultsLinks, type LinkKind, type LinkVerdict } from '../bulk/resultsLink';
import type { ExportLinkSettings } from '../partners/partnersService';
import { STALE_GROUPS, STALE_GROUP_TITLES, classifyGuest, countGroups, type BotInvitation, type StaleCounts, type StaleGroup, type StaleGuest } from './staleClassify';

/** `stale` with no number: Microsoft's own guidance for inactive guests starts at 90 days. */
export const DEFAULT_STALE_DAYS = 90;
/** The widest window `stale` accepts; Entra keeps sign-in activity since April 2020, and longer windows say little more. */
export const MAX_STALE_DAYS = 730;
/** Rows per page of the card: eight keep it well under Teams' 28 KB with long names and three sponsors each. */
export const STALE_PAGE_SIZE = 8;
const SCAN_KEPT_MS = 10 * 60_000;
const SCANS_KEPT = 20;

/** `stale` exports: signed for their own scope, so a stale link never opens a partners or bulk download, or the reverse. */
export const STALE_EXPORT_LINK: LinkKind = { scope: 'stale-results', path: (scanId) => `/stale/${scanId}/results.csv` };

/** Graph's side of guest hygiene (GraphGuestHygiene in the app). */
export interface GuestHygieneReader {
  listGuests(): Promise<GuestListing>;
  sponsorsOf(guestIds: readonly string[]): Promise<Map<string, SponsorRead>>;
}

/** The bot's own invitation records (the store's invitation repository). */
export interface SentInvitations {
  sentInvitations(): Promise<{ email: string; userId?: string; requesterName: string; at: Date }[]>;
}

export interface StaleScan {
  id: string;
  at: Date;
  days: number;
  unredeemedDays: number;
  signIn: SignInReadability;
  counts: StaleCounts;
  /** The guests in at least one group, with what each group rests on. */
  guests: StaleGuest[];
}

/** One line of a page: a guest under one group heading (a guest in two groups is a line in each). */
export interface StaleLine {
  group: StaleGroup;
  guest: StaleGuest;
}

export interface StalePage {
  scan: StaleScan;
  page: number;
  pages: number;
  lines: StaleLine[];
  exportUrl?: string;
}

export interface StaleDeps {
  reader: GuestHygieneReader;
  invitations: SentInvitations;
  unredeemedDays: number;
  links: ExportLinkSettings;
  now?: () => Date;
}

/**
 * `stale [days]`: every guest read once (sign-in activity in the listing, sponsors in batches), sorted into the groups that
 * need a look, kept a few minutes so Next page and Export do not read the tenant again. Read-only.
 */
export class StaleService {
  private readonly scans = new Map<string, StaleScan>();
  private links: ResultsLinks;
  private readonly now: () => Date;

  constructor(private readonly deps: StaleDeps) {
    this.now = deps.now ?? (() => new Date());
    this.links = new ResultsLinks(deps.links, this.now, STALE_EXPORT_LINK);
  }

  /** Sandbox mode without PUBLIC_BASE_URL: export links point at the bot's own address once it listens. */
  serveExportAt(ownBaseUrl: string): void {
    if (this.deps.links.publicBaseUrl || !this.deps.links.resultsOnOwnAddress) return;
    this.links = new ResultsLinks({ ...this.deps.links, publicBaseUrl: ownBaseUrl.replace(/\/+$/, '') }, this.now, STALE_EXPORT_LINK);
  }

  /** A page of a scan: the kept one when `scanId` names it and it was made for the same days, else a new one. */
  async page(days: number, page = 1, scanId?: string): Promise<StalePage> {
    const kept = scanId ? this.kept(scanId) : undefined;
    const scan = kept && kept.days === days ? kept : await this.scan(days);
    const lines = linesOf(scan);
    const pages = Math.max(1, Math.ceil(lines.length / STALE_PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    const exportUrl = this.links.url(scan.id);
    return { scan, page: current, pages, lines: lines.slice((current - 1) * STALE_PAGE_SIZE, current * STALE_PAGE_SIZE), ...(exportUrl ? { exportUrl } : {}) };
  }

  verifyExportLink(id: string, expires: string, sig: string): LinkVerdict {
    return this.links.verify(id, expires, sig);
  }

  /** The scan of a link as CSV; undefined when this instance no longer keeps it (the link's card says to run stale again). */
  exportCsv(scanId: string): string | undefined {
    const scan = this.kept(scanId);
    return scan ? staleCsv(scan) : undefined;
  }

  private kept(scanId: string): StaleScan | undefined {
    const scan = this.scans.get(scanId);
    return scan && this.now().getTime() - scan.at.getTime() < SCAN_KEPT_MS ? scan : undefined;
  }

  private async scan(days: number): Promise<StaleScan> {
    const listing = await this.deps.reader.listGuests();
    const sponsors = await this.deps.reader.sponsorsOf(listing.guests.map((g) => g.id));
    const invitations = invitationIndex(await this.deps.invitations.sentInvitations());
    const now = this.now();
    const rules = { now, days, unredeemedDays: this.deps.unredeemedDays };
    const guests = listing.guests
      .map((g) =>
        classifyGuest(g, listing.signIn, sponsors.get(g.id.toLowerCase()), rules, invitations.get(g.id.toLowerCase()) ?? (g.mail ? invitations.get(g.mail.toLowerCase()) : undefined)),
      )
      .filter((g) => g.groups.length > 0);
    const scan: StaleScan = { id: randomUUID(), at: now, days, unredeemedDays: this.deps.unredeemedDays, signIn: listing.signIn, counts: countGroups(guests, listing.guests.length), guests };
    for (const [key, value] of this.scans) if (now.getTime() - value.at.getTime() >= SCAN_KEPT_MS) this.scans.delete(key);
    for (const key of this.scans.keys()) if (this.scans.size >= SCANS_KEPT) this.scans.delete(key);
    this.scans.set(scan.id, scan);
    return scan;
  }
}

/** Newest invitation per object id and per address; the records arrive newest first, so the first one wins. */
function invitationIndex(rows: readonly { email: string; userId?: string; requesterName: string; at: Date }[]): Map<string, BotInvitation> {
  const index = new Map<string, BotInvitation>();
  for (const row of rows) {
    const fact = { requesterName: row.requesterName, at: row.at };
    for (const key of [row.userId?.toLowerCase(), row.email.toLowerCase()]) if (key && !index.has(key)) index.set(key, fact);
  }
  return index;
}

/** The card's lines in group order, each group sorted by display name so pages are stable between clicks. */
export function linesOf(scan: StaleScan): StaleLine[] {
  const name = (g: StaleGuest) => (g.guest.displayName ?? g.guest.userPrincipalName ?? g.guest.id).toLowerCase();
  return STALE_GROUPS.flatMap((group) =>
    scan.guests
      .filter((g) => g.groups.includes(group))
      .sort((a, b) => name(a).localeCompare(name(b)))
      .map((guest) => ({ group, guest })),
  );
}

function iso(at: Date | undefined): string {
  return at ? at.toISOString() : '';
}

const COLUMNS = [
  'Groups', 'Object id', 'Display name', 'userPrincipalName', 'mail', 'accountEnabled', 'Synced from on-prem AD', 'createdDateTime', 'externalUserState',
  'Invitation sent', 'Last successful sign-in', 'Last interactive sign-in', 'Last non-interactive sign-in', 'Sponsors', 'Invited through the bot by', 'Invited through the bot at',
];

/** One row per guest in any group, with every fact the groups rest on. Every cell is protected against formula injection. */
export function staleCsv(scan: StaleScan): string {
  const rows = scan.guests.map((g) => {
    const u = g.guest;
    const sponsors =
      g.sponsors.kind === 'unread'
        ? `not read: ${g.sponsors.problem}`
        : g.sponsors.kind === 'none'
          ? ''
          : g.sponsors.sponsors.map((s) => `${s.displayName ?? s.id} (${s.kind === 'group' ? 'group' : s.accountEnabled === false ? 'disabled' : 'enabled'})`).join('; ');
    return [
      g.groups.map((group) => STALE_GROUP_TITLES[group]).join('; '), u.id, u.displayName ?? '', u.userPrincipalName ?? '', u.mail ?? '',
      u.accountEnabled === undefined ? '' : String(u.accountEnabled), u.onPremisesSyncEnabled === true ? 'true' : '', u.createdDateTime ?? '', u.externalUserState ?? '',
      iso(g.pendingSince), scan.signIn.readable ? (u.signInActivity?.lastSuccessfulSignInDateTime ?? '') : 'not readable', u.signInActivity?.lastSignInDateTime ?? '',
      u.signInActivity?.lastNonInteractiveSignInDateTime ?? '', sponsors, g.invitation?.requesterName ?? '', iso(g.invitation?.at),
    ];
  });
  return [COLUMNS, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
