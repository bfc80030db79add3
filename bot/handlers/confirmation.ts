import { randomUUID } from 'node:crypto';
import type { HandlerContext } from './context';

/** How long a confirmation card may be answered. Long enough to read it, short enough that the facts shown still hold. */
export const CONFIRMATION_TTL_MS = 15 * 60_000;

/** What the confirmation card says: the consequence in plain words, and what the Confirm button is labelled. */
export interface ConfirmQuestion {
  /** A question naming the step, e.g. "Reset Alice's redemption?". */
  title: string;
  /** What will happen, in words the person can weigh: "Alice will have to accept a new invitation before she can sign in again." */
  consequence: string;
  /** The Confirm button: the verb of what happens, e.g. "Reset redemption". */
  confirmLabel: string;
  /** Optional facts shown under the consequence (who, which account). */
  facts?: readonly { title: string; value: string }[];
}

/**
 * A destructive definition's answer when the router asks what the call would do:
 * - a ConfirmQuestion: ask it; the handler runs only after Confirm, with the arguments stored now;
 * - `{ refuse }`: tell the caller why not, run nothing (the target does not exist, the caller may not);
 * - `{ notDestructive }`: this call, on this target, takes nothing away (resending to a pending guest renews a link), so it
 *   runs at once, without `context.confirmed`. The handler must then refuse the destructive path itself, because the target
 *   may have changed between this answer and the run.
 */
export type ConfirmDecision = ConfirmQuestion | { refuse: string } | { notDestructive: string };

/**
 * Describes the consequence of one call with its parsed arguments. Reads only; it must not write. Written as a method so
 * that, like `run`, any definition's is assignable to the registry's `unknown`-typed one: the router passes it exactly what
 * that definition's own schema parsed.
 */
export type DescribeConsequence<Args> = { describe(context: HandlerContext, args: Args): Promise<ConfirmDecision> }['describe'];

/**
 * A destructive card action whose own card is the confirmation (revoke's card lists each assignment with a toggle). The
 * step that shows that card (a non-destructive one, such as revoke.prepare) calls `issueConfirmation` and puts the id in the
 * Action.Execute data as `confirmationId`; the router refuses the action without one. See `issueConfirmation`.
 */
export interface ConfirmedOnItsOwnCard {
  onItsOwnCard: true;
  /**
   * Free-text inputs on that card (a reason) that the handler may read from the click as `context.confirmed.notes`: words
   * for the audit log and the people told, never what is changed, so they are not part of the stored payload.
   */
  notes?: readonly string[];
}

/** How a destructive command or action is confirmed. Required on every destructive definition; a registry test checks it. */
export type ConfirmStep<Args> = DescribeConsequence<Args> | ConfirmedOnItsOwnCard;

/** The Action.Execute data field that carries a confirmation id, on the confirmation card and on an own-card confirmation. */
export const CONFIRMATION_ID_FIELD = 'confirmationId';

export interface IssueConfirmation {
  /** The destructive card action that will consume it, e.g. `revoke.confirm`. */
  verb: string;
  /**
   * The exact data the action will run with: parsed again with the action's `data` schema at the click, and passed to its
   * `run` instead of whatever the clicked card sends. Put here everything the card shows as fact (the app, the partner).
   */
  payload: unknown;
  /**
   * What the card lets the person choose, by input id (an `Input.ChoiceSet` with `isMultiSelect`, or one `Input.Toggle`
   * per value with the id `<input id>:<value>` and `valueOn` "true"). At the click, the router keeps only values offered
   * here and refuses the click if the card sent any other; the handler reads them as `context.confirmed.choices[inputId]`.
   */
  choices?: Record<string, readonly string[]>;
  /** One line for the audit log: what is being confirmed, e.g. "revoke Expenses for ana@fabrikam.com". */
  summary: string;
}

/**
 * For a step that shows a card which itself is the confirmation of a destructive action (`confirm: { onItsOwnCard: true }`):
 * stores a one-time confirmation for `verb` with `payload`, tied to the caller and valid for CONFIRMATION_TTL_MS, and returns
 * its id to embed in the card as `data.confirmationId`. At the click the router consumes it once (compare-and-set, audited),
 * checks it is the same caller and the same verb, validates the choices, then runs the action with the stored payload and
 * `context.confirmed`. A second click is told it was already done. Issuing writes only this pending row.
 */
export async function issueConfirmation(context: HandlerContext, input: IssueConfirmation, now = new Date()): Promise<string> {
  const id = randomUUID();
  await context.services.store.confirmations.create({
    id,
    callerId: context.caller.aadObjectId,
    kind: 'action',
    verb: input.verb,
    payload: input.payload,
    choices: input.choices,
    summary: input.summary,
    expiresAt: new Date(now.getTime() + CONFIRMATION_TTL_MS),
    now,
  });
  return id;
}
