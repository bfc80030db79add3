import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * A real PostgreSQL for integration tests: DATABASE_URL_TEST when set, otherwise a throwaway cluster (initdb + pg_ctl) in a
 * temp dir on a free loopback port, with its unix sockets in that dir too. Start it once per test file.
 */
export interface TestPostgres {
  /** Superuser URL of the cluster's `postgres` database (or DATABASE_URL_TEST). */
  url: string;
  /** A fresh, empty database on the same server; dropped again by `stop` when the server is not ours to throw away. */
  createDatabase(): Promise<string>;
  /** Stops the cluster and removes its directory; idempotent. */
  stop(): Promise<void>;
}

const POSTGRES_ROOT = '/usr/lib/postgresql';

function postgresBinDir(): string | undefined {
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  const versions = readdirSync(POSTGRES_ROOT)
    .filter((name) => existsSync(join(POSTGRES_ROOT, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  const newest = versions[0];
  return newest === undefined ? undefined : join(POSTGRES_ROOT, newest, 'bin');
}

const runningAsRoot = (): boolean => process.getuid?.() === 0;

/** uid/gid of the `postgres` OS user from /etc/passwd; PostgreSQL refuses to run as root. */
function postgresUser(): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can. Synchronous, for describeWithService. */
export function postgresMissingReason(): string | undefined {
  if (process.env.DATABASE_URL_TEST) return undefined;
  if (!postgresBinDir()) return `no initdb under ${POSTGRES_ROOT}/*/bin (install the postgresql package, or set DATABASE_URL_TEST)`;
  if (runningAsRoot()) {
    if (!postgresUser()) return 'running as root and there is no "postgres" OS user to run the server as';
    if (spawnSync('runuser', ['--help'], { stdio: 'ignore' }).error) return 'running as root and runuser is not available';
  }
  return undefined;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function run(bin: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const [command, fullArgs] = runningAsRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return spawnSync(command, fullArgs, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
}

function check(result: SpawnSyncReturns<string>, what: string, logFile?: string): void {
  if (result.status === 0) return;
  const log = logFile && existsSync(logFile) ? `\n--- server log ---\n${readFileSync(logFile, 'utf8')}` : '';
  throw new Error(`${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}${log}`);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function randomDatabaseName(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}

async function onServer<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function external(url: string): TestPostgres {
  const created: string[] = [];
  return {
    url,
    async createDatabase() {
      const name = randomDatabaseName();
      await onServer(url, (client) => client.query(`create database ${name}`));
      created.push(name);
      return withDatabase(url, name);
    },
    async stop() {
      const names = created.splice(0);
      if (names.length === 0) return;
      await onServer(url, async (client) => {
        for (const name of names) await client.query(`drop database if exists ${name} with (force)`);
      });
    },
  };
}

export async function startPostgres(): Promise<TestPostgres> {
  const externalUrl = process.env.DATABASE_URL_TEST;
  if (externalUrl) return external(externalUrl);

  const missing = postgresMissingReason();
  if (missing) throw new Error(`cannot start PostgreSQL: ${missing}`);
  const bin = postgresBinDir() as string;
  const dir = mkdtempSync(join(tmpdir(), 'pab-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (runningAsRoot()) {
    const user = postgresUser();
    if (user) chownSync(dir, user.uid, user.gid);
  }

  let stopped = false;
  const stopSync = (): void => {
    if (stopped) return;
    stopped = true;
    if (existsSync(join(data, 'postmaster.pid'))) run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], dir);
    rmSync(dir, { recursive: true, force: true });
  };
  // A crashed or interrupted test run must not leave a server behind.
  process.once('exit', stopSync);

  try {
    check(run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions'], dir), 'initdb');
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freeLoopbackPort();
      const options = [
        `-p ${port}`,
        `-k ${dir}`,
        "-c listen_addresses='127.0.0.1'",
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ');
      const started = run(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '30', 'start'], dir);
      if (started.status === 0) break;
      // Another process may have taken the port between probing and binding; try a new one.
      if (attempt >= 3) check(started, 'pg_ctl start', logFile);
    }
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url,
      async createDatabase() {
        const name = randomDatabaseName();
        await onServer(url, (client) => client.query(`create database ${name}`));
        return withDatabase(url, name);
      },
      stop() {
        stopSync();
        process.removeListener('exit', stopSync);
        return Promise.resolve();
      },
    };
  } catch (error) {
    stopSync();
    process.removeListener('exit', stopSync);
    throw error;
  }
}
