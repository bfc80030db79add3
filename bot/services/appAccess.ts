import { DEFAULT_ACCESS_ROLE_ID, type AppRole, type Assignment, type Owner, type ProxyApp } from '../graph/appProxy';
import type { EnsureOutcome, GuestIdentity, ShadowAccounts } from '../onprem/shadowAccounts';
import type { AdGroupGrants } from './access/adGroups';
import type { HeldAssignment } from '../store';
import { sameObjectId } from '../identity/objectId';

export type { AppRole, ProxyApp, SsoKind } from '../graph/appProxy';

/** The Graph side of app access; GraphAppProxy in production, an in-memory double in command tests. */
export interface AppDirectory {
  listApps(): Promise<ProxyApp[]>;
  getApp(servicePrincipalId: string): Promise<ProxyApp | undefined>;
  listOwners(servicePrincipalId: string): Promise<Owner[]>;
  listUserAssignments(userObjectId: string): Promise<Assignment[]>;
  assign(servicePrincipalId: string, principalId: string, appRoleId: string): Promise<{ assignment: Assignment; alreadyExisted: boolean }>;
  /** True when this call removed it; false when it was already gone. */
  unassign(servicePrincipalId: string, assignmentId: string): Promise<boolean>;
}

export interface GrantResult {
  assignment: Assignment;
  alreadyAssigned: boolean;
  /** The shadow account, for Kerberos apps. */
  shadow?: EnsureOutcome;
}

export interface RemoveResult {
  removedAssignments: number;
  /** Assignments of the app to groups the guest is in: the guest keeps that access, and the bot never changes groups. */
  keptThroughGroups: number;
  /** The guest's own assignments of the app that were not the bot's to remove and nobody chose to remove: they stay. */
  keptDirect?: number;
  /**
   * What happened to the shadow account: only disabled when the bot created or re-enabled it, no other live grant of the
   * bot uses it, and the guest has no Kerberos app access left.
   * - `keptForOtherGrant`: another live grant of the bot uses it (that grant now ends it);
   * - `notTheBots`: it was already enabled before the bot's grant, so it is left as it was;
   * - `ownAccount`: a synced partner's own AD account, which the bot never changes;
   * - `notConfigured`: a Kerberos app, but no on-prem directory is configured, so any shadow account was left as it was.
   */
  shadow:
    | 'disabled'
    | 'alreadyDisabled'
    | 'missing'
    | 'keptForOtherKerberosApps'
    | 'keptForOtherGrant'
    | 'notTheBots'
    | 'ownAccount'
    | 'notKerberos'
    | 'notConfigured';
  /** The AD groups the ended grants had put the account in: taken out, or kept because another live grant needs them. */
  adGroups?: { removed: string[]; keptForOtherGrant: string[] };
}

export const REMOVE_SHADOW_RESULTS = [
  'disabled',
  'alreadyDisabled',
  'missing',
  'keptForOtherKerberosApps',
  'keptForOtherGrant',
  'notTheBots',
  'ownAccount',
  'notKerberos',
  'notConfigured',
] as const satisfies readonly RemoveResult['shadow'][];

/** Exactly what ending access removes: the assignments named (nothing else), and what may happen to the shadow account. */
export interface RemovalPlan {
  /** The bot's own assignments, and any the person revoking chose; every other assignment stays. */
  assignmentIds: readonly string[];
  /**
   * - `owned`: the bot created or re-enabled the shadow account, and no other live grant uses it: disable it unless the
   *   guest still has Kerberos access;
   * - `notOwned`: it was enabled before the bot; `usedByOtherGrant`: another live grant needs it;
   * - `ownAccount`: a synced partner, whose own AD account serves Kerberos and is never touched.
   */
  shadow: 'owned' | 'notOwned' | 'usedByOtherGrant' | 'ownAccount';
}

export interface GrantOptions {
  /**
   * The partner's account is synced from on-prem AD (a locally managed partner): Kerberos delegation uses that account, so
   * no shadow account is made, and none would be allowed (AD keeps UPNs unique).
   */
  ownOnPremAccount?: boolean;
}

/** Something that stops a grant for a reason a person can act on. */
export class AppAccessRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppAccessRefused';
  }
}

/** One App Proxy assignment a user holds, for the whois card's on-prem access section. */
export interface UserAppAccess {
  app: ProxyApp;
  assignmentId: string;
  role: AppRole | undefined;
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** An assignment as the grant records it: the guest's own (direct), or one of a group they are in. */
export function heldAssignment(a: Assignment, guestObjectId: string): HeldAssignment {
  const viaGroup = !sameObjectId(a.principalId, guestObjectId);
  return {
    id: a.id,
    appRoleId: a.appRoleId.toLowerCase(),
    via: viaGroup ? 'group' : 'direct',
    ...(viaGroup && a.principalDisplayName ? { groupName: a.principalDisplayName } : {}),
    ...(a.createdDateTime ? { createdDateTime: a.createdDateTime } : {}),
  };
}

/** The on-prem apps published through application proxy, and who may use them. */
export class AppAccessService {
  constructor(
    private readonly directory: AppDirectory,
    /** On-prem AD for Kerberos apps; undefined when ONPREM_* is not configured. */
    readonly shadowAccounts?: ShadowAccounts,
    /** The AD groups Kerberos app roles map to (ONPREM_APP_ROLE_GROUPS); undefined when none are configured. */
    readonly adGroups?: AdGroupGrants,
  ) {}

  /** Why access to this app cannot be granted here, or undefined when it can. */
  grantBlocker(app: ProxyApp): string | undefined {
    if (app.publishingUnreadable) return app.publishingUnreadable;
    if (app.ssoKind === 'kerberos' && !this.shadowAccounts) {
      return `${app.displayName} signs users in with Kerberos (KCD), which needs a shadow account in on-prem AD, and no on-prem directory is configured for this bot (ONPREM_LDAP_URL and related settings). Ask an admin to configure it.`;
    }
    return undefined;
  }

  listApps(): Promise<ProxyApp[]> {
    return this.directory.listApps();
  }

  /** The role to assign: the chosen one (which must be one of the app's), the only one, or the default role when none. */
  roleFor(app: ProxyApp, appRoleId: string | undefined): string {
    if (appRoleId !== undefined) {
      const role = app.roles.find((r) => r.id.toLowerCase() === appRoleId.toLowerCase());
      if (!role && !(app.roles.length === 0 && appRoleId === DEFAULT_ACCESS_ROLE_ID)) throw new AppAccessRefused(`${app.displayName} has no role ${appRoleId}.`);
      return role?.id ?? DEFAULT_ACCESS_ROLE_ID;
    }
    if (app.roles.length === 0) return DEFAULT_ACCESS_ROLE_ID;
    const only = app.roles.length === 1 ? app.roles[0] : undefined;
    if (!only) throw new AppAccessRefused(`${app.displayName} has ${app.roles.length} roles; choose one.`);
    return only.id;
  }

  /**
   * Grants the guest access: for a Kerberos app, first makes sure their shadow account exists and is enabled, then assigns
   * the role. Each part is safe to repeat (the account is found by its link; Graph's "already exists" counts as done).
   */
  async grant(app: ProxyApp, guest: GuestIdentity, appRoleId?: string, options: GrantOptions = {}): Promise<GrantResult> {
    const needsShadow = app.ssoKind === 'kerberos' && options.ownOnPremAccount !== true;
    const blocker = app.publishingUnreadable ?? (needsShadow ? this.grantBlocker(app) : undefined);
    if (blocker) throw new AppAccessRefused(blocker);
    const role = this.roleFor(app, appRoleId);
    const shadow = needsShadow ? await this.shadowAccounts?.ensure(guest) : undefined;
    const { assignment, alreadyExisted } = await this.directory.assign(app.servicePrincipalId, guest.objectId, role);
    return { assignment, alreadyAssigned: alreadyExisted, ...(shadow ? { shadow } : {}) };
  }

  /** The guest's assignments of this app (their own and their groups'), each with where it comes from. */
  async heldOn(servicePrincipalId: string, guestObjectId: string, appRoleId?: string): Promise<HeldAssignment[]> {
    const here = (await this.directory.listUserAssignments(guestObjectId)).filter(
      (a) => sameId(a.resourceId, servicePrincipalId) && (appRoleId === undefined || sameId(a.appRoleId, appRoleId)),
    );
    return here.map((a) => heldAssignment(a, guestObjectId));
  }

  /**
   * Removes exactly the assignments the plan names (of those the guest still holds here), then, for a Kerberos app,
   * disables the shadow account only when the plan says it is the bot's and no Kerberos app still uses it. Safe to repeat.
   */
  async removeAssignments(app: ProxyApp, guestObjectId: string, plan: RemovalPlan): Promise<RemoveResult> {
    // Assignment ids are case-sensitive (base64url): compared exactly.
    const wanted = new Set(plan.assignmentIds);
    const here = (await this.directory.listUserAssignments(guestObjectId)).filter((a) => sameId(a.resourceId, app.servicePrincipalId));
    // Graph lists the guest's groups' assignments too: deleting one of those would take the app from the whole group.
    const own = here.filter((a) => sameObjectId(a.principalId, guestObjectId));
    const keptThroughGroups = here.length - own.length;
    let removedAssignments = 0;
    for (const a of own) if (wanted.has(a.id) && (await this.directory.unassign(app.servicePrincipalId, a.id))) removedAssignments += 1;
    const keptDirect = own.filter((a) => !wanted.has(a.id)).length;
    const done = (shadow: RemoveResult['shadow']): RemoveResult => ({ removedAssignments, keptThroughGroups, keptDirect, shadow });
    if (app.ssoKind !== 'kerberos') return done('notKerberos');
    if (plan.shadow === 'ownAccount') return done('ownAccount');
    if (!this.shadowAccounts) return done('notConfigured');
    if (plan.shadow === 'usedByOtherGrant') return done('keptForOtherGrant');
    if (plan.shadow === 'notOwned') return done('notTheBots');
    const remaining = (await this.listUserAppAccess(guestObjectId)).filter((x) => x.app.ssoKind === 'kerberos');
    if (remaining.length > 0) return done('keptForOtherKerberosApps');
    return done(await this.shadowAccounts.disable(guestObjectId));
  }

  /** A user's App Proxy assignments (other apps are left out), each with its app and role. */
  async listUserAppAccess(userObjectId: string): Promise<UserAppAccess[]> {
    const [assignments, apps] = await Promise.all([this.directory.listUserAssignments(userObjectId), this.directory.listApps()]);
    const byId = new Map(apps.map((a) => [a.servicePrincipalId.toLowerCase(), a]));
    return assignments.flatMap((assignment) => {
      const app = byId.get(assignment.resourceId.toLowerCase());
      if (!app) return [];
      return [{ app, assignmentId: assignment.id, role: app.roles.find((r) => r.id.toLowerCase() === assignment.appRoleId.toLowerCase()) }];
    });
  }
}
