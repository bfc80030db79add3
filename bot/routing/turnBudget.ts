import { randomUUID } from 'node:crypto';
import type { AdaptiveCardInvokeResponse, Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { CommandReply } from '../commands/defineCommand';
import type { Logger } from '../logger';
import type { ConversationAddress, Notifier, OutgoingMessage, SentMessage } from '../services/ports';
import { failureCard } from './replies';

const CARD = 'application/vnd.microsoft.card.adaptive';

export interface TurnBudgetOptions {
  /** The first answer of a turn comes within this time: the result, or the "working…" card. */
  budgetMs: number;
  /**
   * Deferred work still running this long after the "working…" card is given up on: the card then says so, which keeps
   * the final answer well inside the ~15 s a person waits in Teams. Graph requests are bounded too (bot/graph/client.ts),
   * so this only catches work made of many slow requests.
   */
  deferredLimitMs: number;
}

export const DEFAULT_TURN_BUDGET: TurnBudgetOptions = { budgetMs: 2_000, deferredLimitMs: 12_000 };

/** How work that missed the budget ended: its value, its error, or still running at the deferred limit. */
export type DeferredOutcome<T> = { status: 'done'; value: T } | { status: 'failed'; error: unknown } | { status: 'overdue' };

export type FirstAnswer<T> = { inTime: true; value: T } | { inTime: false; outcome: Promise<DeferredOutcome<T>> };

/** What Teams shows while deferred work runs; the same message is replaced by the result. */
export function workingCard(): Attachment {
  return cards.notice({
    tone: 'info',
    title: 'Working on it…',
    text: 'Microsoft Entra ID is slow to answer right now. This card shows the result as soon as it is ready.',
  });
}

/** The final card of work that outlived the deferred limit. It may still complete, so the card does not say it failed. */
export function overdueCard(incidentId: string): Attachment {
  return cards.notice({
    tone: 'attention',
    title: 'This is taking too long',
    text: 'Microsoft Entra ID did not answer in time. What you asked for may still complete: check again in a minute before you repeat it.',
    reference: incidentId,
  });
}

function asOutgoing(reply: CommandReply): OutgoingMessage {
  return 'card' in reply ? { card: reply.card, text: reply.text } : { card: reply };
}

/** An invoke response as a message: the card itself, or a notice with the text Teams would have shown under the card. */
function invokeAsOutgoing(response: AdaptiveCardInvokeResponse): OutgoingMessage {
  if (response.type === CARD) return { card: { contentType: CARD, content: response.value } };
  const value: unknown = response.value;
  const text = typeof value === 'string' ? value : typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string' ? value.message : '';
  return { card: cards.notice({ tone: response.statusCode >= 400 ? 'warning' : 'info', title: text || 'Done' }) };
}

function invokeCard(card: Attachment): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: CARD, value: card.content as Record<string, unknown> };
}

/** What a turn needs to answer now and, if the work is late, to replace its first answer later without the turn. */
export interface BudgetedTurn {
  /** Where the conversation is, captured before the turn ends (a TurnContext is not usable after it). */
  reference: ConversationAddress;
  log: Logger;
}

export interface BudgetedMessageTurn extends BudgetedTurn {
  /** Sends within the turn; resolves to the new message's id (empty when the channel gave none). */
  send(message: { attachments: Attachment[]; text?: string }): Promise<string>;
}

export interface BudgetedInvokeTurn extends BudgetedTurn {
  /** The message that carries the clicked card (the invoke's replyToId); empty when unknown, then a new message is sent. */
  cardActivityId: string;
  /**
   * Automatic refreshes ask for one person's view of a shared card. A late view is dropped: updating the shared message
   * with it would show that view to everyone, and Teams asks again the next time the card is shown.
   */
  automatic: boolean;
}

/**
 * What a command has so far, for a message turn that runs past its budget: that message shows it instead of "Working on
 * it…", each later `show` replaces it in place, and the command's reply replaces the last. Within the budget only the reply
 * is sent, and what was shown before is never seen.
 */
export class InterimAnswer {
  private latest?: CommandReply;
  private listener?: (reply: CommandReply) => void;

  /** The command's answer so far; safe to call at any time, also after its reply (then it is ignored). */
  show(reply: CommandReply): void {
    this.latest = reply;
    this.listener?.(reply);
  }

  get current(): CommandReply | undefined {
    return this.latest;
  }

  /** From now on each `show` goes to `listener`, until `stop`. */
  follow(listener: (reply: CommandReply) => void): void {
    this.listener = listener;
  }

  stop(): void {
    this.listener = undefined;
  }
}

/**
 * Every turn answers within `budgetMs`. Work that is late goes on in the background: the turn answers with a "working…"
 * card (a message, or the invoke's replacement card), and when the work ends that very message is updated once, through
 * the notifier, with the result, a failure card, or the overdue card at `deferredLimitMs`. The work itself runs exactly
 * once: it is the same promise whether it answers in time or not.
 */
export class TurnBudget {
  private readonly options: TurnBudgetOptions;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly notifier: Notifier,
    options: Partial<TurnBudgetOptions> = {},
  ) {
    this.options = { ...DEFAULT_TURN_BUDGET, ...options };
  }

  /** Races the work against the budget; past it, `outcome` settles when the work does, or at the deferred limit. */
  async first<T>(work: Promise<T>): Promise<FirstAnswer<T>> {
    const settled = work.then(
      (value): DeferredOutcome<T> => ({ status: 'done', value }),
      (error: unknown): DeferredOutcome<T> => ({ status: 'failed', error }),
    );
    const inTime = await raceTimer(settled, this.options.budgetMs);
    if (inTime !== undefined) {
      if (inTime.status === 'failed') throw inTime.error;
      if (inTime.status === 'done') return { inTime: true, value: inTime.value };
    }
    const outcome = raceTimer(settled, this.options.deferredLimitMs).then((late): DeferredOutcome<T> => late ?? { status: 'overdue' });
    return { inTime: false, outcome };
  }

  /**
   * A message turn: the reply, or "working…" (or what `interim` has so far, updated as it has more) then the reply in its
   * place. Failures become the failure card.
   */
  async answerMessage(turn: BudgetedMessageTurn, work: Promise<CommandReply>, interim?: InterimAnswer): Promise<void> {
    let first: FirstAnswer<CommandReply>;
    try {
      first = await this.first(work);
    } catch (error) {
      await turn.send({ attachments: [this.failure(turn.log, error, 'message failed')] });
      return;
    }
    if (first.inTime) {
      const reply = first.value;
      await turn.send('card' in reply ? { attachments: [reply.card], text: reply.text } : { attachments: [reply] });
      return;
    }
    const sofar = interim?.current;
    turn.log.info({ budgetMs: this.options.budgetMs, interim: sofar !== undefined }, sofar ? 'answer deferred: sent what the command has so far' : 'answer deferred: sent "working…"');
    const shown: OutgoingMessage = sofar ? asOutgoing(sofar) : { card: workingCard() };
    const activityId = await turn.send({ attachments: [shown.card], ...(shown.text ? { text: shown.text } : {}) }).catch((error: unknown) => {
      turn.log.warn({ err: error }, 'could not send the first answer: the result goes out as a new message');
      return '';
    });
    const where = new MessageLocation({ reference: turn.reference, activityId });
    if (interim) this.followInterim(turn, where, interim, sofar);
    this.later(turn, where, first.outcome, asOutgoing, () => {
      interim?.stop();
      return where.settled();
    });
  }

  /**
   * Each answer the command shows while it works replaces the message, one update at a time, the latest winning; one shown
   * while the first answer was being sent goes out at once.
   */
  private followInterim(turn: BudgetedTurn, where: MessageLocation, interim: InterimAnswer, sent: CommandReply | undefined): void {
    const show = (reply: CommandReply): void => {
      where.replace(async (location) => {
        try {
          return await this.notifier.update(location, asOutgoing(reply));
        } catch (error) {
          turn.log.warn({ err: error }, 'could not update the answer so far; the final answer still replaces it');
          return location;
        }
      });
    };
    interim.follow(show);
    const meanwhile = interim.current;
    if (meanwhile && meanwhile !== sent) show(meanwhile);
  }

  /** A card action: its response, or a "working…" card as the response, replaced by the result once it is known. */
  async answerInvoke(turn: BudgetedInvokeTurn, work: Promise<AdaptiveCardInvokeResponse>): Promise<AdaptiveCardInvokeResponse> {
    let first: FirstAnswer<AdaptiveCardInvokeResponse>;
    try {
      first = await this.first(work);
    } catch (error) {
      return invokeCard(this.failure(turn.log, error, 'card action failed'));
    }
    if (first.inTime) return first.value;
    if (turn.automatic) {
      turn.log.info({ budgetMs: this.options.budgetMs }, 'automatic refresh late: the card stays as it is');
      this.track(first.outcome.then((outcome) => this.logLate(turn.log, outcome)));
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Still loading; this card refreshes the next time you open it.' as unknown as Record<string, unknown> };
    }
    turn.log.info({ budgetMs: this.options.budgetMs }, 'card action deferred: answered "working…"');
    this.later(turn, new MessageLocation({ reference: turn.reference, activityId: turn.cardActivityId }), first.outcome, invokeAsOutgoing);
    return invokeCard(workingCard());
  }

  /** Resolves when every deferred answer has been delivered (or given up); for shutdown and tests. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** The final answer replaces the message once `before` (the updates still on their way) has settled. */
  private later<T>(turn: BudgetedTurn, where: MessageLocation, outcome: Promise<DeferredOutcome<T>>, present: (value: T) => OutgoingMessage, before?: () => Promise<void>): void {
    this.track(
      outcome.then(async (ended) => {
        await before?.();
        const message = this.finalMessage(turn.log, ended, present);
        try {
          await this.notifier.update(where.sent, message);
          turn.log.info({ outcome: ended.status }, 'deferred answer delivered');
        } catch (error) {
          turn.log.error({ err: error, outcome: ended.status }, 'could not deliver the deferred answer');
        }
      }),
    );
  }

  private finalMessage<T>(log: Logger, ended: DeferredOutcome<T>, present: (value: T) => OutgoingMessage): OutgoingMessage {
    if (ended.status === 'done') return present(ended.value);
    if (ended.status === 'failed') return { card: this.failure(log, ended.error, 'deferred work failed') };
    const incident = randomUUID();
    log.warn({ incident, deferredLimitMs: this.options.deferredLimitMs }, 'deferred work overdue: told the user it may still complete');
    return { card: overdueCard(incident) };
  }

  private logLate<T>(log: Logger, outcome: DeferredOutcome<T>): void {
    if (outcome.status === 'failed') log.warn({ err: outcome.error }, 'late automatic refresh failed');
  }

  private failure(log: Logger, error: unknown, what: string): Attachment {
    const incident = randomUUID();
    log.error({ err: error, incident }, what);
    return failureCard(error, incident);
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/**
 * Where a deferred answer is now: the notifier may send an update as a new message (no activity id, or the update failed),
 * so each update's result is where the next one goes. Updates run one after another; one still waiting when a newer
 * comes is skipped, since only the newest matters.
 */
class MessageLocation {
  private current: SentMessage;
  private chain: Promise<void> = Promise.resolve();
  private newest = 0;

  constructor(first: SentMessage) {
    this.current = first;
  }

  get sent(): SentMessage {
    return this.current;
  }

  replace(update: (sent: SentMessage) => Promise<SentMessage>): void {
    const mine = ++this.newest;
    this.chain = this.chain.then(async () => {
      if (mine !== this.newest) return;
      this.current = await update(this.current);
    });
  }

  /** Resolves when the updates already asked for are done. */
  settled(): Promise<void> {
    return this.chain;
  }
}

/** The promise's value if it settles within `ms`, else undefined; the timer never outlives the race. */
async function raceTimer<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
