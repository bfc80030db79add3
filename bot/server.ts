import type { CloudAdapter } from 'botbuilder';
import type { ActivityHandler } from 'botbuilder';
import * as restify from 'restify';
import { z } from 'zod';
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

/**
 * The least an activity must be for CloudAdapter to handle it. Without a string type botbuilder's own validator throws
 * outside the adapter's error handling, and the caller gets a 500 carrying botbuilder's internal message. Without a
 * serviceUrl botbuilder skips the check that the token's serviceurl claim names the activity's, so a token issued for one
 * service would carry an activity meant for any other.
 */
const inboundActivity = z.looseObject({ type: z.string().min(1), serviceUrl: z.string().min(1) });

/** The one channel this bot serves: its identity and tenant checks read fields that only Teams vouches for. */
const TEAMS_CHANNEL = 'msteams';

const NOT_AN_ACTIVITY = { error: 'The request body is not a Bot Framework activity.' };

/** What the caller learns about a failure of ours: that it happened, not botbuilder's message for it. */
const INTERNAL_ERROR = { error: 'The bot could not handle this activity.' };

/** What CloudAdapter.process wrote, held back until we know whether it may reach the caller as is. */
interface HeldResponse {
  status: number;
  body: unknown;
  headers: [string, string][];
}

function holdResponse(): { response: Pick<restify.Response, 'status' | 'send' | 'end' | 'header'>; held: HeldResponse } {
  const held: HeldResponse = { status: 200, body: undefined, headers: [] };
  const response = {
    status(code: number) {
      held.status = code;
      return code;
    },
    send(body?: unknown) {
      held.body = body;
    },
    end() {},
    header(name: string, value: string) {
      held.headers.push([name, value]);
    },
  };
  return { response: response as unknown as Pick<restify.Response, 'status' | 'send' | 'end' | 'header'>, held };
}

/**
 * Runs one inbound request through CloudAdapter, and answers what it cannot classify itself. A body that is not a JSON
 * activity is a 400 without botbuilder's internals. A failure before the bot's logic started is a refused authentication:
 * botbuilder 4.23 answers only its own AuthenticationError with 401, and lets jsonwebtoken's errors (a forged alg, a bad
 * signature, a token not yet valid) through as 500. Either way nothing ran, and the caller learns no more than
 * "unauthorized". An authenticated activity from another Bot Framework channel (Web Chat, Direct Line) is refused with 403
 * before the bot sees it: there the client writes `from.aadObjectId` and the tenant itself, and no channel vouches for them.
 */
async function processInbound(
  { adapter, bot, log }: Pick<ServerDeps, 'adapter' | 'bot' | 'log'>,
  req: restify.Request,
  res: restify.Response,
): Promise<void> {
  if (req.getContentType() !== 'application/json' || !inboundActivity.safeParse(req.body).success) {
    res.send(400, NOT_AN_ACTIVITY);
    return;
  }
  let authenticated = false;
  let otherChannel: string | undefined;
  const { response, held } = holdResponse();
  try {
    await adapter.process(req, response as unknown as restify.Response, async (context) => {
      authenticated = true;
      if (context.activity.channelId !== TEAMS_CHANNEL) {
        otherChannel = String(context.activity.channelId);
        return;
      }
      await bot.run(context);
    });
  } catch (error) {
    if (authenticated) throw error;
    held.status = 500;
    held.body = error instanceof Error ? error.message : String(error);
  }
  if (!authenticated && (held.status === 401 || held.status >= 500)) {
    log.warn({ status: held.status, reason: held.body }, 'inbound activity refused: authentication failed');
    res.send(401, { error: 'Unauthorized' });
    return;
  }
  if (otherChannel !== undefined) {
    log.warn({ channelId: otherChannel }, 'inbound activity refused: not from Microsoft Teams');
    res.send(403, { error: 'This bot serves Microsoft Teams only.' });
    return;
  }
  if (held.status >= 500) {
    log.error({ status: held.status, reason: held.body }, 'inbound activity failed');
    res.send(held.status, INTERNAL_ERROR);
    return;
  }
  for (const [name, value] of held.headers) res.header(name, value);
  if (held.body === undefined) res.send(held.status);
  else res.send(held.status, held.body);
}

/**
 * A body restify could not read (not JSON, or over the size limit) is answered by restify before any route. The parser's
 * own message ("Invalid JSON: Unexpected token …") is an internal detail; the status is all the caller needs.
 */
function withoutParserDetail(_req: restify.Request, _res: restify.Response, error: Error & { statusCode?: number }, next: () => void): void {
  if (error.name === 'InvalidContentError') Object.assign(error, { toJSON: () => NOT_AN_ACTIVITY });
  else if (error.name === 'PayloadTooLargeError') Object.assign(error, { toJSON: () => ({ error: 'The request body is too large.' }) });
  next();
}

/** restify only: the Bot Framework endpoint and the probes. Authentication of activities is CloudAdapter's job. */
export function createServer({ adapter, bot, readiness, log, routes = [] }: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'partner-access-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ mapParams: false, maxBodySize: 1024 * 1024 }));
  server.on('restifyError', withoutParserDetail);

  server.post('/api/messages', async (req, res) => {
    await processInbound({ adapter, bot, log }, req, res);
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
