import { DEFAULT_ACCESS_ROLE_ID, type AppRole, type Assignment, type Owner, type ProxyApp } from '../graph/appProxy';
import type { EnsureOutcome, GuestIdentity, ShadowAccounts } from '../onprem/shadowAccounts';

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
  /**
   * What happened to the shadow account: only disabled when the guest has no Kerberos app access left. `notConfigured`: a
   * Kerberos app, but no on-prem directory is configured, so any shadow account was left as it was.
   */
  shadow: 'disabled' | 'alreadyDisabled' | 'missing' | 'keptForOtherKerberosApps' | 'notKerberos' | 'notConfigured';
}

export interface RemoveOptions {
  /**
   * Roles to leave in place: those another live grant of the same app still covers, so ending one grant never takes away
   * what a second one gave.
   */
  keepRoleIds?: readonly string[];
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

/** The on-prem apps published through application proxy, and who may use them. */
export class AppAccessService {
  constructor(
    private readonly directory: AppDirectory,
    /** On-prem AD for Kerberos apps; undefined when ONPREM_* is not configured. */
    readonly shadowAccounts?: ShadowAccounts,
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

  /**
   * Removes the guest's assignments to this app (except roles in `keepRoleIds`), then, for a Kerberos app, disables their
   * shadow account unless a Kerberos app (this one with a kept role, or another) still uses it. Safe to repeat.
   */
  async remove(app: ProxyApp, guestObjectId: string, options: RemoveOptions = {}): Promise<RemoveResult> {
    const keep = new Set((options.keepRoleIds ?? []).map((id) => id.toLowerCase()));
    const here = (await this.directory.listUserAssignments(guestObjectId)).filter((a) => sameId(a.resourceId, app.servicePrincipalId));
    // Graph lists the guest's groups' assignments too: deleting one of those would take the app from the whole group.
    const mine = here.filter((a) => sameId(a.principalId, guestObjectId) && !keep.has(a.appRoleId.toLowerCase()));
    const keptThroughGroups = here.filter((a) => !sameId(a.principalId, guestObjectId)).length;
    let removedAssignments = 0;
    for (const a of mine) if (await this.directory.unassign(app.servicePrincipalId, a.id)) removedAssignments += 1;
    if (app.ssoKind !== 'kerberos') return { removedAssignments, keptThroughGroups, shadow: 'notKerberos' };
    if (!this.shadowAccounts) return { removedAssignments, keptThroughGroups, shadow: 'notConfigured' };
    const remaining = (await this.listUserAppAccess(guestObjectId)).filter((x) => x.app.ssoKind === 'kerberos');
    if (remaining.length > 0) return { removedAssignments, keptThroughGroups, shadow: 'keptForOtherKerberosApps' };
    return { removedAssignments, keptThroughGroups, shadow: await this.shadowAccounts.disable(guestObjectId) };
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
