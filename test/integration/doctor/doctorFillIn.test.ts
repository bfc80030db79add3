import type { RunningSandbox } from '../../../sandbox/server';
import { validateAdaptiveCard } from '../../helpers/adaptiveCardSchema';
import { cardOf, cardText, startBotOn, waitFor, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };

/** Short, so that a slow read passes it for sure; the rows' reads are what is slowed, by far more. */
const TURN_BUDGET_MS = 1_000;
const SLOW_READ_MS = 4_000;

/**
 * Issue 13: the doctor answers within the turn budget with the checks that are done, and fills in the rest in place as they
 * finish. The slow read is the Conditional Access policies (in the doctor's signals `$batch`); whois is not slowed.
 */
describe('doctor fills its card in place when a read is slow', () => {
  let sandbox: RunningSandbox;
  let bot: TestBot;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    bot = await startBotOn(sandbox, { TURN_BUDGET_MS: String(TURN_BUDGET_MS) });
    await bot.say(MANAGER, 'help');
  });

  afterAll(async () => {
    sandbox?.setFaults([]);
    await bot?.close();
    await sandbox?.close();
  });

  it('answers with the account rows read and the slow ones "Checking…", then replaces that message with the whole report', async () => {
    sandbox.setFaults([{ target: 'graph', pathPattern: 'conditionalAccess', latencyMs: SLOW_READ_MS }]);
    const started = Date.now();
    const [first] = await bot.say(MANAGER, 'doctor erik@lakeshore-consulting.net');
    const firstMs = Date.now() - started;
    const firstCard = cardOf(first);
    expect(validateAdaptiveCard(firstCard)).toEqual([]);
    const firstText = cardText(firstCard);
    expect(firstMs).toBeLessThan(SLOW_READ_MS);
    expect(firstText).not.toContain('Working on it');
    expect(firstText).toContain('Fine: Account');
    expect(firstText).toMatch(/Checking…: Conditional Access\nChecking…/);
    expect(firstText).toContain('Verdict: still checking');
    expect(firstText).toMatch(/Still checking \d+ of \d+ links/);

    const update = await waitFor('the report to replace the first answer', () => {
      const updates = bot.connector.calls.filter((c) => c.method === 'PUT' && c.activityId === first?.id);
      const last = updates.at(-1);
      return last && !cardText(cardOf(last)).includes('Checking…') ? last : undefined;
    });
    const finalCard = cardOf(update);
    expect(validateAdaptiveCard(finalCard)).toEqual([]);
    const finalText = cardText(finalCard);
    expect(finalText).toContain('Blocks access: Conditional Access');
    expect(finalText).toContain('Verdict: blocked');
    // Nothing else was sent: the first answer was replaced in place.
    expect(bot.connector.calls.filter((c) => c.method === 'POST' && c.at >= started)).toHaveLength(1);
  });

  it('within the budget answers once with the whole report, and updates nothing', async () => {
    sandbox.setFaults([]);
    const started = Date.now();
    const [reply] = await bot.say(MANAGER, 'doctor erik@lakeshore-consulting.net');
    const text = cardText(cardOf(reply));
    expect(text).not.toContain('Checking…');
    expect(text).toContain('Verdict: blocked');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bot.connector.calls.filter((c) => c.method === 'PUT' && c.at >= started)).toEqual([]);
  });
});
