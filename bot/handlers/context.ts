import type { Caller } from '../identity/caller';
import type { Logger } from '../logger';
import type { Services } from '../services';
import type { UserZone } from '../services/timeSpan';

/**
 * What every handler, command or card action, gets for one turn. It lives below both commands/ and actions/ so that neither
 * imports the other for the contract they share.
 */
export interface HandlerContext {
  caller: Caller;
  services: Services;
  log: Logger;
  /**
   * The person's time zone and locale, as this turn's activity gave them (`userZone` in services/timeSpan): dates they type
   * (Extend, shorten) are read in it and shown back in it. Absent (UTC, en-US) where no activity said.
   */
  zone?: UserZone;
  /**
   * Set only when the router runs a destructive handler after its confirmation was consumed: which one, and the choices the
   * person made among those the card offered (validated as a subset). A handler whose destructiveness depends on the target
   * (resend: only an accepted guest is reset) must refuse the destructive path when this is absent.
   */
  confirmed?: Confirmed;
}

/** A consumed confirmation, as the router hands it to the handler it confirmed. */
export interface Confirmed {
  id: string;
  /** By input id: the values the person picked, each one among those the issuing step offered. Empty when none offered. */
  choices: Readonly<Record<string, readonly string[]>>;
  /** By input id: the free text typed on an own-card confirmation (its `notes`, such as a reason), trimmed; absent when empty. */
  notes?: Readonly<Record<string, string>>;
}

/**
 * What a command or card action does to the world beyond the caller's own chat, declared on each so that the router can
 * ask for a confirmation before a destructive one (issue 9) and the docs can say it.
 * - none: reads, or writes only the caller's own drafts, caches and the audit log; nobody else notices.
 * - reversible: changes what others see or hold (an invitation, a request to approvers, a grant, a cancelled run), and a
 *   later action can undo it (revoke the grant, delete the guest, ask again).
 * - destructive: takes something away that the bot cannot put back as it was: removes access, disables a shadow account,
 *   resets a guest's redemption so their next sign-in may land on another identity.
 */
export type SideEffect = 'none' | 'reversible' | 'destructive';
