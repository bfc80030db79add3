import { startBot } from './app';
import { describeProblems, loadConfig } from './config';
import { createLogger } from './logger';

/** Runs the bot process. `npm start` uses bot/launcher.ts, which also starts the sandbox cloud and the playground. */
async function main(): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) {
    console.error(describeProblems(loaded.problems));
    process.exit(1);
  }
  const { config } = loaded;
  const log = createLogger(config.logLevel);
  const bot = await startBot(config, log);
  log.info({ mode: config.mode, url: `${bot.url}/api/messages`, store: bot.services.store.location }, 'Partner Access Bot is listening');
  if (config.mode === 'sandbox') {
    log.warn('SANDBOX MODE: activities are not authenticated and Graph is the local emulator. Listening on loopback only.');
  }
  if (config.testClock) log.warn('TEST JOB CLOCK: POST /test/clock moves the time every job reads. For tests only.');
  const stop = (): void => {
    bot.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'Partner Access Bot did not close cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('Partner Access Bot failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
