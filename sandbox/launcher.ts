import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadLauncherSettings, SANDBOX_CREDENTIALS, type LauncherSettings } from '../bot/config';
import { redactDatabaseUrl, SQLITE_FILE_NAME } from '../bot/store';
import { DEFAULT_FIXTURE_PATH, loadFixture, type Fixture } from './fixture';
import { pickPlaygroundUsers, playgroundConfigYaml, type PlaygroundUser } from './playground';
import { startSandbox, type RunningSandbox } from './server';

/**
 * `npm start`. With Azure credentials it simply runs the bot. Without them it runs the sandbox: the emulated Microsoft cloud
 * on loopback HTTPS, the bot as a child process that trusts the sandbox CA through NODE_EXTRA_CA_CERTS (read only at process
 * start, which is why the bot is a child), and the Teams-like playground pointed at the bot.
 */

const ROOT = path.resolve(__dirname, '..');
const PLAYGROUND_PORT = 56150;
const PLAYGROUND_BOT_ID = '00000000-0000-0000-0000-00000000b075';

const children: ChildProcess[] = [];
let sandbox: RunningSandbox | undefined;

function runBot(env: NodeJS.ProcessEnv, inherit: boolean): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bot', 'index.ts')], {
    cwd: process.cwd(),
    env,
    stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

async function waitFor(url: string, child: ChildProcess, what: string, timeoutMs = 60_000): Promise<void> {
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

function playgroundUsers(fixture: Fixture, adminGroupId: string, managerGroupId: string): PlaygroundUser[] {
  return pickPlaygroundUsers({
    tenantId: fixture.tenant.id,
    adminGroupId,
    managerGroupId,
    users: fixture.users,
    groups: fixture.groups,
  });
}

function startPlayground(botUrl: string, dir: string): { child: ChildProcess; port: Promise<number> } {
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  const child = spawn(
    process.execPath,
    [cli, 'start', '--disable-telemetry', '-p', String(PLAYGROUND_PORT), '-c', 'msteams', '-e', `${botUrl}/api/messages`],
    {
      cwd: dir,
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: path.join(dir, '.m365agentsplayground.yml'),
        M365_AGENTS_PLAYGROUND_LOGFILE: path.join(dir, 'playground.log'),
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  children.push(child);
  // The playground silently takes a random port when 56150 is busy, so read the port it reports.
  const port = new Promise<number>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /Listening on (\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`the playground exited with code ${code}: ${seen.slice(-500)}`)));
  });
  return { child, port };
}

function banner(lines: [string, string][], footer: string[]): string {
  const width = Math.max(...lines.map(([k]) => k.length));
  const rule = '─'.repeat(78);
  return ['', rule, ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), rule, ...footer.map((f) => `  ${f}`), rule, ''].join('\n');
}

async function runSandbox(settings: LauncherSettings): Promise<void> {
  const fixturePath = settings.fixturePath ?? DEFAULT_FIXTURE_PATH;
  const fixture = loadFixture(fixturePath);
  const adminGroupId = settings.adminGroupId ?? fixture.roles.adminGroupId;
  const managerGroupId = settings.managerGroupId ?? fixture.roles.managerGroupId;
  fs.mkdirSync(settings.dataDir, { recursive: true });

  sandbox = await startSandbox({ fixture, tlsDir: path.join(settings.dataDir, 'sandbox-tls'), clientSecret: SANDBOX_CREDENTIALS.clientSecret });

  const bot = runBot(
    {
      ...process.env,
      NODE_EXTRA_CA_CERTS: sandbox.caCertPath,
      GRAPH_BASE_URL: sandbox.url,
      LOGIN_BASE_URL: sandbox.url,
      TENANT_ID: fixture.tenant.id,
      ADMIN_GROUP_ID: adminGroupId,
      MANAGER_GROUP_ID: managerGroupId,
      DATA_DIR: settings.dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
    true,
  );
  const botUrl = `http://127.0.0.1:${settings.port}`;
  await waitFor(`${botUrl}/healthz`, bot, 'The bot');

  const users = playgroundUsers(fixture, adminGroupId, managerGroupId);
  let playgroundLine = 'off (PLAYGROUND=off)';
  if (settings.playground) {
    const dir = path.join(settings.dataDir, 'playground');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.m365agentsplayground.yml'), playgroundConfigYaml(fixture.tenant.id, PLAYGROUND_BOT_ID, users));
    const playground = startPlayground(botUrl, dir);
    playgroundLine = `http://localhost:${await playground.port}`;
  }

  const store = settings.databaseUrl ? `PostgreSQL ${redactDatabaseUrl(settings.databaseUrl)}` : path.join(settings.dataDir, SQLITE_FILE_NAME);
  const roleName = { admin: 'admin', manager: 'partner manager', member: 'ordinary member' } as const;
  console.log(
    banner(
      [
        ['Mode', 'SANDBOX: emulated Microsoft cloud, no Azure credentials, activities not authenticated (loopback only)'],
        ['Bot endpoint', `${botUrl}/api/messages`],
        ['Playground', playgroundLine],
        ['Sandbox cloud', `${sandbox.url} (Graph /v1.0 and /beta, login, userrealm)`],
        ['Fixture', `${fixturePath} (tenant ${fixture.tenant.displayName}, ${fixture.tenant.id})`],
        ['Store', store],
        ...users.map((u): [string, string] => [
          u.id === 'user-id-0' ? 'Playground users' : '',
          `${u.name} <${u.upn}>: ${roleName[u.role]}${u.id === 'user-id-0' ? ' (you, at first)' : ''}`,
        ]),
      ],
      [
        'Type "help" in the playground. To use a real tenant, set MicrosoftAppId, MicrosoftAppPassword,',
        'MicrosoftAppTenantId, the AZURE_* Graph credentials, ADMIN_GROUP_ID and MANAGER_GROUP_ID (see .env.example).',
        'Stop with Ctrl+C.',
      ],
    ),
  );
}

async function shutdown(code: number): Promise<never> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await sandbox?.close();
  process.exit(code);
}

async function main(): Promise<void> {
  const settings = loadLauncherSettings();
  if ('problems' in settings) {
    console.error(['Partner Access Bot cannot start:', ...settings.problems.map((p) => `  - ${p}`)].join('\n'));
    process.exit(1);
  }
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  if (settings.mode === 'production') {
    const bot = runBot(process.env, true);
    bot.once('exit', (code) => process.exit(code ?? 1));
    return;
  }
  await runSandbox(settings);
  for (const child of children) {
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) {
        console.error(`A sandbox process exited with code ${code}; stopping.`);
        void shutdown(1);
      }
    });
  }
}

main().catch((error: unknown) => {
  console.error('npm start failed:', error instanceof Error ? error.message : error);
  void shutdown(1);
});
