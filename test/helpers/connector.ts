import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to the Bot Connector: a new message, a reply, or an update of an earlier message. */
export interface ConnectorCall {
  method: string;
  conversationId: string;
  /** The activity id in the path: the message replied to (POST) or updated (PUT). */
  activityId?: string;
  activity: Record<string, unknown>;
  /** The id the stand-in gave this message (POST) or the updated id (PUT); empty when configured to return none. */
  id: string;
  /** When it arrived (ms since the epoch), for rate checks. */
  at: number;
}

/** A request the stand-in refused; it was not delivered, so `calls` does not hold it. */
export interface RefusedCall {
  method: string;
  conversationId: string;
  activityId?: string;
  status: number;
  retryAfter?: string;
  at: number;
}

/** A failure to inject: answers the next `times` matching requests with `status` instead of delivering them. */
export interface InjectedFailure {
  status: number;
  /** Only requests with this method (POST sends, PUT updates); any when absent. */
  method?: 'POST' | 'PUT';
  conversationId?: string;
  /** How many matching requests fail; 1 when absent. */
  times?: number;
  /** Sent as the Retry-After header (seconds, fractional allowed). */
  retryAfter?: string;
}

export interface RateLimit {
  count: number;
  windowMs: number;
}

/**
 * Teams' per-bot, per-conversation limits (Microsoft Learn, "Optimize your bot with rate limiting in Teams",
 * https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/rate-limit, "Per bot per thread limit": send
 * 7 per 1 s, 8 per 2 s, 60 per 30 s, 1800 per 3600 s); past them Teams answers 429 Too Many Requests.
 */
export const TEAMS_THREAD_LIMITS: readonly RateLimit[] = [
  { count: 7, windowMs: 1_000 },
  { count: 8, windowMs: 2_000 },
  { count: 60, windowMs: 30_000 },
  { count: 1_800, windowMs: 3_600_000 },
];

/**
 * The bot message limit is about 100 KB, over which Teams answers 413 MessageSizeTooBig (Microsoft Learn, "Format your
 * bot messages", https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/format-your-bot-messages). 28 KB is
 * the incoming-webhook limit, not the bot's.
 */
export const TEAMS_MESSAGE_LIMIT_BYTES = 100 * 1024;

export interface ConnectorOptions {
  /** Per-conversation rate limits answered with 429 + Retry-After; Teams' own by default, `false` for none. */
  rateLimits?: readonly RateLimit[] | false;
  /** False answers POSTs with `{}`, as some channels (the playground) do: the bot gets no activity id. */
  returnIds?: boolean;
  /** Over this many bytes of request body, 413. */
  maxMessageBytes?: number;
}

/**
 * A small Bot Connector stand-in at the activity's serviceUrl. It records what the bot sends, answers like the real
 * connector ({ id }), and lets a test wait for a number of calls instead of sleeping. It fails the way Teams does, each
 * configurable per test: 429 with Retry-After past the per-conversation limits, injected 412/502/504 (not delivered, so
 * a retry must not double-post), 413 for a message over 100 KB, and 403/404 once the app is removed for a conversation.
 */
export class ConnectorStandIn {
  readonly calls: ConnectorCall[] = [];
  readonly refused: RefusedCall[] = [];
  rateLimits: readonly RateLimit[] | false;
  returnIds: boolean;
  maxMessageBytes: number;
  private server?: http.Server;
  private waiters: { count: number; resolve: () => void }[] = [];
  private nextId = 1;
  private failures: (InjectedFailure & { left: number })[] = [];
  private readonly removedFrom = new Map<string, 403 | 404>();
  /** Delivered requests per conversation, for the rate limits. */
  private readonly accepted = new Map<string, number[]>();

  constructor(options: ConnectorOptions = {}) {
    this.rateLimits = options.rateLimits ?? TEAMS_THREAD_LIMITS;
    this.returnIds = options.returnIds ?? true;
    this.maxMessageBytes = options.maxMessageBytes ?? TEAMS_MESSAGE_LIMIT_BYTES;
  }

  get serviceUrl(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('connector stand-in is not started');
    return `http://127.0.0.1:${address.port}/`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** The next matching requests fail with the given status and are not delivered. */
  failNext(failure: InjectedFailure): void {
    this.failures.push({ ...failure, left: failure.times ?? 1 });
  }

  /** As when the user uninstalls the app: every later request to this conversation gets `status` (403 or 404). */
  removeApp(conversationId: string, status: 403 | 404 = 403): void {
    this.removedFrom.set(conversationId, status);
  }

  private handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]*))?/.exec(req.url ?? '');
    // restify patches http.ServerResponse in this process, and its writeHead does not return `this`: no chaining.
    if (!match || (req.method !== 'POST' && req.method !== 'PUT')) {
      res.writeHead(404);
      res.end();
      return;
    }
    const method = req.method;
    const conversationId = decodeURIComponent(match[1] ?? '');
    const activityId = match[2] ? decodeURIComponent(match[2]) : undefined;
    const now = Date.now();
    const refuse = (status: number, code: string, retryAfter?: string): void => {
      this.refused.push({ method, conversationId, activityId, status, retryAfter, at: now });
      res.writeHead(status, { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) });
      res.end(JSON.stringify({ error: { code, message: `stand-in refused with ${status}` } }));
    };

    const removed = this.removedFrom.get(conversationId);
    if (removed) return refuse(removed, removed === 403 ? 'BotNotInConversationRoster' : 'ConversationNotFound');
    // An update needs the id of the message it replaces; Teams has nothing at /activities/ with an empty id.
    if (method === 'PUT' && !activityId) return refuse(404, 'ActivityNotFound');
    if (body.length > this.maxMessageBytes) return refuse(413, 'MessageSizeTooBig');
    const failure = this.failures.find(
      (f) => f.left > 0 && (!f.method || f.method === method) && (!f.conversationId || f.conversationId === conversationId),
    );
    if (failure) {
      failure.left -= 1;
      this.failures = this.failures.filter((f) => f.left > 0);
      return refuse(failure.status, failure.status === 429 ? 'Throttled' : 'ServiceError', failure.retryAfter);
    }
    const waitMs = this.rateLimitWait(conversationId, now);
    if (waitMs > 0) return refuse(429, 'Throttled', (waitMs / 1000).toFixed(3));

    const activity: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
    const id = method === 'PUT' && activityId ? activityId : `msg-${this.nextId++}`;
    this.accepted.set(conversationId, [...(this.accepted.get(conversationId) ?? []), now]);
    this.calls.push({ method, conversationId, activityId, activity: activity as Record<string, unknown>, id: this.returnIds ? id : '', at: now });
    res.writeHead(method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(this.returnIds ? { id } : {}));
    this.waiters = this.waiters.filter((w) => {
      if (this.calls.length >= w.count) w.resolve();
      return this.calls.length < w.count;
    });
  }

  /** Milliseconds until one more request to this conversation is within every limit; 0 when it is now. */
  private rateLimitWait(conversationId: string, now: number): number {
    if (!this.rateLimits) return 0;
    const times = this.accepted.get(conversationId) ?? [];
    let wait = 0;
    for (const limit of this.rateLimits) {
      const inWindow = times.filter((t) => t > now - limit.windowMs);
      const oldest = inWindow[inWindow.length - limit.count];
      if (inWindow.length >= limit.count && oldest !== undefined) wait = Math.max(wait, oldest + limit.windowMs - now);
    }
    return wait;
  }

  /** Resolves when at least `count` calls have arrived in total; fails after `timeoutMs`. */
  waitForCalls(count: number, timeoutMs = 10_000): Promise<ConnectorCall[]> {
    if (this.calls.length >= count) return Promise.resolve(this.calls);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`expected ${count} connector calls, got ${this.calls.length}`)), timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.calls);
        },
      });
    });
  }

  /** The most calls that arrived for one conversation within any `windowMs`. */
  maxInWindow(conversationId: string, windowMs: number): number {
    const times = this.calls.filter((c) => c.conversationId === conversationId).map((c) => c.at);
    let most = 0;
    let start = 0;
    for (let end = 0; end < times.length; end += 1) {
      while ((times[start] ?? 0) <= (times[end] ?? 0) - windowMs) start += 1;
      most = Math.max(most, end - start + 1);
    }
    return most;
  }

  clear(): void {
    this.calls.length = 0;
    this.refused.length = 0;
    this.accepted.clear();
    this.failures = [];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
