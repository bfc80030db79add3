import type { CloudAdapter } from 'botbuilder';
import type { ActivityHandler } from 'botbuilder';
import * as restify from 'restify';
import type { Logger } from './logger';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface ServerDeps {
  adapter: CloudAdapter;
  bot: ActivityHandler;
  readiness: ReadinessCheck[];
  log: Logger;
  /** Feature routes beside the Bot Framework endpoint, such as signed download links. */
  routes?: ((server: restify.Server) => void)[];
}

const READINESS_TIMEOUT_MS = 5000;

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** restify only: the Bot Framework endpoint and the probes. Authentication of activities is CloudAdapter's job. */
export function createServer({ adapter, bot, readiness, log, routes = [] }: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'partner-access-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));

  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'alive' });
  });

  server.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      readiness.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), READINESS_TIMEOUT_MS);
          return { name, ok: true as const };
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          log.warn({ check: name, reason }, 'readiness check failed');
          return { name, ok: false as const, reason };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    res.send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: results });
  });

  for (const register of routes) register(server);

  return server;
}
