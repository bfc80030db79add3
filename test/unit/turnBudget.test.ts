import type { AdaptiveCardInvokeResponse, Attachment } from 'botbuilder';
import { createLogger } from '../../bot/logger';
import { DirectoryUnavailableError } from '../../bot/graph/errors';
import { InterimAnswer, TurnBudget, type BudgetedInvokeTurn, type BudgetedMessageTurn } from '../../bot/routing/turnBudget';
import { cards } from '../../cards';
import { cardText } from '../helpers/bot';
import { InMemoryNotifier } from '../helpers/testServices';

const log = createLogger('silent');
const reference = { conversation: { id: 'a:personal-1' } };

function messageTurn(): BudgetedMessageTurn & { sent: { attachments: Attachment[]; text?: string }[] } {
  const sent: { attachments: Attachment[]; text?: string }[] = [];
  return {
    reference,
    log,
    sent,
    async send(message) {
      sent.push(message);
      return `reply-${sent.length}`;
    },
  };
}

function invokeTurn(automatic = false): BudgetedInvokeTurn {
  return { reference, log, cardActivityId: 'card-1', automatic };
}

/** A promise the test settles by hand, so "late" means late whatever the machine's load. */
function manual<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const textOf = (attachment: Attachment | { content?: unknown } | undefined) => cardText(attachment?.content);
const result = cards.notice({ tone: 'good', title: 'The result' });

describe('TurnBudget', () => {
  it('answers with the result when it is ready within the budget, and updates nothing', async () => {
    const notifier = new InMemoryNotifier();
    const budget = new TurnBudget(notifier, { budgetMs: 1_000 });
    const turn = messageTurn();
    await budget.answerMessage(turn, Promise.resolve(result));
    await budget.idle();
    expect(turn.sent.map((m) => textOf(m.attachments[0]))).toEqual([expect.stringContaining('The result')]);
    expect(notifier.updates).toEqual([]);
  });

  it('past the budget sends "working…" at once, then replaces that very message with the result, once', async () => {
    const notifier = new InMemoryNotifier();
    const budget = new TurnBudget(notifier, { budgetMs: 20, deferredLimitMs: 60_000 });
    const turn = messageTurn();
    const work = manual<Attachment>();
    await budget.answerMessage(turn, work.promise);
    expect(turn.sent).toHaveLength(1);
    expect(textOf(turn.sent[0]?.attachments[0])).toContain('Working on it');
    expect(notifier.updates).toEqual([]);

    work.resolve(result);
    await budget.idle();
    expect(notifier.updates.map((u) => [u.activityId, cardText(u.message.card.content)])).toEqual([['reply-1', expect.stringContaining('The result')]]);
    expect(turn.sent).toHaveLength(1);
  });

  it('a late failure replaces "working…" with the failure card that says what failed', async () => {
    const notifier = new InMemoryNotifier();
    const budget = new TurnBudget(notifier, { budgetMs: 20 });
    const turn = messageTurn();
    const work = manual<Attachment>();
    await budget.answerMessage(turn, work.promise);
    work.reject(new DirectoryUnavailableError('Reading your roles failed: Graph answered 503', 503, undefined));
    await budget.idle();
    expect(notifier.updates).toHaveLength(1);
    expect(cardText(notifier.updates[0]?.message.card.content)).toContain('Microsoft Entra ID is not answering right now');
  });

  it('work still running at the deferred limit ends with one card saying it may still complete, and nothing after', async () => {
    const notifier = new InMemoryNotifier();
    const budget = new TurnBudget(notifier, { budgetMs: 10, deferredLimitMs: 50 });
    const turn = messageTurn();
    const work = manual<Attachment>();
    await budget.answerMessage(turn, work.promise);
    await budget.idle();
    expect(notifier.updates).toHaveLength(1);
    expect(cardText(notifier.updates[0]?.message.card.content)).toContain('may still complete');

    work.resolve(result);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await budget.idle();
    expect(notifier.updates).toHaveLength(1);
  });

  it('a failure within the budget is answered with the failure card in the turn', async () => {
    const notifier = new InMemoryNotifier();
    const budget = new TurnBudget(notifier, { budgetMs: 1_000 });
    const turn = messageTurn();
    await budget.answerMessage(turn, Promise.reject(new Error('boom')));
    expect(textOf(turn.sent[0]?.attachments[0])).toContain('Something went wrong on my side');
    expect(textOf(turn.sent[0]?.attachments[0])).not.toContain('boom');
  });

  it('a late card click answers "working…" as its card, then updates the clicked message with the response card', async () => {
    const notifier = new InMemoryNotifier();
    const budget = new TurnBudget(notifier, { budgetMs: 20 });
    const work = manual<AdaptiveCardInvokeResponse>();
    const first = await budget.answerInvoke(invokeTurn(), work.promise);
    expect(first.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(first.value)).toContain('Working on it');

    work.resolve({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.content as Record<string, unknown> });
    await budget.idle();
    expect(notifier.updates.map((u) => [u.activityId, cardText(u.message.card.content)])).toEqual([['card-1', expect.stringContaining('The result')]]);
  });

  it('a late message response to a click becomes a notice card in place of "working…"', async () => {
    const notifier = new InMemoryNotifier();
    const budget = new TurnBudget(notifier, { budgetMs: 20 });
    const work = manual<AdaptiveCardInvokeResponse>();
    await budget.answerInvoke(invokeTurn(), work.promise);
    work.resolve({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'This request was already decided.' as unknown as Record<string, unknown> });
    await budget.idle();
    expect(cardText(notifier.updates[0]?.message.card.content)).toContain('This request was already decided.');
  });

  it('a late automatic refresh leaves the shared card alone: no "working…" card and no update', async () => {
    const notifier = new InMemoryNotifier();
    const budget = new TurnBudget(notifier, { budgetMs: 20 });
    const work = manual<AdaptiveCardInvokeResponse>();
    const first = await budget.answerInvoke(invokeTurn(true), work.promise);
    expect(first.type).toBe('application/vnd.microsoft.activity.message');
    work.resolve({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.content as Record<string, unknown> });
    await budget.idle();
    expect(notifier.updates).toEqual([]);
  });

  describe('with an answer so far (InterimAnswer)', () => {
    const sofar = (n: number) => cards.notice({ tone: 'info', title: `So far ${n}` });

    it('within the budget sends only the result: what was shown before is never seen', async () => {
      const notifier = new InMemoryNotifier();
      const budget = new TurnBudget(notifier, { budgetMs: 1_000 });
      const turn = messageTurn();
      const interim = new InterimAnswer();
      interim.show(sofar(1));
      await budget.answerMessage(turn, Promise.resolve(result), interim);
      interim.show(sofar(2));
      await budget.idle();
      expect(turn.sent.map((m) => textOf(m.attachments[0]))).toEqual([expect.stringContaining('The result')]);
      expect(notifier.updates).toEqual([]);
    });

    it('past the budget sends what it has instead of "working…", updates that message with each later answer, and ends on the result', async () => {
      const notifier = new InMemoryNotifier();
      const budget = new TurnBudget(notifier, { budgetMs: 20, deferredLimitMs: 60_000 });
      const turn = messageTurn();
      const interim = new InterimAnswer();
      const work = manual<Attachment>();
      interim.show(sofar(1));
      await budget.answerMessage(turn, work.promise, interim);
      expect(turn.sent.map((m) => textOf(m.attachments[0]))).toEqual([expect.stringContaining('So far 1')]);

      interim.show(sofar(2));
      work.resolve(result);
      await budget.idle();
      interim.show(sofar(3));
      await budget.idle();
      expect(notifier.updates.map((u) => [u.activityId, cardText(u.message.card.content)])).toEqual([
        ['reply-1', expect.stringContaining('So far 2')],
        ['reply-1', expect.stringContaining('The result')],
      ]);
      expect(turn.sent).toHaveLength(1);
    });

    it('an answer shown while the first was being sent is not lost: it updates the message at once', async () => {
      const notifier = new InMemoryNotifier();
      const budget = new TurnBudget(notifier, { budgetMs: 20, deferredLimitMs: 60_000 });
      const interim = new InterimAnswer();
      const turn = messageTurn();
      const send = turn.send.bind(turn);
      turn.send = async (message) => {
        interim.show(sofar(2));
        return send(message);
      };
      const work = manual<Attachment>();
      interim.show(sofar(1));
      await budget.answerMessage(turn, work.promise, interim);
      work.resolve(result);
      await budget.idle();
      expect(turn.sent.map((m) => textOf(m.attachments[0]))).toEqual([expect.stringContaining('So far 1')]);
      expect(notifier.updates.map((u) => cardText(u.message.card.content))).toEqual([expect.stringContaining('So far 2'), expect.stringContaining('The result')]);
    });

    it('an update that cannot be made is logged and skipped; the result still replaces the message', async () => {
      const notifier = new InMemoryNotifier();
      const update = jest.spyOn(notifier, 'update').mockRejectedValueOnce(new Error('Teams answered 502'));
      const budget = new TurnBudget(notifier, { budgetMs: 20, deferredLimitMs: 60_000 });
      const turn = messageTurn();
      const interim = new InterimAnswer();
      const work = manual<Attachment>();
      await budget.answerMessage(turn, work.promise, interim);
      expect(textOf(turn.sent[0]?.attachments[0])).toContain('Working on it');
      interim.show(sofar(1));
      await new Promise((resolve) => setImmediate(resolve));
      work.resolve(result);
      await budget.idle();
      expect(update).toHaveBeenCalledTimes(2);
      expect(cardText(update.mock.calls[1]?.[1].card.content)).toContain('The result');
    });
  });
});
