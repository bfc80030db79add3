/** Roles a caller can hold, from membership of the configured Entra groups. Everyone else in the tenant has none. */
export type Role = 'admin' | 'manager';

/**
 * Who may reach a command or card action at the router, named for who holds it. Declared on each command and action and
 * checked once, in the routers; what a caller may do to one particular record (an app they own, a request they made) is a
 * capability in capabilities.ts, checked by the handler's service or presenter.
 * - everyone: anyone in our tenant. Commands whose right depends on the record (revoke by an app's owner, an approval by
 *   an app's owner) are open at the router and decided by a capability.
 * - partnerManagers: partner managers and admins.
 * - admins: admins only.
 */
export type Permission = 'everyone' | 'partnerManagers' | 'admins';

const ALLOWED: Record<Permission, (roles: readonly Role[]) => boolean> = {
  everyone: () => true,
  partnerManagers: (roles) => roles.includes('admin') || roles.includes('manager'),
  admins: (roles) => roles.includes('admin'),
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
    case 'everyone':
      return 'anyone in the organization';
    case 'partnerManagers':
      return 'partner managers and admins';
    case 'admins':
      return 'admins';
  }
}
