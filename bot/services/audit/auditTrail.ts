import { z } from 'zod';
import type { ProxyApp } from '../../graph/appProxy';
import type { DirectoryUser, SignInActivity, UserQuery, WhoisReads } from '../../graph/users';
import type { AuditEntry, AuditFilter, ChainReport, Store } from '../../store';
import { matchApp } from '../appMatch';
import type { UserDirectory } from '../lookup';
import { ResultsLinks, type LinkKind, type LinkVerdict } from '../bulk/resultsLink';
import { exportHeader, exportLines } from './auditExport';
import type { ExportFormat, TypedAuditFilter } from './auditFilter';
import { describeEntry, learnFromRows, type TimelineContext, type TimelineLine } from './timeline';

/** Lines per card: a timeline line is short, and 15 keep a card well under Teams' 28 KB with maximal names. */
export const AUDIT_PAGE_SIZE = 15;
/** An export larger than this is refused with a narrower filter asked for: it is built in memory. */
export const MAX_EXPORT_ROWS = 100_000;
const EXPORT_PAGE = 1000;

const NO_EXTRA_READS: WhoisReads = { sponsors: false, lastSignIn: false, appAccess: { scope: 'none' } };
const SIGN_IN_READS: WhoisReads = { sponsors: false, lastSignIn: true, appAccess: { scope: 'none' } };

/** The store filter, in a form a card or a signed link can carry and get back through zod. */
export const StoredFilterSchema = z
  .object({
    targets: z.array(z.string().max(320)).max(8).optional(),
    actor: z.string().max(320).optional(),
    mentions: z.string().max(320).optional(),
    since: z.string().datetime().optional(),
  })
  .strict();
export type StoredFilter = z.infer<typeof StoredFilterSchema>;

export function toAuditFilter(filter: StoredFilter): AuditFilter {
  return {
    ...(filter.targets ? { targets: filter.targets } : {}),
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.mentions ? { mentions: filter.mentions } : {}),
    ...(filter.since ? { since: new Date(filter.since) } : {}),
  };
}

export interface PersonCandidate {
  id: string;
  displayName: string;
  userPrincipalName?: string;
  mail?: string;
}

export interface AuditPage {
  kind: 'page';
  /** The filter in words, one phrase per filter ("partner ana@fabrikam.com", "the last 30 days"). */
  described: string[];
  /** Said once above the lines: a partner no longer in the directory, for instance. */
  notes: string[];
  lines: (TimelineLine & { target: string })[];
  filter: StoredFilter;
  /** Set when there are older rows: the next page starts below this position. */
  olderThan?: number;
}

export type AuditResolution = { kind: 'ok'; filter: StoredFilter; described: string[]; notes: string[] } | { kind: 'problem'; problem: string; candidates?: PersonCandidate[] };

/** What Graph says about the partner, beside the log. */
export interface PartnerFacts {
  created?: string;
  invitationState?: 'PendingAcceptance' | 'Accepted' | 'other';
  /** When the invitation state last changed: for an accepted invitation, the redemption. */
  invitationStateSince?: string;
  lastSignIn?: SignInActivity;
  /** A guest synced from on-prem AD: no invitation exists, so history says so instead of showing no invitation row at all. */
  syncedFromAd?: { account?: string };
}

export type HistoryOutcome =
  | { kind: 'ambiguous'; query: string; candidates: PersonCandidate[]; more: boolean }
  | { kind: 'nobody'; query: string }
  | {
      kind: 'timeline';
      query: string;
      /** Undefined when nobody in the directory has the address now (a deleted guest): the log alone speaks. */
      person?: PersonCandidate;
      facts?: PartnerFacts;
      lines: TimelineLine[];
      olderThan?: number;
      firstPage: boolean;
    };

export type ExportLinkOutcome = { kind: 'link'; url: string; format: ExportFormat; described: string[]; expiresInHours: number } | { kind: 'noBaseUrl' };

export const AUDIT_EXPORT_LINK: LinkKind = { scope: 'audit-export', path: (subject) => `/audit/export?f=${subject}` };

function candidateOf(user: DirectoryUser): PersonCandidate {
  return {
    id: user.id,
    displayName: user.displayName ?? user.userPrincipalName ?? user.id,
    ...(user.userPrincipalName ? { userPrincipalName: user.userPrincipalName } : {}),
    ...(user.mail ? { mail: user.mail } : {}),
  };
}

function queryText(q: UserQuery): string {
  return q.value;
}

function invitationState(value: string | undefined): PartnerFacts['invitationState'] {
  const v = (value ?? '').replace(/\s+/g, '').toLowerCase();
  if (v === 'pendingacceptance') return 'PendingAcceptance';
  if (v === 'accepted') return 'Accepted';
  return value ? 'other' : undefined;
}

/**
 * `history` and `audit`: the audit log read back as lines a person can follow, filtered and paged by chain position, checked
 * against its hash chain, and exported through a signed link. Reads only; the one Graph read per page resolves who the
 * partner (or actor) is, with the partner's creation, redemption and last sign-in.
 */
export class AuditTrailService {
  private links: ResultsLinks;

  constructor(
    private readonly deps: {
      store: Store;
      users: UserDirectory;
      apps: { listApps(): Promise<ProxyApp[]> };
      links: { publicBaseUrl?: string; linkSecret: string; linkLifetimeMs: number; resultsOnOwnAddress?: boolean };
      now?: () => Date;
    },
  ) {
    this.links = new ResultsLinks(deps.links, () => this.now(), AUDIT_EXPORT_LINK);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** As the bulk results: in sandbox mode without PUBLIC_BASE_URL, export links point at the bot's own address. */
  serveExportsAt(ownBaseUrl: string): void {
    const settings = this.deps.links;
    if (settings.publicBaseUrl || !settings.resultsOnOwnAddress) return;
    this.links = new ResultsLinks({ ...settings, publicBaseUrl: ownBaseUrl.replace(/\/+$/, '') }, () => this.now(), AUDIT_EXPORT_LINK);
  }

  /** The typed filters against Graph and the app list: who the partner and the actor are, which app is meant. */
  async resolve(typed: TypedAuditFilter): Promise<AuditResolution> {
    const filter: StoredFilter = {};
    const described: string[] = [];
    const notes: string[] = [];
    if (typed.partner) {
      const found = await this.deps.users.whois(typed.partner, NO_EXTRA_READS);
      const typedText = queryText(typed.partner);
      if (found.users.length > 1) {
        return { kind: 'problem', problem: `${found.users.length} people match the partner "${typedText}". Name one by UPN or object id.`, candidates: found.users.slice(0, 5).map(candidateOf) };
      }
      const [user] = found.users;
      filter.targets = user ? this.targetsOf(typedText, user) : [typedText];
      described.push(`partner ${user ? (user.displayName ?? typedText) : typedText}`);
      if (!user) notes.push(`Nobody in the directory has "${typedText}" now; these are the rows recorded under it.`);
    }
    if (typed.actor) {
      const typedText = queryText(typed.actor);
      if (typed.actor.kind === 'objectId') {
        filter.actor = typed.actor.value.toLowerCase();
        described.push(`by ${typedText}`);
      } else {
        const found = await this.deps.users.whois(typed.actor, NO_EXTRA_READS);
        if (found.users.length > 1) {
          return { kind: 'problem', problem: `${found.users.length} people match "${typedText}". Name who acted by UPN or object id.`, candidates: found.users.slice(0, 5).map(candidateOf) };
        }
        const [user] = found.users;
        if (!user) return { kind: 'problem', problem: `Nobody in the directory has "${typedText}". Name who acted by object id to see what a deleted account did.` };
        filter.actor = user.id.toLowerCase();
        described.push(`by ${user.displayName ?? typedText}`);
      }
    }
    if (typed.app) {
      const app = await this.resolveApp(typed.app);
      if (app.kind === 'problem') return app;
      filter.mentions = app.id;
      described.push(`app ${app.name}`);
    }
    if (typed.days) {
      filter.since = new Date(this.now().getTime() - typed.days * 86_400_000).toISOString();
      described.push(typed.days === 1 ? 'the last day' : `the last ${typed.days} days`);
    }
    return { kind: 'ok', filter, described, notes };
  }

  private async resolveApp(text: string): Promise<{ kind: 'ok'; id: string; name: string } | { kind: 'problem'; problem: string }> {
    let apps: ProxyApp[];
    try {
      apps = await this.deps.apps.listApps();
    } catch {
      if (/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(text)) return { kind: 'ok', id: text.toLowerCase(), name: text };
      return { kind: 'problem', problem: 'I could not read the list of apps from Microsoft Graph just now. Try again, or filter by the app\'s service principal id.' };
    }
    const match = matchApp(apps, text);
    if (match.kind === 'one') return { kind: 'ok', id: match.app.servicePrincipalId, name: match.app.displayName };
    if (match.kind === 'several') {
      return { kind: 'problem', problem: `Several apps match "${text}": ${match.candidates.slice(0, 5).map((a) => a.displayName).join(', ')}. Type the app's full name in quotes.` };
    }
    return { kind: 'problem', problem: `No app matches "${text}". Send "apps" to see their names.` };
  }

  private targetsOf(typed: string, user: DirectoryUser): string[] {
    return [...new Set([typed, user.id, user.userPrincipalName, user.mail].filter((t): t is string => typeof t === 'string' && t.length > 0).map((t) => t.toLowerCase()))];
  }

  /** One page, newest first, below `olderThan` when given. */
  async page(resolved: { filter: StoredFilter; described: string[]; notes?: string[] }, olderThan?: number): Promise<AuditPage> {
    const rows = await this.deps.store.audit.page(toAuditFilter(resolved.filter), { limit: AUDIT_PAGE_SIZE + 1, ...(olderThan === undefined ? {} : { beforeSeq: olderThan }) });
    const shown = rows.slice(0, AUDIT_PAGE_SIZE);
    const context = await this.contextFor(shown);
    const last = shown.at(-1);
    return {
      kind: 'page',
      described: resolved.described,
      notes: resolved.notes ?? [],
      lines: shown.map((entry) => ({ ...describeEntry(entry, context), target: entry.target })),
      filter: resolved.filter,
      ...(rows.length > AUDIT_PAGE_SIZE && last ? { olderThan: last.seq } : {}),
    };
  }

  /** The request and invitation rows a page mentions, for app names, roles and deliveries; at most one read per id. */
  private async contextFor(entries: readonly AuditEntry[]): Promise<TimelineContext> {
    const requestIds = new Set<string>();
    const invitationIds = new Set<string>();
    for (const entry of entries) {
      const request = entry.detail?.request;
      const invitation = entry.detail?.invitation;
      if (typeof request === 'string' && request.length <= 100) requestIds.add(request);
      if (typeof invitation === 'string' && invitation.length <= 100) invitationIds.add(invitation);
    }
    const [requests, invitations] = await Promise.all([
      Promise.all([...requestIds].map((id) => this.deps.store.accessRequests.get(id))),
      Promise.all([...invitationIds].map((id) => this.deps.store.invitations.get(id))),
    ]);
    const found = requests.filter((r) => r !== undefined);
    return learnFromRows(entries, {
      requests: new Map(found.map((r) => [r.id, { appDisplayName: r.appDisplayName, ...(r.appRoleName ? { appRoleName: r.appRoleName } : {}), durationDays: r.durationDays }])),
      invitations: new Map(invitations.filter((i) => i !== undefined).map((i) => [i.id, { delivery: i.options.delivery }])),
      appNames: new Map(found.map((r) => [r.servicePrincipalId.toLowerCase(), r.appDisplayName])),
    });
  }

  /**
   * One partner's timeline: everything the log holds under any of their addresses and their object id, newest first, with
   * Graph's creation, redemption and last sign-in placed among the lines by time on the page they fall in.
   */
  async history(ref: UserQuery, olderThan?: number): Promise<HistoryOutcome> {
    const found = await this.deps.users.whois(ref, SIGN_IN_READS);
    const typed = queryText(ref);
    if (found.users.length > 1) {
      return { kind: 'ambiguous', query: typed, candidates: found.users.slice(0, 10).map(candidateOf), more: found.users.length > 10 };
    }
    const [user] = found.users;
    const targets = user ? this.targetsOf(typed, user) : [typed.toLowerCase()];
    const rows = await this.deps.store.audit.page({ targets }, { limit: AUDIT_PAGE_SIZE + 1, ...(olderThan === undefined ? {} : { beforeSeq: olderThan }) });
    if (!user && rows.length === 0 && olderThan === undefined) return { kind: 'nobody', query: typed };
    const shown = rows.slice(0, AUDIT_PAGE_SIZE);
    const more = rows.length > AUDIT_PAGE_SIZE;
    const context = await this.contextFor(shown);
    const lines = shown.map((entry) => describeEntry(entry, context));
    const facts = user ? this.factsOf(user, found.signIn) : undefined;
    if (facts) {
      // Graph's moments go on the page whose time span holds them: newer than the page's oldest row (or any time on the last page).
      const newest = olderThan === undefined ? Number.POSITIVE_INFINITY : (await this.atOf(olderThan)) ?? Number.POSITIVE_INFINITY;
      const oldest = more ? (shown.at(-1)?.at.getTime() ?? Number.NEGATIVE_INFINITY) : Number.NEGATIVE_INFINITY;
      for (const line of graphLines(facts)) {
        const t = line.at.getTime();
        if (t <= newest && t > oldest) lines.push(line);
      }
      lines.sort((a, b) => b.at.getTime() - a.at.getTime() || b.seq - a.seq);
    }
    const last = shown.at(-1);
    return {
      kind: 'timeline',
      query: typed,
      ...(user ? { person: candidateOf(user) } : {}),
      ...(facts ? { facts } : {}),
      lines,
      ...(more && last ? { olderThan: last.seq } : {}),
      firstPage: olderThan === undefined,
    };
  }

  private async atOf(seq: number): Promise<number | undefined> {
    const [row] = await this.deps.store.audit.page({}, { limit: 1, beforeSeq: seq + 1 });
    return row?.seq === seq ? row.at.getTime() : undefined;
  }

  private factsOf(user: DirectoryUser, signIn: Awaited<ReturnType<UserDirectory['whois']>>['signIn']): PartnerFacts {
    const lastSignIn: SignInActivity | undefined = signIn instanceof Map ? (signIn.get(user.id.toLowerCase()) ?? { available: true }) : signIn;
    const state = invitationState(user.externalUserState);
    return {
      ...(user.createdDateTime ? { created: user.createdDateTime } : {}),
      ...(state ? { invitationState: state } : {}),
      ...(user.externalUserStateChangeDateTime ? { invitationStateSince: user.externalUserStateChangeDateTime } : {}),
      ...(lastSignIn ? { lastSignIn } : {}),
      ...(user.onPremisesSyncEnabled === true && !state ? { syncedFromAd: { ...(user.onPremisesSamAccountName ? { account: user.onPremisesSamAccountName } : {}) } } : {}),
    };
  }

  async verify(): Promise<ChainReport> {
    return this.deps.store.audit.verify();
  }

  /**
   * A signed link to the export of this filter; the filter travels in the link, signed, so nobody can widen it. Handing
   * out the log is itself audited (`audit.export`, with the filter), so the log shows who took a copy of what.
   */
  async exportLink(caller: { aadObjectId: string; name?: string }, resolved: { filter: StoredFilter; described: string[] }, format: ExportFormat): Promise<ExportLinkOutcome> {
    const subject = `${format}.${Buffer.from(JSON.stringify(resolved.filter), 'utf8').toString('base64url')}`;
    const url = this.links.url(subject);
    if (!url) return { kind: 'noBaseUrl' };
    await this.deps.store.audit.append({
      actor: caller.aadObjectId,
      ...(caller.name ? { actorName: caller.name } : {}),
      action: 'audit.export',
      target: 'audit',
      outcome: 'success',
      detail: { format, filter: resolved.filter, expiresInHours: Math.round(this.deps.links.linkLifetimeMs / 3_600_000) },
    });
    return { kind: 'link', url, format, described: resolved.described, expiresInHours: Math.round(this.deps.links.linkLifetimeMs / 3_600_000) };
  }

  verifyExportLink(subject: string, expires: string, sig: string): LinkVerdict {
    return this.links.verify(subject, expires, sig);
  }

  /** The export's subject back into its format and filter; undefined for anything this service did not sign. */
  static parseExportSubject(subject: string): { format: ExportFormat; filter: StoredFilter } | undefined {
    const match = /^(csv|jsonl)\.([A-Za-z0-9_-]{0,4000})$/.exec(subject);
    if (!match) return undefined;
    try {
      const parsed = StoredFilterSchema.safeParse(JSON.parse(Buffer.from(match[2] ?? '', 'base64url').toString('utf8')));
      return parsed.success ? { format: match[1] === 'csv' ? 'csv' : 'jsonl', filter: parsed.data } : undefined;
    } catch {
      return undefined;
    }
  }

  /** The file behind a verified link: every matching row, oldest first; undefined when the subject is not one. */
  async exportFile(subject: string): Promise<{ name: string; contentType: string; body: string } | undefined> {
    const parsed = AuditTrailService.parseExportSubject(subject);
    if (!parsed) return undefined;
    const filter = toAuditFilter(parsed.filter);
    const parts = [exportHeader(parsed.format)];
    let after = 0;
    let total = 0;
    for (;;) {
      const rows = await this.deps.store.audit.scan(filter, { limit: EXPORT_PAGE, afterSeq: after });
      if (rows.length === 0) break;
      total += rows.length;
      if (total > MAX_EXPORT_ROWS) {
        parts.push(parsed.format === 'csv' ? `# stopped after ${MAX_EXPORT_ROWS} rows: narrow the filter (days, partner, app, actor)\r\n` : `${JSON.stringify({ truncated: true, limit: MAX_EXPORT_ROWS })}\n`);
        break;
      }
      parts.push(exportLines(rows, parsed.format));
      after = rows.at(-1)?.seq ?? after;
    }
    const stamp = this.now().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    return parsed.format === 'csv'
      ? { name: `audit-${stamp}.csv`, contentType: 'text/csv; charset=utf-8', body: `\uFEFF${parts.join('')}` }
      : { name: `audit-${stamp}.jsonl`, contentType: 'application/x-ndjson; charset=utf-8', body: parts.join('') };
  }
}

/** Graph's moments as lines: they have no place in the chain, so `seq` is 0 and they sort by time. */
export function graphLines(facts: PartnerFacts): TimelineLine[] {
  const lines: TimelineLine[] = [];
  const at = (iso: string | undefined): Date | undefined => {
    if (!iso) return undefined;
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const created = at(facts.created);
  if (created) lines.push({ seq: 0, at: created, who: 'Microsoft Entra', what: 'Account created', action: 'graph.created', outcome: 'fact' });
  const since = at(facts.invitationStateSince);
  if (since && facts.invitationState === 'Accepted') lines.push({ seq: 0, at: since, who: 'the partner', what: 'Invitation redeemed', action: 'graph.redeemed', outcome: 'fact' });
  const signIn = facts.lastSignIn?.available ? at(facts.lastSignIn.lastSignIn) : undefined;
  if (signIn) lines.push({ seq: 0, at: signIn, who: 'the partner', what: 'Last sign-in', action: 'graph.signIn', outcome: 'fact' });
  return lines;
}
