import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningSandbox } from '../../../sandbox/server';
import { cardOf, cardText, executeActions, inputDefaults, startBotOn, type TestBot, type TestUser } from '../../helpers/bot';
import { startTestSandbox } from '../../helpers/sandbox';

const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };

/** The bot's one answer to a message: its text and its card. */
async function answer(bot: TestBot, text: string): Promise<{ text: string; card: Record<string, unknown> | undefined }> {
  const [call] = await bot.say(MANAGER, text);
  return { text: String(call?.activity.text ?? ''), card: cardOf(call) };
}

/**
 * A conversation is state in the store, not in the process: the bot is stopped between the question and its answer, a
 * new process on the same data directory takes the answer, and the request reaches the approvers through the command
 * path's own form and Send. The sentence goes through the real grammar.
 */
describe('a conversation across a restart of the bot', () => {
  let sandbox: RunningSandbox;
  let dataDir: string;
  let bot: TestBot | undefined;

  beforeAll(async () => {
    sandbox = await startTestSandbox();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-dialog-restart-'));
  });

  afterAll(async () => {
    await bot?.close();
    await sandbox?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks one question before the restart and finishes the request after it', async () => {
    bot = await startBotOn(sandbox, { DATA_DIR: dataDir });
    const question = await answer(bot, 'give alice@fabrikam.com access to the wiki for 2 weeks');
    expect(cardText(question.card)).toMatch(/Why does Alice Smith \(Fabrikam\) need Contoso Wiki \(header-based\)\?/);
    await bot.close();

    bot = await startBotOn(sandbox, { DATA_DIR: dataDir });
    const form = await answer(bot, 'She writes the Fabrikam partner handbook');
    expect(form.text).toMatch(/14 days from today/);
    const text = cardText(form.card);
    expect(text).toMatch(/Request access to Contoso Wiki \(header-based\)[\s\S]*Alice Smith[\s\S]*She writes the Fabrikam partner handbook/);
    const send = executeActions(form.card).find((b) => b.title === 'Send request');
    expect(send?.verb).toBe('access.submit');
    const sent = await bot.click(MANAGER, 'access.submit', { ...inputDefaults(form.card), ...send?.data });
    expect(cardText(sent.value)).toMatch(/Waiting for approval[\s\S]*14 days/);

    // The conversation ended with the form: the next message is a new one.
    expect(cardText((await answer(bot, 'cancel')).card)).toMatch(/There is nothing to cancel/);
  });
});
