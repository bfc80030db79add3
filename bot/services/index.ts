import type { RoleResolver } from '../identity/roles';
import type { Store } from '../store';

/** Everything commands and actions may call. Built once in the composition root; replaced by in-memory doubles in tests. */
export interface Services {
  roles: RoleResolver;
  store: Store;
}
