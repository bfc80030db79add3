import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Fixture } from '../../../sandbox/fixture';
import type { RunningSandbox } from '../../../sandbox/server';
import { ConnectorStandIn } from '../../helpers/connector';

/**
 * The crash campaign's machinery: the bot as a real child process (`node --import tsx bot/index.ts`, as `npm start` and
 * bench/run.ts run it) that the campaign kills with SIGKILL and starts again on the same store, while the sandbox Graph and
 * the Bot Connector stand-in live in the test process and so keep their state across the kill.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Everything that would take the child out of sandbox mode or onto another store (the bench removes the same). */
const REMOVED_ENV = [
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppTenantId',
  'MicrosoftAppType',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_TENANT_ID',
  'DATABASE_URL',
  'PUBLIC_BASE_URL',
  'HOST',
  'APPROVALS_CONVERSATION_ID',
];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it gives a value; undefined after `timeoutMs` (the caller decides whether that is a failure). */
export async function poll<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number, everyMs = 40): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(everyMs);
  }
}

export interface BotProcessOptions {
  sandbox: RunningSandbox;
  dataDir: string;
  databaseUrl?: string;
  env?: Record<string, string>;
}

interface Standby {
  child: ChildProcess;
  loaded: Promise<void>;
  stderr: string[];
}

/**
 * One bot process at a time on a fixed port and store: started, killed with SIGKILL, started again. The next process is
 * always spawned ahead, on standby with its modules loaded (standbyBot.ts), so a restart does not wait for a cold start.
 */
export class BotProcess {
  child?: ChildProcess;
  url = '';
  private port = 0;
  private stderr: string[] = [];
  private standby?: Standby;
  kills = 0;
  /** Milliseconds from "go" to the first 200 from /readyz, per start. */
  readonly startMs: number[] = [];

  constructor(private readonly options: BotProcessOptions) {}

  get alive(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process wrote to stderr, for a failure message. */
  get lastErrors(): string {
    return this.stderr.join('').slice(-4000);
  }

  private env(): NodeJS.ProcessEnv {
    const { sandbox } = this.options;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of REMOVED_ENV) delete env[name];
    return Object.assign(env, {
      NODE_EXTRA_CA_CERTS: sandbox.caCertPath,
      GRAPH_BASE_URL: sandbox.url,
      LOGIN_BASE_URL: sandbox.url,
      TENANT_ID: sandbox.tenantId,
      ADMIN_GROUP_ID: sandbox.state.roles.adminGroupId,
      MANAGER_GROUP_ID: sandbox.state.roles.managerGroupId,
      DATA_DIR: this.options.dataDir,
      PORT: String(this.port),
      LOG_LEVEL: 'error',
      ...(this.options.databaseUrl ? { DATABASE_URL: this.options.databaseUrl } : {}),
      ...this.options.env,
    });
  }

  private spawnStandby(): Standby {
    const stderr: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'standbyBot.ts')], { cwd: ROOT, env: this.env(), stdio: ['pipe', 'ignore', 'pipe'] });
    const loaded = new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr.push(chunk.toString());
        if (stderr.length > 40) stderr.shift();
        if (stderr.join('').includes('standby: loaded')) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`the standby bot exited (${code ?? signal}):\n${stderr.join('')}`)));
    });
    loaded.catch(() => undefined);
    return { child, loaded, stderr };
  }

  async start(): Promise<void> {
    if (this.alive) throw new Error('the bot is already running');
    this.port ||= await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const standby = this.standby ?? this.spawnStandby();
    this.standby = undefined;
    await standby.loaded;
    const { child } = standby;
    this.stderr = standby.stderr;
    this.child = child;
    const started = Date.now();
    child.stdin?.end('go\n');
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`the bot exited (${child.exitCode ?? child.signalCode}) before /readyz:\n${this.lastErrors}`);
      try {
        const response = await fetch(`${this.url}/readyz`);
        await response.arrayBuffer();
        if (response.ok) {
          this.startMs.push(Date.now() - started);
          this.standby = this.spawnStandby();
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(20);
    }
    throw new Error(`the bot was not ready within 90 s:\n${this.lastErrors}`);
  }

  /** kill -9, and wait until the process is gone (its sockets closed), so that nothing more leaves it. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    this.kills += 1;
    await exited;
  }

  /** Ends the running process and the standby for good. */
  async stop(): Promise<void> {
    await this.kill();
    const standby = this.standby;
    this.standby = undefined;
    if (standby && standby.child.exitCode === null && standby.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => standby.child.once('exit', () => resolve()));
      standby.child.kill('SIGKILL');
      await exited;
    }
  }

  /** POSTs an activity; a connection cut by a kill resolves to status 0 rather than throwing. */
  async post(activity: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    try {
      const response = await fetch(`${this.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: response.status, body };
    } catch {
      return { status: 0, body: undefined };
    }
  }
}

/** What the proxy tells a delivery hook: the conversation and the activity the bot is sending. */
export interface Delivery {
  method: string;
  conversationId: string;
  activity: Record<string, unknown>;
}

/**
 * The Bot Connector stand-in (test/helpers/connector.ts) behind a forwarding proxy. A hook sees each send before it is
 * forwarded; when the hook fires, the send is delivered to the stand-in first and the bot is killed before it hears the
 * answer: the message reached the user, and the bot cannot know it did.
 */
export class KillingConnector {
  readonly standIn = new ConnectorStandIn({ rateLimits: false });
  private server?: http.Server;
  private hook?: { matches: (delivery: Delivery) => boolean; fire: () => Promise<void> };

  async start(): Promise<this> {
    await this.standIn.start();
    const target = new URL(this.standIn.serviceUrl);
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const hook = this.hook;
        let fires = false;
        if (hook) {
          const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '');
          let activity: Record<string, unknown> = {};
          try {
            activity = body.length ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
          } catch {
            // not JSON: no hook looks at it
          }
          fires = match !== null && hook.matches({ method: req.method ?? '', conversationId: decodeURIComponent(match[1] ?? ''), activity });
          if (fires) this.hook = undefined;
        }
        const forward = http.request(
          { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } },
          (answer) => {
            const parts: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => parts.push(chunk));
            answer.on('end', () => {
              const reply = (): void => {
                if (res.destroyed) return;
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                res.end(Buffer.concat(parts));
              };
              if (fires && hook) void hook.fire().then(reply, reply);
              else reply();
            });
          },
        );
        forward.on('error', () => {
          if (!res.destroyed) {
            res.writeHead(502);
            res.end();
          }
        });
        forward.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get serviceUrl(): string {
    const address = this.server?.address() as net.AddressInfo | undefined;
    if (!address) throw new Error('the killing connector is not started');
    return `http://127.0.0.1:${address.port}/`;
  }

  /** Arms a one-shot hook: the first matching send is delivered, then `fire` runs (the kill) before the bot gets its answer. */
  armOnDelivery(matches: (delivery: Delivery) => boolean, fire: () => Promise<void>): void {
    this.hook = { matches, fire };
  }

  disarm(): void {
    this.hook = undefined;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.standIn.stop();
  }
}

/**
 * Fires when the sandbox starts serving a matching Graph request. The request is held in flight by a one-shot latency
 * rule; the rule's remaining count drops to zero the moment the request arrives, which GET /_sandbox/faults shows.
 */
export async function whenGraphRequestArrives(
  sandbox: RunningSandbox,
  rule: { method: string; pathPattern: string; holdMs: number },
  cancelled: () => boolean,
): Promise<boolean> {
  sandbox.setFaults([{ method: rule.method, pathPattern: rule.pathPattern, latencyMs: rule.holdMs, times: 1 }]);
  const arrived = await poll(async () => {
    if (cancelled()) return false;
    try {
      const response = await fetch(`${sandbox.url}/_sandbox/faults`);
      const rules = (await response.json()) as unknown[];
      return rules.length === 0 ? true : undefined;
    } catch {
      return undefined;
    }
  }, 120_000, 10);
  if (!arrived) sandbox.setFaults([]);
  return arrived === true;
}

/** The fixture's Alice (an accepted Fabrikam guest), as many fresh guests `g0000@fabrikam.com`…, so no point meets another's grant. */
export function withGeneratedGuests(fixture: Fixture, count: number): Fixture {
  const template = fixture.users.find((u) => u.id === 'e0000000-0000-4000-8000-000000000001');
  if (!template) throw new Error('the fixture has no Alice to copy');
  const text = JSON.stringify(template);
  for (let n = 0; n < count; n += 1) {
    const tag = String(n).padStart(4, '0');
    const copy = text
      .replaceAll('e0000000-0000-4000-8000-000000000001', guestId(n))
      .replaceAll('alice@fabrikam.com', `g${tag}@fabrikam.com`)
      .replaceAll('alice_fabrikam.com', `g${tag}_fabrikam.com`)
      .replaceAll('Alice Smith', `Guest${tag} Crash`)
      .replaceAll('"Alice"', `"Guest${tag}"`);
    fixture.users.push(JSON.parse(copy) as Fixture['users'][number]);
  }
  return fixture;
}

export function guestId(n: number): string {
  return `e1000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

export function guestMail(n: number): string {
  return `g${String(n).padStart(4, '0')}@fabrikam.com`;
}

export function guestName(n: number): string {
  return `Guest${String(n).padStart(4, '0')} Crash (Fabrikam)`;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
