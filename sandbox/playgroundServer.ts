import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Fixture } from './fixture';
import { castPlaygroundUsers, pickPlaygroundUsers, playgroundConfigYaml, type PlaygroundCast, type PlaygroundUser } from './playground';

/**
 * The Teams-like playground as a child process, shared by `npm start` and the end-to-end tests. The playground has no user
 * switcher: its "current user" is fixed by the config file, so a second person's view is a second playground (same bot,
 * same store) whose config names that person as the current user.
 */

/** The port `npm start` asks for; the playground silently takes another when it is busy, so callers read the reported one. */
export const DEFAULT_PLAYGROUND_PORT = 56150;
export const PLAYGROUND_BOT_ID = '00000000-0000-0000-0000-00000000b075';

export interface PlaygroundOptions {
  /** The bot's base URL, e.g. http://127.0.0.1:3978 (the playground posts to /api/messages under it). */
  botUrl: string;
  /** A directory of its own: the playground writes its config, log and devTools folder there. */
  dir: string;
  tenantId: string;
  /** The mock users; the first is the current user. */
  users: PlaygroundUser[];
  /** 0 (the default) for any free port. */
  port?: number;
  /** How long to wait for "Listening on <port>". */
  startTimeoutMs?: number;
}

export interface RunningPlayground {
  url: string;
  port: number;
  child: ChildProcess;
  /** The playground's own log with full request and response bodies, for diagnosing a failed run. */
  logFile: string;
  close(): Promise<void>;
}

/** The fixture's users mapped to the playground's six mock users: admins, managers and ordinary members. */
export function playgroundUsersFor(fixture: Fixture, adminGroupId: string, managerGroupId: string): PlaygroundUser[] {
  return pickPlaygroundUsers({ tenantId: fixture.tenant.id, adminGroupId, managerGroupId, users: fixture.users, groups: fixture.groups });
}

/** The fixture's users cast onto the playground's six seats, with the roles nobody plays. */
export function playgroundCastFor(fixture: Fixture, adminGroupId: string, managerGroupId: string): PlaygroundCast {
  return castPlaygroundUsers({ tenantId: fixture.tenant.id, adminGroupId, managerGroupId, users: fixture.users, groups: fixture.groups });
}

/** The same six users with `userId` (a playground id such as user-id-1) first, i.e. as the current user. Ids stay stable. */
export function withCurrentUser(users: PlaygroundUser[], userId: string): PlaygroundUser[] {
  const current = users.find((u) => u.id === userId);
  if (!current) throw new Error(`no playground user ${userId}; the users are ${users.map((u) => u.id).join(', ')}`);
  return [current, ...users.filter((u) => u.id !== userId)];
}

/** Polls a URL until it answers 2xx, failing early when the process behind it exits. */
export async function waitForHttp(url: string, child: ChildProcess, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} was not ready at ${url} within ${timeoutMs / 1000} s`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Writes the config and starts the playground, resolving once it reports the port it listens on and serves its config. */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  fs.mkdirSync(options.dir, { recursive: true });
  const configPath = path.join(options.dir, '.m365agentsplayground.yml');
  const logFile = path.join(options.dir, 'playground.log');
  fs.writeFileSync(configPath, playgroundConfigYaml(options.tenantId, PLAYGROUND_BOT_ID, options.users));
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  const args = [cli, 'start', '--disable-telemetry', '-p', String(options.port ?? 0), '-c', 'msteams', '-e', `${options.botUrl}/api/messages`];
  const child = spawn(process.execPath, args, {
    cwd: options.dir,
    env: {
      ...process.env,
      TEAMSAPPTESTER_BROWSER: 'none',
      M365_AGENTS_PLAYGROUND_CONFIG_PATH: configPath,
      M365_AGENTS_PLAYGROUND_LOGFILE: logFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`the playground did not report its port within ${(options.startTimeoutMs ?? 30_000) / 1000} s: ${seen.slice(-500)}`));
    }, options.startTimeoutMs ?? 30_000);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /Listening on (\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the playground exited with code ${code}: ${seen.slice(-500)}`));
    });
  }).catch(async (error: unknown) => {
    await stop(child);
    throw error;
  });
  // Keep draining its output so a chatty playground never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  const url = `http://localhost:${port}`;
  await waitForHttp(`${url}/_internal/v1/config`, child, 'The playground', options.startTimeoutMs ?? 30_000).catch(async (error: unknown) => {
    await stop(child);
    throw error;
  });
  return { url, port, child, logFile, close: () => stop(child) };
}
