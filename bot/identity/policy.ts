/** Roles a caller can hold, from membership of the configured Entra groups. Everyone else in the tenant has none. */
export type Role = 'admin' | 'manager';

/**
 * What a command or card action needs. Declared on each command and action and checked once, in the routers.
 * - lookup: read-only directory lookups; anyone in our tenant.
 * - partnerManagement: invite partners and request access for them; partner managers and admins.
 * - admin: approve, revoke, bulk and configuration; admins only.
 */
export type Permission = 'lookup' | 'partnerManagement' | 'admin';

const ALLOWED: Record<Permission, (roles: readonly Role[]) => boolean> = {
  lookup: () => true,
  partnerManagement: (roles) => roles.includes('admin') || roles.includes('manager'),
  admin: (roles) => roles.includes('admin'),
};

export function isAllowed(roles: readonly Role[], permission: Permission): boolean {
  return ALLOWED[permission](roles);
}

export function describeRoles(roles: readonly Role[]): string {
  if (roles.includes('admin') && roles.includes('manager')) return 'Admin and partner manager';
  if (roles.includes('admin')) return 'Admin';
  if (roles.includes('manager')) return 'Partner manager';
  return 'Member (read-only lookups)';
}

export function describePermission(permission: Permission): string {
  switch (permission) {
    case 'lookup':
      return 'anyone in the organization';
    case 'partnerManagement':
      return 'partner managers and admins';
    case 'admin':
      return 'admins';
  }
}
