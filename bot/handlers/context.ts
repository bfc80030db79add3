import type { Caller } from '../identity/caller';
import type { Logger } from '../logger';
import type { Services } from '../services';

/**
 * What every handler, command or card action, gets for one turn. It lives below both commands/ and actions/ so that neither
 * imports the other for the contract they share.
 */
export interface HandlerContext {
  caller: Caller;
  services: Services;
  log: Logger;
}
