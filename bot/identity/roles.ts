import type { Role } from './policy';

/** The one Graph question role resolution asks: which of these groups is the user in, transitively. */
export interface GroupMembershipReader {
  checkMemberGroups(userObjectId: string, groupIds: string[]): Promise<string[]>;
}

interface CacheEntry {
  expiresAt: number;
  roles: Promise<Role[]>;
}

/**
 * Resolves roles with one Graph call per caller, cached for a short TTL so a revoked admin loses the role within minutes.
 * Concurrent turns for the same caller share one in-flight call. Failures are not cached.
 */
export class RoleResolver {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly directory: GroupMembershipReader,
    private readonly groups: { adminGroupId: string; managerGroupId: string },
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  rolesOf(userObjectId: string): Promise<Role[]> {
    const key = userObjectId.toLowerCase();
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.roles;
    const roles = this.lookup(key);
    this.cache.set(key, { expiresAt: this.now() + this.ttlMs, roles });
    roles.catch(() => {
      if (this.cache.get(key)?.roles === roles) this.cache.delete(key);
    });
    this.evictExpired();
    return roles;
  }

  forget(userObjectId: string): void {
    this.cache.delete(userObjectId.toLowerCase());
  }

  private async lookup(userObjectId: string): Promise<Role[]> {
    const { adminGroupId, managerGroupId } = this.groups;
    const memberOf = new Set((await this.directory.checkMemberGroups(userObjectId, [adminGroupId, managerGroupId])).map((id) => id.toLowerCase()));
    const roles: Role[] = [];
    if (memberOf.has(adminGroupId.toLowerCase())) roles.push('admin');
    if (memberOf.has(managerGroupId.toLowerCase())) roles.push('manager');
    return roles;
  }

  private evictExpired(): void {
    if (this.cache.size < 1000) return;
    const now = this.now();
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
  }
}
