import { ActivityHandler, CardFactory, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import * as restify from 'restify';

/**
 * The yardstick for bench/run.ts: the least a botbuilder + restify bot can do per message. It is started as the real bot is
 * in sandbox mode (CloudAdapter with anonymous authentication, the same body parser, loopback only) and answers every
 * message with a small Adaptive Card, so the difference to the real bot is what the real bot adds.
 */

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const card = CardFactory.adaptiveCard({
        type: 'AdaptiveCard',
        $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
        version: '1.5',
        body: [
          { type: 'TextBlock', text: 'Echo', weight: 'bolder', size: 'medium', wrap: true },
          { type: 'TextBlock', text: context.activity.text ?? '', wrap: true },
        ],
      });
      await context.sendActivity({ attachments: [card] });
      await next();
    });
  }
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? '3979');
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const bot = new EchoBot();
  const server = restify.createServer({ name: 'bench-echo-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'alive' });
  });
  server.get('/readyz', async (_req, res) => {
    res.send(200, { status: 'ready', checks: [] });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error('echo bot failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
