import type { Owner, ProxyApp } from '../../graph/appProxy';
import type { DoctorSignals } from '../../graph/doctorSignals';
import { canRequestAccess, canResendInvitation, canResetRedemption, canRunDoctor, type CapabilityCaller } from '../../identity/capabilities';
import { sameObjectId } from '../../identity/objectId';
import type { InspectedShadowAccount } from '../../onprem/shadowAccounts';
import type { AccessRequestRecord, AccessRequestState } from '../../store';
import type { AppDirectory } from '../appAccess';
import { matchApp } from '../appMatch';
import type { Candidate, LookupService, RealmReport, UserSummary } from '../lookup';
import { parseUserRef } from '../userRef';
import { conditionalAccessCheck, recentSignInsCheck } from './signalChecks';
import {
  CHECK_ORDER,
  accountCheck,
  assignedCheck,
  delegatedLoginCheck,
  grantCheck,
  invitationCheck,
  preAuthenticationCheck,
  shadowAccountCheck,
  signInCheck,
  singleSignOnCheck,
  verdictLine,
  type AppAssignmentFact,
  type CheckId,
  type DoctorCheck,
  type ShadowFacts,
} from './checks';

/** The reads the doctor makes, each one another service already makes for whois, realm, apps, revoke or a grant. */
export interface DoctorPorts {
  lookup: Pick<LookupService, 'whois' | 'checkRealm'>;
  apps: Pick<AppDirectory, 'listApps' | 'listOwners' | 'listUserAssignments'>;
  grants: { findFor(guestObjectId: string, servicePrincipalId: string, states: readonly AccessRequestState[]): Promise<AccessRequestRecord[]> };
  /** On-prem AD; undefined when ONPREM_* is not configured, and the shadow-account check then says it could not look. */
  shadowAccounts?: { readonly guestOu: string; inspect(objectId: string): Promise<InspectedShadowAccount | undefined> };
  /**
   * Conditional Access policies, group memberships and the sign-in log, in one `$batch`; undefined in a wiring without them,
   * and those rows then say they could not be read.
   */
  signals?: { read(userId: string, appId: string | undefined, options?: { assignments?: boolean }): Promise<DoctorSignals> };
  /** How many days of the sign-in log `signals` reads, for the row's words. */
  signInWindowDays?: number;
  /** The tenanted sign-in address to send a partner whose email's home realm is elsewhere. */
  signInUrl: string;
  now: () => Date;
}

export interface DoctorReport {
  /** What was asked about, as typed. */
  query: string;
  user?: { id: string; displayName: string; address: string };
  app?: { servicePrincipalId: string; displayName: string };
  /** In chain order. */
  checks: DoctorCheck[];
  /** The first red check in plain words, or that nothing was found; on a report still being read, what it waits for. */
  verdict: string;
  /** How many rows are still being read: a report shown before the last read answered. Absent on the final report. */
  checking?: number;
}

/** Called with the report as it stands each time a read answers, before the final report is returned. */
export type DoctorProgress = (report: DoctorReport) => void;

export type DoctorOutcome =
  | { kind: 'report'; report: DoctorReport }
  | { kind: 'badInput'; problem: string }
  | { kind: 'ambiguousUser'; query: string; candidates: Candidate[]; more: boolean }
  /** The app name fits several apps, or nothing close (then `candidates` are the nearest). */
  | { kind: 'pickApp'; query: string; user: string; candidates: ProxyApp[]; matched: 'several' | 'none' }
  /** An app name a caller who may not list the apps did not match exactly. */
  | { kind: 'unknownApp'; query: string }
  | { kind: 'notAllowed'; app?: ProxyApp; owners: Owner[] };

/** The rows only a report on an app has. */
const APP_ROWS: ReadonlySet<CheckId> = new Set<CheckId>(['assigned', 'grant', 'preAuthentication', 'singleSignOn', 'shadowAccount', 'delegatedLogin']);

/**
 * The rows of one report as its reads answer, in chain order: those not read yet are `pending`. Each addition shows the
 * report so far to `progress`, and never after `done`.
 */
class RowsSoFar {
  private readonly read = new Map<CheckId, DoctorCheck>();
  private finished = false;

  constructor(
    private readonly expected: readonly CheckId[],
    private readonly present: (checks: DoctorCheck[]) => DoctorReport,
    private readonly progress?: DoctorProgress,
  ) {}

  add(checks: readonly DoctorCheck[]): void {
    for (const check of checks) this.read.set(check.id, check);
    if (this.progress && !this.finished) this.progress(this.present(this.rows()));
  }

  done(): DoctorCheck[] {
    this.finished = true;
    return this.rows().filter((c) => c.status !== 'pending');
  }

  private rows(): DoctorCheck[] {
    const ids = [...new Set([...this.expected, ...this.read.keys()])].sort((a, b) => CHECK_ORDER.indexOf(a) - CHECK_ORDER.indexOf(b));
    return ids.map((id) => this.read.get(id) ?? { id, status: 'pending', fact: 'Checking…' });
  }
}

/** Every state a request for the app can be in that says something about access now. */
const GRANT_STATES: readonly AccessRequestState[] = ['granted', 'pending', 'approved', 'expired', 'revoked', 'failed'];

const why = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * `doctor <person> [<app>]`: every link of the chain from the account to the app's sign-in, each a verdict with the fact it
 * rests on and the fix, from the reads whois, realm, apps and the grant path already make. A read that fails makes its
 * check amber with the reason, never the whole answer fail, and never a silent green.
 */
export class DoctorService {
  constructor(private readonly ports: DoctorPorts) {}

  async diagnose(caller: CapabilityCaller, userInput: string, appInput?: string, progress?: DoctorProgress): Promise<DoctorOutcome> {
    const parsed = parseUserRef(userInput);
    if (!parsed.ok) return { kind: 'badInput', problem: parsed.problem };
    const manager = canRunDoctor(caller) === 'manager';
    if (!manager && appInput === undefined) return { kind: 'notAllowed', owners: [] };
    // A manager's reads go in parallel; an owner's right is settled first, so nothing is read about a person for nobody.
    const whois = () => this.ports.lookup.whois(parsed.value, caller);
    const early = manager ? whois() : undefined;
    // Awaited below; this only keeps a failure there from being unhandled while the app is matched.
    early?.catch(() => undefined);
    let app: ProxyApp | undefined;
    if (appInput !== undefined) {
      const match = matchApp(await this.ports.apps.listApps(), appInput);
      if (match.kind !== 'one') {
        // The app list is for partner managers and admins, as with apps; an owner names their app exactly.
        if (!manager) return { kind: 'unknownApp', query: appInput };
        return { kind: 'pickApp', query: appInput, user: userInput, candidates: match.kind === 'several' ? match.candidates : match.suggestions, matched: match.kind };
      }
      app = match.app;
      if (!manager) {
        const owners = await this.ports.apps.listOwners(app.servicePrincipalId);
        if (canRunDoctor(caller, owners.map((o) => o.id)) !== 'owner') return { kind: 'notAllowed', app, owners };
      }
    }
    const found = await (early ?? whois());
    if (found.kind === 'ambiguous') return { kind: 'ambiguousUser', query: found.query, candidates: found.candidates, more: found.more };
    const user = found.kind === 'found' ? found.user : undefined;
    return { kind: 'report', report: await this.examine(caller, parsed.value.value, user, app, progress) };
  }

  /** The same diagnosis for a person and an app picked by id from a card: card data is user input, so all is checked again. */
  async diagnoseFor(caller: CapabilityCaller, userInput: string, servicePrincipalId: string | undefined, progress?: DoctorProgress): Promise<DoctorOutcome> {
    if (servicePrincipalId === undefined) return this.diagnose(caller, userInput, undefined, progress);
    return this.diagnose(caller, userInput, servicePrincipalId, progress);
  }

  /** The app a card's button names, for the question whom to check; undefined when it is no longer published. */
  async appNamed(servicePrincipalId: string): Promise<ProxyApp | undefined> {
    return (await this.ports.apps.listApps()).find((a) => a.servicePrincipalId.toLowerCase() === servicePrincipalId.toLowerCase());
  }

  private async examine(caller: CapabilityCaller, query: string, user: UserSummary | undefined, app: ProxyApp | undefined, progress?: DoctorProgress): Promise<DoctorReport> {
    const may = { resend: canResendInvitation(caller), resetRedemption: canResetRedemption(caller), request: canRequestAccess(caller) };
    const rows = new RowsSoFar(user && app ? CHECK_ORDER : CHECK_ORDER.filter((id) => !APP_ROWS.has(id)), (checks) => this.report(query, user, app, checks), progress);
    rows.add([accountCheck(user, query), invitationCheck(user, may)]);
    const realmTarget = user?.realmTarget;
    const realmRead: Promise<RealmReport | undefined> = realmTarget ? this.ports.lookup.checkRealm(realmTarget).catch(() => undefined) : Promise.resolve(undefined);
    // With an app, the batch also carries the user's assignments, so the assigned row costs no round trip of its own.
    const signalsRead = user ? this.signals(user.id, app?.appId, app !== undefined) : Promise.resolve(undefined);
    const appChecks = user && app ? this.appChecks(user, app, may.request, signalsRead) : Promise.resolve([]);
    const signalApp = app ? { appId: app.appId, displayName: app.displayName } : undefined;
    const unread = { unreadable: 'failed', reason: 'the bot is not set up to read it' } as const;
    // Each read adds its rows as it answers; none of these rejects (a failed read is its rows' amber).
    await Promise.all([
      realmRead.then((realm) => rows.add([signInCheck(user, realm, this.ports.signInUrl)])),
      appChecks.then((onApp) => rows.add(onApp)),
      signalsRead.then((signals) =>
        rows.add([
          conditionalAccessCheck(user, signalApp, signals?.policies ?? unread, signals?.groupIds),
          recentSignInsCheck(user, signalApp, signals?.signIns ?? unread, this.ports.signInWindowDays ?? 7),
        ]),
      ),
    ]);
    return this.report(query, user, app, rows.done());
  }

  /** The report on the rows read so far: a row not read yet is `pending`, and the verdict waits for every row. */
  private report(query: string, user: UserSummary | undefined, app: ProxyApp | undefined, checks: DoctorCheck[]): DoctorReport {
    const who = user?.displayName ?? query;
    const checking = checks.filter((c) => c.status === 'pending').length;
    return {
      query,
      ...(user ? { user: { id: user.id, displayName: user.displayName, address: user.mail ?? user.userPrincipalName ?? user.id } } : {}),
      ...(app ? { app: { servicePrincipalId: app.servicePrincipalId, displayName: app.displayName } } : {}),
      checks,
      verdict: checking > 0 ? `Still checking ${checking} of ${checks.length} links; this card fills in as they answer.` : verdictLine(checks, who, app?.displayName),
      ...(checking > 0 ? { checking } : {}),
    };
  }

  private async appChecks(user: UserSummary, app: ProxyApp, mayRequest: boolean, signals: Promise<DoctorSignals | undefined>): Promise<DoctorCheck[]> {
    const [assignments, records, shadow] = await Promise.all([this.assignmentsOn(app, user, signals), this.ports.grants.findFor(user.id, app.servicePrincipalId, GRANT_STATES), this.shadowFacts(app, user)]);
    const live = records.find((r) => r.state === 'granted');
    const assigned = 'unreadable' in assignments ? undefined : assignments.length > 0;
    return [
      assignedCheck(app, user, assignments, live, { request: mayRequest }),
      grantCheck(app, user, records, assigned, this.ports.now(), { request: mayRequest }),
      preAuthenticationCheck(app),
      singleSignOnCheck(app),
      shadowAccountCheck(app, user, shadow, { request: mayRequest }),
      delegatedLoginCheck(app, user),
    ];
  }

  /** The last two rows' reads; a failure there is the rows' amber, never the report's. */
  private async signals(userId: string, appId: string | undefined, assignments: boolean): Promise<DoctorSignals | undefined> {
    const port = this.ports.signals;
    if (!port) return undefined;
    try {
      return await port.read(userId, appId, { assignments });
    } catch (error) {
      const failed = { unreadable: 'failed', reason: why(error) } as const;
      return { policies: failed, groupIds: undefined, signIns: failed };
    }
  }

  /** The user's assignments on this app: their own and their groups', each named by role and group. */
  private async assignmentsOn(app: ProxyApp, user: UserSummary, signals: Promise<DoctorSignals | undefined>): Promise<AppAssignmentFact[] | { unreadable: string }> {
    try {
      const all = (await signals)?.assignments ?? (await this.ports.apps.listUserAssignments(user.id));
      return all
        .filter((a) => a.resourceId.toLowerCase() === app.servicePrincipalId.toLowerCase())
        .map((a) => {
          const role = app.roles.find((r) => r.id.toLowerCase() === a.appRoleId.toLowerCase());
          const roleName = role?.displayName ?? (app.roles.length === 0 ? 'Default access' : `Role ${a.appRoleId}`);
          return sameObjectId(a.principalId, user.id) ? { roleName } : { roleName, viaGroup: a.principalDisplayName ?? a.principalId };
        });
    } catch (error) {
      return { unreadable: why(error) };
    }
  }

  /** One LDAP search, only for a Kerberos app and a guest that needs a shadow account. */
  private async shadowFacts(app: ProxyApp, user: UserSummary): Promise<ShadowFacts | undefined> {
    if (app.ssoKind !== 'kerberos' || user.onPremises !== undefined) return undefined;
    const directory = this.ports.shadowAccounts;
    if (!directory) return { kind: 'notConfigured' };
    try {
      const account = await directory.inspect(user.id);
      return account ? { kind: 'found', account, guestOu: directory.guestOu } : { kind: 'missing' };
    } catch (error) {
      return { kind: 'failed', reason: why(error) };
    }
  }
}
