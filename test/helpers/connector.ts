import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made to the Bot Connector: a new message, a reply, or an update of an earlier message. */
export interface ConnectorCall {
  method: string;
  conversationId: string;
  /** The activity id in the path: the message replied to (POST) or updated (PUT). */
  activityId?: string;
  activity: Record<string, unknown>;
  /** The id the stand-in gave this message (POST) or the updated id (PUT). */
  id: string;
  /** When it arrived (ms since the epoch), for rate checks. */
  at: number;
}

/**
 * A small Bot Connector stand-in at the activity's serviceUrl. It records what the bot sends, answers like the real
 * connector ({ id }), and lets a test wait for a number of calls instead of sleeping.
 */
export class ConnectorStandIn {
  readonly calls: ConnectorCall[] = [];
  private server?: http.Server;
  private waiters: { count: number; resolve: () => void }[] = [];
  private nextId = 1;

  get serviceUrl(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('connector stand-in is not started');
    return `http://127.0.0.1:${address.port}/`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => this.handle(req, body, res));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/.exec(req.url ?? '');
    // restify patches http.ServerResponse in this process, and its writeHead does not return `this`: no chaining.
    if (!match || (req.method !== 'POST' && req.method !== 'PUT')) {
      res.writeHead(404);
      res.end();
      return;
    }
    const activity: unknown = body ? JSON.parse(body) : {};
    const id = req.method === 'PUT' && match[2] ? decodeURIComponent(match[2]) : `msg-${this.nextId++}`;
    this.calls.push({
      method: req.method,
      conversationId: decodeURIComponent(match[1] ?? ''),
      activityId: match[2] ? decodeURIComponent(match[2]) : undefined,
      activity: activity as Record<string, unknown>,
      id,
      at: Date.now(),
    });
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id }));
    this.waiters = this.waiters.filter((w) => {
      if (this.calls.length >= w.count) w.resolve();
      return this.calls.length < w.count;
    });
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

  clear(): void {
    this.calls.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
