import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConversationReference } from 'botbuilder';
import { BotConnectorNotifier } from '../../bot/notify/notifier';
import { ConversationPacer, TEAMS_CONVERSATION_LIMITS, type RateLimit } from '../../bot/notify/pacing';
import { createLogger } from '../../bot/logger';
import { openStore, type Store } from '../../bot/store';
import type { OutgoingMessage } from '../../bot/services/ports';
import { ConnectorStandIn, TEAMS_THREAD_LIMITS } from '../helpers/connector';

/**
 * Suite 5 of issue 17, "Teams pacing". The burst of 100 runs on Teams' limits with time compressed tenfold (7 per 100 ms,
 * 8 per 200 ms, 60 per 3 s), on both sides, so it takes seconds rather than the ~45 s the 60-per-30-s limit imposes on 100
 * real sends; a smaller burst then runs on the real limits and the process-wide pacer.
 */
const COMPRESSED: RateLimit[] = TEAMS_CONVERSATION_LIMITS.map((limit) => ({ count: limit.count, windowMs: limit.windowMs / 10 }));

const notice = (n: number): OutgoingMessage => ({
  card: { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: `notice ${n}` }] } },
  text: `notice ${n}`,
});

const checks: { name: string; ok: boolean }[] = [];
const figures: string[] = [];
function check(name: string, ok: boolean): void {
  checks.push({ name, ok });
}

/** Every check of this test is recorded (for the summary line) before any failure is reported. */
function expectAllPassed(since: number): void {
  expect(checks.slice(since).filter((c) => !c.ok).map((c) => c.name)).toEqual([]);
}

/** The notice numbers the connector received, in arrival order. */
function delivered(connector: ConnectorStandIn): number[] {
  return connector.calls.map((call) => Number(/notice (\d+)/.exec(String(call.activity.text))?.[1]));
}

describe('Teams pacing', () => {
  let connector: ConnectorStandIn;
  let store: Store;
  let dir: string;
  let adapter: CloudAdapter;

  const reference = (conversationId: string): Partial<ConversationReference> => ({
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    conversation: { id: conversationId, conversationType: 'personal', isGroup: false, name: '' },
    bot: { id: '28:bot', name: 'bot' },
    user: { id: `29:${conversationId}`, name: 'user' },
  });

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-pacing-'));
    store = await openStore({ dataDir: dir });
    adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  });

  afterEach(async () => {
    await connector.stop();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  afterAll(() => {
    const passed = checks.filter((c) => c.ok).length;
    console.log([`teams pacing: ${passed} passed, ${checks.length - passed} failed`, ...figures].join('\n'));
  });

  it('a burst of 100 notices to one conversation stays within the limits, honours a 429, and loses or doubles nothing', async () => {
    const since = checks.length;
    connector = await new ConnectorStandIn({ rateLimits: COMPRESSED }).start();
    const pacer = new ConversationPacer({ limits: COMPRESSED, marginMs: 10 });
    const notifier = new BotConnectorNotifier(adapter, '', store.conversations, createLogger('silent'), { pacer, baseDelayMs: 20 });
    const retryAfterSeconds = 0.3;
    // Mid-burst, Teams throttles the conversation anyway (its limits are not only ours to count).
    void connector.waitForCalls(30, 30_000).then(() => connector.failNext({ status: 429, retryAfter: String(retryAfterSeconds) }));

    const started = Date.now();
    const sent = await Promise.all(Array.from({ length: 100 }, (_, n) => notifier.sendToConversation(reference('burst'), notice(n))));
    const elapsed = Date.now() - started;

    const numbers = delivered(connector);
    const perWindow = COMPRESSED.map((limit) => ({ limit, most: connector.maxInWindow('burst', limit.windowMs) }));
    const throttled = connector.refused.filter((r) => r.status === 429);
    const firstAfter = connector.calls.find((call) => call.at >= (throttled[0]?.at ?? Infinity));
    figures.push(
      `burst (time x10): sends ${connector.calls.length}, max per (compressed) second ${perWindow[0]?.most}, ` +
        `429s ${throttled.length}, waited after 429 ${(firstAfter?.at ?? 0) - (throttled[0]?.at ?? 0)} ms, elapsed ${elapsed} ms`,
    );

    check('every notice delivered once', numbers.length === 100 && new Set(numbers).size === 100);
    check('every send got its own activity id', new Set(sent.map((s) => s.activityId)).size === 100);
    for (const { limit, most } of perWindow) check(`at most ${limit.count} per ${limit.windowMs} ms (saw ${most})`, most <= limit.count);
    check('only the injected 429, none earned by pacing', throttled.length === 1 && connector.refused.length === 1);
    check(
      `nothing sent to the conversation for Retry-After (${retryAfterSeconds} s) after the 429`,
      firstAfter !== undefined && firstAfter.at - (throttled[0]?.at ?? 0) >= retryAfterSeconds * 1000 - 10,
    );
    expectAllPassed(since);
  }, 30_000);

  it('on the real limits, two notifiers of one process share the pacing: never more than 7 per second or 8 per 2 s', async () => {
    const since = checks.length;
    connector = await new ConnectorStandIn({ rateLimits: TEAMS_THREAD_LIMITS }).start();
    // No pacer given: both use the process-wide one, as the app's notifier and any other sender would.
    const first = new BotConnectorNotifier(adapter, '', store.conversations, createLogger('silent'));
    const second = new BotConnectorNotifier(adapter, '', store.conversations, createLogger('silent'));

    const started = Date.now();
    await Promise.all(Array.from({ length: 16 }, (_, n) => (n % 2 ? first : second).sendToConversation(reference('real'), notice(n))));
    const elapsed = Date.now() - started;

    const numbers = delivered(connector);
    const perSecond = connector.maxInWindow('real', 1_000);
    const perTwoSeconds = connector.maxInWindow('real', 2_000);
    figures.push(`real limits: sends ${connector.calls.length}, max per second ${perSecond}, max per 2 s ${perTwoSeconds}, elapsed ${elapsed} ms`);

    check('every notice delivered once', numbers.length === 16 && new Set(numbers).size === 16);
    check(`at most 7 per second (saw ${perSecond})`, perSecond <= 7);
    check(`at most 8 per 2 s (saw ${perTwoSeconds})`, perTwoSeconds <= 8);
    check(`no 429 earned (saw ${connector.refused.length})`, connector.refused.length === 0);
    expectAllPassed(since);
  }, 30_000);
});
