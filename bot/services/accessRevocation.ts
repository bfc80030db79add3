import { z } from 'zod';
import { DEFAULT_ACCESS_ROLE_ID, type Assignment, type Owner, type ProxyApp, type SsoKind } from '../graph/appProxy';
import type { ExistingUser } from '../graph/graphInvitations';
import type { Caller } from '../identity/caller';
import { canRevoke } from '../identity/capabilities';
import type { JobScheduler, Notifier, OutgoingMessage } from './ports';
import { accessNoticeKey, accessReminderKey, accessTimeoutKey } from './access/schedule';
import { createdAssignmentOf, ownsShadowAccount, type AccessRequestRecord, type Store } from '../store';
import { REMOVE_SHADOW_RESULTS, type AppAccessService, type AppDirectory, type RemovalPlan, type RemoveResult } from './appAccess';
import { matchApp } from './appMatch';
import { checkPartnerAddress, type PartnerAddress } from './emailAddress';
import { unwrapTeamsLinks } from './userRef';
import { sameObjectId } from '../identity/objectId';

/** Finding the partner by the address they were invited with. GraphInvitations implements it. */
export interface GuestFinder {
  findByEmail(email: string): Promise<ExistingUser[]>;
}

/** How a grant ended, for the requester's message and the cards. */
export type GrantEnding = { how: 'expired' } | { how: 'revoked'; byObjectId: string; byName: string; reason?: string };

/** The proactive messages, built by the caller so the service never imports cards or botbuilder. */
export interface AccessEndMessages {
  /** To the partner manager who asked for the grant: it ended, and what was removed. */
  ended(record: AccessRequestRecord, ending: GrantEnding, removal: RemoveResult): OutgoingMessage;
  /** To the same person when the expiry could not be carried out and someone has to act. */
  expiryFailed(record: AccessRequestRecord, error: string): OutgoingMessage;
}

/** What removing the access will do to the guest's on-prem account. */
export type ShadowEffect =
  | { kind: 'notKerberos' }
  | { kind: 'disable' }
  | { kind: 'keep'; otherApps: string[] }
  /** Another live grant of the bot (on these apps) uses the shadow account: it stays, and that grant ends it. */
  | { kind: 'keepForGrant'; apps: string[] }
  /** The shadow account was enabled before the bot's grant, or the bot never made one: it is left as it is. */
  | { kind: 'notTheBots' }
  /** A synced partner: their own AD account serves Kerberos, and the bot never changes it. */
  | { kind: 'ownAccount' }
  /** A Kerberos app, but the bot has no on-prem directory configured: any shadow account is left as it is. */
  | { kind: 'notConfigured' };

/** Where the guest's access came from: a grant this bot made and still tracks, one that has already ended, or Entra directly. */
export type AccessSource = 'bot' | 'endedGrant' | 'outsideBot';

/** Where one of the partner's assignments of the app comes from. */
export type AssignmentOrigin =
  | { kind: 'bot'; request: AccessRequestRecord }
  /** Made directly in Entra, not by the bot (perhaps long before it). */
  | { kind: 'direct'; createdDateTime?: string }
  /** Through a group the partner is in: revoke never changes groups. */
  | { kind: 'group'; groupId: string; groupName?: string };

export interface HeldOnApp {
  id: string;
  roleName: string;
  origin: AssignmentOrigin;
}

/** What the person revoking chose on the confirmation card; card data is user input, so the service checks it against Graph. */
export interface RevokeChoice {
  /** The direct assignments (not the bot's) the card offered to remove. */
  offered: readonly string[];
  /** Those the person switched on; each must have been offered, and be the partner's own direct assignment of the app now. */
  chosen: readonly string[];
  reason?: string;
}

export interface RevokePreview {
  app: ProxyApp;
  guest: ExistingUser;
  /** The address as the person typed it, in Unicode. */
  email: string;
  /** The address Graph understands (punycode domain); the confirm button carries it. */
  address: string;
  /** Role names of the assignments that will be removed by default (the bot's). */
  roles: string[];
  /** Every assignment the partner holds on the app, each with its origin. */
  held: HeldOnApp[];
  assignmentCount: number;
  /** Assignments of this app to groups the guest is a direct member of: revoke leaves them, the guest keeps that access. */
  viaGroups: number;
  activeGrants: AccessRequestRecord[];
  /** The bot's earlier grants of this app that have already ended (expired or revoked). */
  endedGrants: AccessRequestRecord[];
  /** Requests for this app still waiting for a decision: approving one later grants access again. */
  pendingRequests: AccessRequestRecord[];
  source: AccessSource;
  shadow: ShadowEffect;
  /** The AD groups the bot's grants put the partner's AD account in (DNs): revoking takes it out of these, and of no other. */
  adGroups?: string[];
  /** The caller may revoke because they are an admin, or an owner of the app. */
  allowedAs: 'admin' | 'owner';
}

export type RevokeCheck =
  | { kind: 'invalidEmail'; input: string; problem: string }
  | { kind: 'pickApp'; query: string; address: string; candidates: ProxyApp[]; matched: 'several' | 'none' }
  /** A caller without a bot role (an app owner, perhaps) named no app exactly; they do not get the app list to browse. */
  | { kind: 'appNotNamed'; query: string }
  | { kind: 'appGone'; servicePrincipalId: string }
  | { kind: 'notAllowed'; app: ProxyApp; owners: Owner[] }
  | { kind: 'unknownUser'; app: ProxyApp; email: string }
  | { kind: 'ambiguousUser'; app: ProxyApp; email: string; users: ExistingUser[] }
  | { kind: 'notGuest'; app: ProxyApp; email: string; user: ExistingUser }
  | { kind: 'grantInProgress'; app: ProxyApp; guest: ExistingUser; email: string; request: AccessRequestRecord }
  | { kind: 'noAccess'; app: ProxyApp; guest: ExistingUser; email: string; viaGroups: number; groups: HeldOnApp[]; lastEnded?: AccessRequestRecord }
  | { kind: 'confirm'; preview: RevokePreview };

export type RevokeOutcome =
  | Exclude<RevokeCheck, { kind: 'confirm' }>
  | {
      kind: 'revoked';
      preview: RevokePreview;
      removal: RemoveResult;
      /** The grants this revoke ended (a concurrent revoke or the expiry job may have ended others). */
      revokedRequests: AccessRequestRecord[];
      /** Requesters told proactively, by name, and those the bot could not reach. */
      notified: string[];
      unreachable: string[];
    }
  | { kind: 'failed'; preview: RevokePreview; message: string; revokedRequests: AccessRequestRecord[] }
  /** The card asked to remove an assignment it did not offer, or one that is no longer the partner's own: nothing was changed. */
  | { kind: 'notOffered'; preview: RevokePreview; ids: string[] }
  /** Nothing is the bot's to remove and no other assignment was chosen: nothing was changed. */
  | { kind: 'nothingChosen'; preview: RevokePreview };

/** The expiry job's checkpoint: which of its steps are done, so a step repeated after a crash does not redo the others. */
export const ExpiryPayloadSchema = z.object({
  requestId: z.string().min(1),
  phase: z.enum(['end', 'remove', 'report']),
  removal: z
    .object({
      removedAssignments: z.number().int().nonnegative(),
      keptThroughGroups: z.number().int().nonnegative().default(0),
      keptDirect: z.number().int().nonnegative().optional(),
      shadow: z.enum(REMOVE_SHADOW_RESULTS),
      adGroups: z.object({ removed: z.array(z.string()), keptForOtherGrant: z.array(z.string()) }).optional(),
    })
    .optional(),
});
export type ExpiryPayload = z.infer<typeof ExpiryPayloadSchema>;

/** What one expiry step did: move on to the next step (now, or at `runAt`), or stop; `note` is for the job's log. */
export type ExpiryStep = { status: 'continue'; payload: ExpiryPayload; runAt?: Date; note?: string } | { status: 'done'; note?: string };

/** The actor recorded for work nobody clicked. */
export const EXPIRY_ACTOR = 'system:expiry';

const SSO_KINDS: readonly SsoKind[] = ['saml', 'kerberos', 'headerBased', 'none'];

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Audit rows about a partner's app access are keyed by the guest's UPN, as the request side keys them. */
function auditTarget(guest: Pick<ExistingUser, 'userPrincipalName'>): string {
  return guest.userPrincipalName;
}

function recordTarget(record: AccessRequestRecord): string {
  return record.guestUpn;
}

/**
 * Ends partners' access to on-prem apps: `revoke` at once, and the expiry job when a grant's time is up. Both remove only
 * what the bot's grants made (the assignment each recorded; the shadow account it created or re-enabled, once no other live
 * grant uses it); revoke also removes the direct assignments the person chose on the card, and never a group's. They end the
 * bot's grant records with a compare-and-set, audit, and tell the partner manager who asked for the grant. Every step is
 * safe to repeat.
 */
export class AccessRevocationService {
  constructor(
    private readonly deps: {
      store: Store;
      appAccess: AppAccessService;
      /** The same Graph port AppAccessService uses, for the reads it does not expose (one app, its owners, assignments). */
      apps: AppDirectory;
      guests: GuestFinder;
      notifier: Notifier;
      messages: AccessEndMessages;
      /** Refreshes the cards already sent for a request (the approvers' cards), so they show that the grant ended. */
      cardsChanged?: (record: AccessRequestRecord) => Promise<void>;
      /** To cancel an ended grant's expiry notices; without it they stop by themselves when they next run. */
      jobs?: JobScheduler;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The `revoke <app> for <email>` command: resolves the app (a pick list unless it is unambiguous) and checks everything. */
  async prepare(caller: Caller, appQuery: string, emailInput: string): Promise<RevokeCheck> {
    const address = checkPartnerAddress(unwrapTeamsLinks(emailInput));
    if (!address.ok) return { kind: 'invalidEmail', input: emailInput, problem: address.problem };
    const apps = await this.deps.appAccess.listApps();
    const match = matchApp(apps, appQuery);
    if (match.kind === 'one') return this.check(caller, match.app, address.value, apps);
    // The app list is for partner managers and admins (the apps command); an owner without a role names their app.
    if (caller.roles.length === 0) return { kind: 'appNotNamed', query: appQuery };
    return {
      kind: 'pickApp',
      query: appQuery,
      address: address.value.address,
      candidates: match.kind === 'several' ? match.candidates : match.suggestions,
      matched: match.kind,
    };
  }

  /** The same checks for an app picked from the list (the button carries its id): card data is user input. */
  async prepareFor(caller: Caller, servicePrincipalId: string, emailInput: string): Promise<RevokeCheck> {
    const address = checkPartnerAddress(emailInput);
    if (!address.ok) return { kind: 'invalidEmail', input: emailInput, problem: address.problem };
    const app = await this.deps.apps.getApp(servicePrincipalId);
    if (!app) return { kind: 'appGone', servicePrincipalId };
    return this.check(caller, app, address.value);
  }

  /**
   * The confirm button. Everything is checked again (the caller's right from Graph's owner list now, the guest, what they
   * hold), and the choice on the card is checked against Graph at the click: only the partner's own direct assignments the
   * card offered can be chosen. Then the bot's grants are ended with a compare-and-set and the audit row in one transaction,
   * and exactly the bot's assignments and the chosen ones removed. A second click, or a revoke racing the expiry job, ends
   * each grant once and removes nothing twice.
   */
  async revoke(caller: Caller, servicePrincipalId: string, emailInput: string, choice: RevokeChoice = { offered: [], chosen: [] }): Promise<RevokeOutcome> {
    const checked = await this.prepareFor(caller, servicePrincipalId, emailInput);
    if (checked.kind !== 'confirm') return checked;
    const { preview } = checked;
    // Assignment ids are case-sensitive (base64url): compared exactly.
    const offered = new Set(choice.offered);
    const direct = new Set(preview.held.filter((h) => h.origin.kind === 'direct').map((h) => h.id));
    const refused = choice.chosen.filter((id) => !offered.has(id) || !direct.has(id));
    if (refused.length > 0) return { kind: 'notOffered', preview, ids: refused };
    const chosen = [...new Set(choice.chosen)];
    const botHeld = preview.held.filter((h) => h.origin.kind === 'bot');
    if (preview.activeGrants.length === 0 && botHeld.length === 0 && chosen.length === 0 && preview.shadow.kind !== 'disable') {
      return { kind: 'nothingChosen', preview };
    }
    const reason = choice.reason?.trim() ? choice.reason.trim() : undefined;
    const target = auditTarget(preview.guest);
    const detail = {
      app: preview.app.displayName,
      servicePrincipalId: preview.app.servicePrincipalId,
      guestObjectId: preview.guest.id,
      source: preview.source,
      allowedAs: preview.allowedAs,
      ...(reason ? { reason } : {}),
      ...(chosen.length > 0 ? { chosenDirectAssignments: chosen } : {}),
    };
    const revokedIds = await this.deps.store.transaction(async (tx) => {
      const won: string[] = [];
      for (const grant of preview.activeGrants) {
        if (await tx.accessRequests.endGrant(grant.id, 'revoked', caller.aadObjectId)) won.push(grant.id);
      }
      if (won.length > 0) {
        await tx.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action: 'access.revoke', target, outcome: 'started', detail: { ...detail, requests: won } });
      }
      return won;
    });
    const revokedRequests = preview.activeGrants.filter((g) => revokedIds.includes(g.id));
    for (const id of revokedIds) await this.afterGrantEnded(id, 'revoked');

    let removal: RemoveResult;
    try {
      const ending = [...preview.activeGrants, ...preview.endedGrants];
      const plan = await this.planEnd(preview.guest.id, ending, preview.guest.onPremisesSyncEnabled === true);
      removal = await this.withGroupsReleased(
        await this.deps.appAccess.removeAssignments(this.removalApp(preview.app, ending), preview.guest.id, {
          ...plan,
          assignmentIds: [...plan.assignmentIds, ...chosen],
        }),
        ending,
        { actor: caller.aadObjectId, actorName: caller.name },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.deps.store.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action: 'access.revoke', target, outcome: 'failed', detail: { ...detail, requests: revokedIds, message } });
      return { kind: 'failed', preview, message, revokedRequests };
    }

    // A second click (or a revoke racing the expiry job) that won no compare-and-set and removed nothing itself changed
    // nothing: it gets the final card, but no audit row of its own.
    if (revokedIds.length > 0 || removal.removedAssignments > 0 || removal.shadow === 'disabled' || (removal.adGroups?.removed.length ?? 0) > 0) {
      await this.deps.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: 'access.revoke',
        target,
        outcome: 'success',
        detail: {
          ...detail,
          requests: revokedIds,
          roles: preview.roles,
          removedAssignments: removal.removedAssignments,
          keptDirect: removal.keptDirect ?? 0,
          keptThroughGroups: removal.keptThroughGroups,
          shadow: removal.shadow,
          ...(removal.adGroups ? { adGroups: removal.adGroups } : {}),
        },
      });
    }

    const notified: string[] = [];
    const unreachable: string[] = [];
    const ending: GrantEnding = { how: 'revoked', byObjectId: caller.aadObjectId, byName: caller.name, ...(reason ? { reason } : {}) };
    for (const record of revokedRequests) {
      const refreshed = (await this.deps.store.accessRequests.get(record.id)) ?? record;
      await this.refreshCards(refreshed);
      if (sameObjectId(record.requesterObjectId, caller.aadObjectId)) continue;
      // The revoke stands even if the requester cannot be told right now; the audit log has it.
      const sent = await this.deps.notifier.sendToUser(record.requesterObjectId, this.deps.messages.ended(refreshed, ending, removal)).catch(() => undefined);
      (sent ? notified : unreachable).push(record.requesterName || record.requesterObjectId);
    }
    return { kind: 'revoked', preview, removal, revokedRequests, notified: [...new Set(notified)], unreachable: [...new Set(unreachable)] };
  }

  /**
   * What ending these grants removes: the assignment each made, and the shadow account when one of them made or woke it.
   * What a live grant still relies on (the same role of the same app, or the shadow account for another Kerberos grant) is
   * handed to that grant instead, so the last grant to end removes it.
   */
  private async planEnd(guestObjectId: string, ending: readonly AccessRequestRecord[], ownAccount: boolean): Promise<Omit<RemovalPlan, 'assignmentIds'> & { assignmentIds: string[] }> {
    const endingIds = new Set(ending.map((g) => g.id));
    const live = (await this.deps.store.accessRequests.findGrantsOf(guestObjectId)).filter((g) => !endingIds.has(g.id));
    const assignmentIds: string[] = [];
    for (const grant of ending) {
      const made = createdAssignmentOf(grant.grantProgress);
      if (!made) continue;
      const heir = live.find((l) => sameId(l.servicePrincipalId, grant.servicePrincipalId) && sameId(l.appRoleId, grant.appRoleId));
      if (heir && (createdAssignmentOf(heir.grantProgress) === made || (await this.adopt(heir, { createdAssignmentId: made })))) continue;
      assignmentIds.push(made);
    }
    if (ownAccount || ending.some((g) => g.guestOnPremSynced)) return { assignmentIds, shadow: 'ownAccount' };
    const owner = ending.find((g) => ownsShadowAccount(g.grantProgress));
    const others = live.filter((l) => l.ssoKind === 'kerberos' && !l.guestOnPremSynced);
    if (others.length > 0) {
      const heir = others.find((l) => !ownsShadowAccount(l.grantProgress));
      const account = owner?.grantProgress.shadowAccount;
      if (account && heir && !others.some((l) => ownsShadowAccount(l.grantProgress))) await this.adopt(heir, { shadowAccount: account });
      return { assignmentIds, shadow: 'usedByOtherGrant' };
    }
    return { assignmentIds, shadow: owner ? 'owned' : 'notOwned' };
  }

  private async adopt(heir: AccessRequestRecord, what: Pick<AccessRequestRecord['grantProgress'], 'createdAssignmentId' | 'shadowAccount'>): Promise<boolean> {
    return this.deps.store.accessRequests.adoptFromEndingGrant(heir.id, { ...heir.grantProgress, ...what });
  }

  /**
   * What an ended grant makes pointless: its notices (the job would also stop by itself when it next ran), and an extension
   * still waiting for approval, which is withdrawn with the reason so its approvers' cards say so (approving it would only
   * fail). Both are courtesies after the end is committed and audited.
   */
  private async afterGrantEnded(requestId: string, how: 'revoked' | 'expired'): Promise<void> {
    await this.deps.jobs?.cancel(accessNoticeKey(requestId));
    for (const extension of await this.deps.store.accessRequests.findExtensionsOf(requestId, ['pending'])) {
      const withdrawn = await this.deps.store.transaction(async (tx) => {
        const ok = await tx.accessRequests.transition(extension, 'withdrawn', {
          ended_at: this.now().toISOString(),
          decision_comment: `The grant was ${how} before anyone decided on this extension.`,
        });
        if (ok) {
          await tx.audit.append({ actor: EXPIRY_ACTOR, action: 'access.extend', target: extension.guestUpn, outcome: 'withdrawn', detail: { request: extension.id, extends: requestId, reason: `grant ${how}` } });
        }
        return ok;
      });
      if (!withdrawn) continue;
      await this.deps.jobs?.cancel(accessTimeoutKey(extension.id));
      await this.deps.jobs?.cancel(accessReminderKey(extension.id));
      const settled = await this.deps.store.accessRequests.get(extension.id);
      if (settled) await this.refreshCards(settled);
    }
  }

  /** Cards are a courtesy: a card that cannot be updated never undoes or fails the change it shows. */
  private async refreshCards(record: AccessRequestRecord): Promise<void> {
    await this.deps.cardsChanged?.(record).catch(() => undefined);
  }

  /** Admins, or the app's owners as Graph lists them now. */
  private async mayRevoke(caller: Caller, app: ProxyApp): Promise<{ ok: true; as: 'admin' | 'owner' } | { ok: false; owners: Owner[] }> {
    if (canRevoke(caller) === 'admin') return { ok: true, as: 'admin' };
    const owners = await this.deps.apps.listOwners(app.servicePrincipalId);
    return owners.some((o) => sameObjectId(o.id, caller.aadObjectId)) ? { ok: true, as: 'owner' } : { ok: false, owners };
  }

  private async check(caller: Caller, app: ProxyApp, address: PartnerAddress, knownApps?: ProxyApp[]): Promise<RevokeCheck> {
    const allowed = await this.mayRevoke(caller, app);
    if (!allowed.ok) {
      await this.deps.store.audit.append({
        actor: caller.aadObjectId,
        actorName: caller.name,
        action: 'access.revoke',
        target: address.address.toLowerCase(),
        outcome: 'refused',
        detail: { reason: 'not-admin-or-owner', app: app.displayName, servicePrincipalId: app.servicePrincipalId, roles: caller.roles },
      });
      return { kind: 'notAllowed', app, owners: allowed.owners };
    }

    const email = address.display;
    const found = await this.deps.guests.findByEmail(address.address);
    if (found.length === 0) return { kind: 'unknownUser', app, email };
    const guests = found.filter((u) => u.userType === 'Guest');
    if (guests.length > 1) return { kind: 'ambiguousUser', app, email, users: guests };
    const guest = guests[0];
    if (!guest) return { kind: 'notGuest', app, email, user: found[0] as ExistingUser };

    const requests = await this.deps.store.accessRequests.findFor(guest.id, app.servicePrincipalId, ['approved', 'granted', 'pending', 'expired', 'revoked', 'failed']);
    const granting = requests.find((r) => r.state === 'approved');
    if (granting) return { kind: 'grantInProgress', app, guest, email, request: granting };
    const activeGrants = requests.filter((r) => r.state === 'granted');
    const pendingRequests = requests.filter((r) => r.state === 'pending');
    // Grants that ended, or that gave up part-way: an assignment Entra still lists may be theirs.
    const ended = requests.filter((r) => r.state === 'expired' || r.state === 'revoked' || r.state === 'failed');

    const assignments = await this.deps.apps.listUserAssignments(guest.id);
    const onThisApp = assignments.filter((a) => sameId(a.resourceId, app.servicePrincipalId));
    const known = [...activeGrants, ...ended];
    const held: HeldOnApp[] = onThisApp.map((a) => {
      const roleNamed = roleName(app, a);
      // Graph lists the assignments of the guest's groups too; revoke never removes those.
      if (!sameObjectId(a.principalId, guest.id)) return { id: a.id, roleName: roleNamed, origin: { kind: 'group', groupId: a.principalId, ...(a.principalDisplayName ? { groupName: a.principalDisplayName } : {}) } };
      const request = known.find((r) => createdAssignmentOf(r.grantProgress) === a.id);
      return { id: a.id, roleName: roleNamed, origin: request ? { kind: 'bot', request } : { kind: 'direct', ...(a.createdDateTime ? { createdDateTime: a.createdDateTime } : {}) } };
    });
    const own = held.filter((h) => h.origin.kind !== 'group');
    const groups = held.filter((h) => h.origin.kind === 'group');
    const holdsAccess = own.length + activeGrants.length > 0;
    // Which other apps are Kerberos only matters for a Kerberos app, so the app list is only read then.
    const apps = () => (knownApps ? Promise.resolve(knownApps) : this.deps.appAccess.listApps());
    const shadow = await this.shadowEffect(this.removalApp(app, known), guest, assignments, apps, known, holdsAccess);
    if (!shadow || (!holdsAccess && shadow.kind !== 'disable')) {
      return { kind: 'noAccess', app, guest, email, viaGroups: groups.length, groups, ...(ended[0] ? { lastEnded: ended[0] } : {}) };
    }
    return {
      kind: 'confirm',
      preview: {
        app,
        guest,
        email,
        address: address.address,
        roles: [...new Set(held.filter((h) => h.origin.kind === 'bot').map((h) => h.roleName))],
        held,
        assignmentCount: own.length,
        viaGroups: groups.length,
        activeGrants,
        endedGrants: ended,
        pendingRequests,
        source: activeGrants.length > 0 ? 'bot' : ended.length > 0 ? 'endedGrant' : 'outsideBot',
        shadow,
        ...(await this.ownedGroups(known)),
        allowedAs: allowed.as,
      },
    };
  }

  /**
   * For a Kerberos app, what revoking the bot's grants does on-prem. A synced partner's own account is never touched; a
   * shadow account the bot did not create or re-enable is left as it is; one another live grant uses stays. Otherwise it is
   * disabled unless another Kerberos app, or this one through a group, keeps it in use. When the guest holds nothing here
   * any more but the bot granted it before (a removal that stopped before the on-prem step), the account still enabled is
   * what is left to do. Undefined: nothing to do on-prem.
   */
  private async shadowEffect(
    app: ProxyApp,
    guest: ExistingUser,
    assignments: Assignment[],
    apps: () => Promise<ProxyApp[]>,
    known: readonly AccessRequestRecord[],
    holdsAccess: boolean,
  ): Promise<ShadowEffect | undefined> {
    if (app.ssoKind !== 'kerberos') return { kind: 'notKerberos' };
    if (guest.onPremisesSyncEnabled === true || known.some((g) => g.guestOnPremSynced)) return { kind: 'ownAccount' };
    const shadowAccounts = this.deps.appAccess.shadowAccounts;
    if (!shadowAccounts) return { kind: 'notConfigured' };
    if (!known.some((g) => ownsShadowAccount(g.grantProgress))) return holdsAccess ? { kind: 'notTheBots' } : undefined;
    const knownIds = new Set(known.map((g) => g.id));
    const otherGrants = (await this.deps.store.accessRequests.findGrantsOf(guest.id)).filter((g) => !knownIds.has(g.id) && g.ssoKind === 'kerberos');
    if (otherGrants.length > 0) return { kind: 'keepForGrant', apps: [...new Set(otherGrants.map((g) => g.appDisplayName))] };
    const elsewhere = assignments.filter((a) => !sameId(a.resourceId, app.servicePrincipalId));
    const byId = new Map((elsewhere.length > 0 ? await apps() : []).map((a) => [a.servicePrincipalId.toLowerCase(), a]));
    const others = elsewhere
      .map((a) => byId.get(a.resourceId.toLowerCase()))
      .filter((a): a is ProxyApp => a?.ssoKind === 'kerberos');
    const throughGroup = assignments.some((a) => sameId(a.resourceId, app.servicePrincipalId) && !sameObjectId(a.principalId, guest.id));
    const stillUsed = [...(throughGroup ? [`${app.displayName} (through a group)`] : []), ...others.map((a) => a.displayName)];
    if (stillUsed.length > 0) return { kind: 'keep', otherApps: [...new Set(stillUsed)] };
    if (holdsAccess) return { kind: 'disable' };
    const account = await shadowAccounts.find(guest.id);
    return account?.enabled ? { kind: 'disable' } : undefined;
  }

  private async ownedGroups(grants: readonly AccessRequestRecord[]): Promise<{ adGroups?: string[] }> {
    const groups = (await this.deps.appAccess.adGroups?.ownedBy(grants)) ?? [];
    return groups.length > 0 ? { adGroups: groups } : {};
  }

  /**
   * After the assignments: takes the account out of the AD groups these ended grants added it to (only those, and not one
   * another live grant needs). A grant the bot made for a Kerberos app with no mapped groups has no rows, so this is a no-op.
   */
  private async withGroupsReleased(removal: RemoveResult, ending: readonly AccessRequestRecord[], how: { actor: string; actorName?: string }): Promise<RemoveResult> {
    const adGroups = this.deps.appAccess.adGroups;
    if (!adGroups) return removal;
    const released = await adGroups.release(ending, how);
    return released.removed.length + released.keptForOtherGrant.length > 0 ? { ...removal, adGroups: released } : removal;
  }

  /** A Kerberos grant keeps its shadow-account handling even if the app has since been switched to another SSO mode. */
  private removalApp(app: ProxyApp, grants: readonly AccessRequestRecord[]): ProxyApp {
    return grants.some((g) => g.ssoKind === 'kerberos') ? { ...app, ssoKind: 'kerberos' } : app;
  }

  /** The app as Graph has it now, or as the request recorded it when it is no longer published. */
  private async appOf(record: AccessRequestRecord): Promise<ProxyApp> {
    const current = await this.deps.apps.getApp(record.servicePrincipalId);
    if (current) return this.removalApp(current, [record]);
    const ssoKind = (SSO_KINDS as readonly string[]).includes(record.ssoKind) ? (record.ssoKind as SsoKind) : 'none';
    return { servicePrincipalId: record.servicePrincipalId, appId: record.appId ?? '', displayName: record.appDisplayName, ssoKind, roles: [] };
  }

  /**
   * One step of the expiry job. `end`: the compare-and-set granted → expired, with its audit row; a request that was
   * revoked (or ended otherwise) meanwhile stops the job. `remove`: the assignment and, when no Kerberos access is left, the
   * shadow account; roles another live grant of the same app still covers are kept. `report`: the audit row of the outcome
   * (written once, even if the step repeats) and the requester's message.
   */
  async expireStep(payload: ExpiryPayload): Promise<ExpiryStep> {
    const record = await this.deps.store.accessRequests.get(payload.requestId);
    if (!record) return { status: 'done', note: 'the request no longer exists' };
    switch (payload.phase) {
      case 'end': {
        if (record.state === 'granted') {
          if (record.expiresAt && record.expiresAt.getTime() > this.now().getTime()) {
            return { status: 'continue', payload, runAt: record.expiresAt, note: 'not due yet' };
          }
          const won = await this.deps.store.transaction(async (tx) => {
            // Only if it is still due: an extension that moved the end date since this step read it wins.
            const ok = await tx.accessRequests.endGrant(record.id, 'expired', undefined, this.now());
            if (ok) {
              await tx.audit.append({
                actor: EXPIRY_ACTOR,
                action: 'access.expire',
                target: recordTarget(record),
                outcome: 'started',
                detail: { request: record.id, app: record.appDisplayName, servicePrincipalId: record.servicePrincipalId, guestObjectId: record.guestObjectId, expiresAt: record.expiresAt?.toISOString() },
              });
            }
            return ok;
          });
          if (!won) {
            const now = await this.deps.store.accessRequests.get(record.id);
            if (now?.state === 'granted' && now.expiresAt) return { status: 'continue', payload, runAt: now.expiresAt, note: 'the end date moved' };
            if (now?.state !== 'expired') return { status: 'done', note: `the grant was ended otherwise (${now?.state ?? 'gone'})` };
          }
          await this.afterGrantEnded(record.id, 'expired');
        } else if (record.state !== 'expired') {
          return { status: 'done', note: `nothing to expire: the request is ${record.state}` };
        }
        // Expired, by this step or by this job's earlier attempt that stopped before its checkpoint.
        return { status: 'continue', payload: { requestId: record.id, phase: 'remove' } };
      }
      case 'remove': {
        if (record.state !== 'expired') return { status: 'done', note: `not removing: the request is ${record.state}` };
        const app = await this.appOf(record);
        // Only what this grant made: an assignment the partner held before it (directly, or through a group) stays.
        const plan = await this.planEnd(record.guestObjectId, [record], record.guestOnPremSynced);
        const removal = await this.withGroupsReleased(await this.deps.appAccess.removeAssignments(app, record.guestObjectId, plan), [record], { actor: EXPIRY_ACTOR });
        return { status: 'continue', payload: { requestId: record.id, phase: 'report', removal } };
      }
      case 'report': {
        const removal: RemoveResult = payload.removal ?? { removedAssignments: 0, keptThroughGroups: 0, shadow: 'notKerberos' };
        const target = recordTarget(record);
        const already = (await this.deps.store.audit.list({ target, action: 'access.expire', limit: 200 })).some(
          (e) => e.outcome === 'success' && e.detail?.request === record.id,
        );
        if (!already) {
          await this.deps.store.audit.append({
            actor: EXPIRY_ACTOR,
            action: 'access.expire',
            target,
            outcome: 'success',
            detail: {
              request: record.id,
              app: record.appDisplayName,
              servicePrincipalId: record.servicePrincipalId,
              guestObjectId: record.guestObjectId,
              removedAssignments: removal.removedAssignments,
              shadow: removal.shadow,
              ...(removal.adGroups ? { adGroups: removal.adGroups } : {}),
            },
          });
        }
        await this.refreshCards(record);
        try {
          const sent = await this.deps.notifier.sendToUser(record.requesterObjectId, this.deps.messages.ended(record, { how: 'expired' }, removal));
          return { status: 'done', ...(sent ? {} : { note: 'the requester could not be told: the bot is not installed for them' }) };
        } catch (error) {
          // Not retried: Teams may have delivered it, and the expiry itself is done and audited.
          return { status: 'done', note: `the requester could not be told: ${error instanceof Error ? error.message : String(error)}` };
        }
      }
    }
  }

  /** The expiry job gave up: the access may still be there. Audited, and the requester is asked to get an admin to act. */
  async expiryFailed(payload: ExpiryPayload, error: string): Promise<void> {
    const record = await this.deps.store.accessRequests.get(payload.requestId);
    if (!record) return;
    await this.deps.store.audit.append({
      actor: EXPIRY_ACTOR,
      action: 'access.expire',
      target: recordTarget(record),
      outcome: 'failed',
      detail: { request: record.id, app: record.appDisplayName, servicePrincipalId: record.servicePrincipalId, guestObjectId: record.guestObjectId, phase: payload.phase, message: error },
    });
    await this.deps.notifier.sendToUser(record.requesterObjectId, this.deps.messages.expiryFailed(record, error));
  }
}

/** The role's name as the app declares it; the default role (no app roles) reads as "Default access". */
export function roleName(app: ProxyApp, assignment: Pick<Assignment, 'appRoleId'>): string {
  if (assignment.appRoleId === DEFAULT_ACCESS_ROLE_ID) return 'Default access';
  return app.roles.find((r) => sameId(r.id, assignment.appRoleId))?.displayName ?? assignment.appRoleId;
}
