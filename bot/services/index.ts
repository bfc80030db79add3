import type { RoleResolver } from '../identity/roles';
import type { Jobs } from '../jobs';
import type { Notifier } from '../notify/notifier';
import type { Store } from '../store';

/** Everything commands, actions and jobs may call. Built once in the composition root; replaced by in-memory doubles in tests. */
export interface Services {
  roles: RoleResolver;
  store: Store;
  jobs: Jobs;
  notifier: Notifier;
}
