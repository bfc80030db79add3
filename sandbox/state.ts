import type {
  ExternalDomain,
  Fixture,
  FixtureApplication,
  FixtureAppRoleAssignment,
  FixtureDomain,
  FixtureGroup,
  FixtureServicePrincipal,
  FixtureUser,
  InvitationPolicy,
} from './fixture';
import { GUID_PATTERN } from './fixture';

export type SandboxUser = FixtureUser;
export type SandboxGroup = FixtureGroup;
export type SandboxDomain = FixtureDomain;
export type DirectoryObject = { kind: 'user'; value: SandboxUser } | { kind: 'group'; value: SandboxGroup };

/** Where a tenant id or domain name in a login URL leads. */
export type TenantResolution =
  | { kind: 'own'; tenantId: string }
  | { kind: 'external'; tenantId: string; domain?: string };

const lower = (s: string): string => s.toLowerCase();

/**
 * The live directory. Everything is keyed by lower-case id so lookups behave like Entra's case-insensitive ones; the
 * objects themselves keep the fixture's spelling.
 */
export class SandboxState {
  readonly tenant: { id: string; displayName: string; hasPremiumLicense: boolean; countryLetterCode?: string };
  readonly domains: SandboxDomain[];
  readonly roles: Fixture['roles'];
  readonly users = new Map<string, SandboxUser>();
  readonly groups = new Map<string, SandboxGroup>();
  readonly applications = new Map<string, FixtureApplication>();
  readonly servicePrincipals = new Map<string, FixtureServicePrincipal>();
  readonly appRoleAssignments: FixtureAppRoleAssignment[];
  readonly external: Record<string, ExternalDomain>;
  readonly invitationPolicy: InvitationPolicy | undefined;
  readonly invitationPolicyReadable: boolean;
  /** The tenant's Conditional Access policies, as Graph serves them. */
  readonly conditionalAccessPolicies: Record<string, unknown>[];
  /** The sign-in log as signIn resources, with createdDateTime fixed at start-up from each entry's minutesAgo. */
  readonly signIns: Record<string, unknown>[];
  /** What the token endpoint puts in `roles`; replaced at run time through setGrantedPermissions. */
  grantedPermissions: ReadonlySet<string>;

  constructor(fixture: Fixture) {
    const copy = structuredClone(fixture);
    const { domains, ...tenant } = copy.tenant;
    this.tenant = tenant;
    this.domains = domains;
    this.roles = copy.roles;
    const initial = domains.find((d) => d.isInitial)?.id ?? domains[0]?.id ?? 'onmicrosoft.com';
    for (const u of copy.users) {
      if (!u.identities) {
        u.identities = [{ signInType: 'userPrincipalName', issuer: initial, issuerAssignedId: u.userPrincipalName }];
      }
      this.users.set(lower(u.id), u);
    }
    for (const g of copy.groups) this.groups.set(lower(g.id), g);
    for (const a of copy.applications) this.applications.set(lower(a.id), a);
    for (const sp of copy.servicePrincipals) this.servicePrincipals.set(lower(sp.id), sp);
    this.appRoleAssignments = copy.appRoleAssignments;
    this.external = Object.fromEntries(Object.entries(copy.external).map(([k, v]) => [lower(k), v]));
    this.invitationPolicy = copy.invitationPolicy;
    this.invitationPolicyReadable = copy.invitationPolicyReadable;
    this.conditionalAccessPolicies = copy.conditionalAccessPolicies;
    const started = Date.now();
    this.signIns = copy.signIns.map((s) => {
      const user = this.users.get(lower(s.userId));
      return {
        id: s.id,
        createdDateTime: new Date(started - s.minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        userId: s.userId,
        userDisplayName: user?.displayName ?? null,
        userPrincipalName: user?.userPrincipalName ?? null,
        appId: s.appId,
        appDisplayName: s.appDisplayName ?? null,
        clientAppUsed: 'Browser',
        conditionalAccessStatus: s.errorCode === 53003 ? 'failure' : 'notApplied',
        isInteractive: true,
        status: { errorCode: s.errorCode, failureReason: s.failureReason ?? (s.errorCode === 0 ? null : 'Other.'), additionalDetails: null },
      };
    });
    this.grantedPermissions = new Set(copy.grantedPermissions);
  }

  /**
   * Replication lag (SANDBOX_REPLICATION_LAG_MS): an object created at run time is invisible to reads, filters and
   * references for this many milliseconds, as a new guest is on Graph until its creation has replicated. 0 turns it off.
   */
  replicationLagMs = 0;
  private readonly createdAt = new Map<string, number>();

  /** Adds a user created at run time (POST /invitations): with a replication lag, reads miss it for a while. */
  addUser(user: SandboxUser): void {
    this.users.set(lower(user.id), user);
    this.createdAt.set(lower(user.id), Date.now());
  }

  /** Whether reads see this object yet: fixture objects always, run-time ones once the replication lag has passed. */
  replicated(id: string): boolean {
    const created = this.createdAt.get(lower(id));
    return created === undefined || Date.now() - created >= this.replicationLagMs;
  }

  /** The users a read or a filter sees: all of them, except those created less than the replication lag ago. */
  visibleUsers(): SandboxUser[] {
    return [...this.users.values()].filter((u) => this.replicated(u.id));
  }

  get initialDomain(): string {
    return this.domains.find((d) => d.isInitial)?.id ?? '';
  }

  /** By object id, or by userPrincipalName (case-insensitive), as /users/{id | userPrincipalName} resolves. */
  findUser(idOrUpn: string): SandboxUser | undefined {
    const key = lower(idOrUpn);
    const user = GUID_PATTERN.test(idOrUpn) ? this.users.get(key) : [...this.users.values()].find((u) => lower(u.userPrincipalName) === key);
    return user && this.replicated(user.id) ? user : undefined;
  }

  findGroup(id: string): SandboxGroup | undefined {
    return this.groups.get(lower(id));
  }

  findObject(id: string): DirectoryObject | undefined {
    const user = this.users.get(lower(id));
    if (user) return this.replicated(user.id) ? { kind: 'user', value: user } : undefined;
    const group = this.groups.get(lower(id));
    return group ? { kind: 'group', value: group } : undefined;
  }

  findDomain(name: string): SandboxDomain | undefined {
    return this.domains.find((d) => lower(d.id) === lower(name));
  }

  /** Groups that list the object directly. */
  directMemberOf(objectId: string): SandboxGroup[] {
    const key = lower(objectId);
    return [...this.groups.values()].filter((g) => g.members.some((m) => lower(m) === key));
  }

  /**
   * The app role assignments a user "has" as Graph lists them under /users/{id}/appRoleAssignments: their own, and those of
   * the groups they are a direct member of (not nested ones), as user-list-approleassignments documents.
   */
  appRoleAssignmentsOf(userId: string): FixtureAppRoleAssignment[] {
    const principals = new Set([lower(userId), ...this.directMemberOf(userId).map((g) => lower(g.id))]);
    return this.appRoleAssignments.filter((a) => principals.has(lower(a.principalId)));
  }

  /** Every group the object belongs to through any chain of nested groups; cycles are harmless. */
  transitiveMemberOf(objectId: string): SandboxGroup[] {
    const found = new Map<string, SandboxGroup>();
    const queue = [objectId];
    while (queue.length > 0) {
      const next = queue.shift();
      if (next === undefined) break;
      for (const g of this.directMemberOf(next)) {
        if (found.has(lower(g.id))) continue;
        found.set(lower(g.id), g);
        queue.push(g.id);
      }
    }
    return [...found.values()];
  }

  directMembers(groupId: string): DirectoryObject[] {
    const group = this.findGroup(groupId);
    if (!group) return [];
    return group.members.map((m) => this.findObject(m)).filter((o): o is DirectoryObject => o !== undefined);
  }

  /** Members at any depth, each once, groups included (as Graph's transitiveMembers lists them). */
  transitiveMembers(groupId: string): DirectoryObject[] {
    const found = new Map<string, DirectoryObject>();
    const queue = [groupId];
    const visited = new Set<string>([lower(groupId)]);
    while (queue.length > 0) {
      const next = queue.shift();
      if (next === undefined) break;
      for (const member of this.directMembers(next)) {
        const key = lower(member.value.id);
        if (!found.has(key) && key !== lower(groupId)) found.set(key, member);
        if (member.kind === 'group' && !visited.has(key)) {
          visited.add(key);
          queue.push(member.value.id);
        }
      }
    }
    return [...found.values()];
  }

  sponsorsOf(user: SandboxUser): DirectoryObject[] {
    return (user.sponsors ?? []).map((id) => this.findObject(id)).filter((o): o is DirectoryObject => o !== undefined);
  }

  /**
   * Resolves the `{tenant}` segment of a login URL: our tenant id, one of our domains, an external domain that belongs to an
   * Entra tenant, or such a tenant's id.
   */
  resolveTenant(idOrDomain: string): TenantResolution | undefined {
    const key = lower(idOrDomain);
    if (key === lower(this.tenant.id) || this.findDomain(key)) return { kind: 'own', tenantId: this.tenant.id };
    const byDomain = this.external[key];
    if (byDomain?.tenantId) return { kind: 'external', tenantId: byDomain.tenantId, domain: key };
    for (const [domain, entry] of Object.entries(this.external)) {
      if (entry.tenantId && lower(entry.tenantId) === key) return { kind: 'external', tenantId: entry.tenantId, domain };
    }
    return undefined;
  }
}
