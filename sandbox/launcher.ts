import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadLauncherSettings, type LauncherSettings } from '../bot/config';
import { redactDatabaseUrl, SQLITE_FILE_NAME } from '../bot/store';
import { sandboxLaunchPlan } from './launchPlan';
import { DEFAULT_PLAYGROUND_PORT, playgroundCastFor, startPlayground, waitForHttp } from './playgroundServer';
import type { PlaygroundUser } from './playground';
import { startSandbox, type RunningSandbox } from './server';

/**
 * `npm start`. With Azure credentials it simply runs the bot. Without them it runs the sandbox: the emulated Microsoft cloud
 * on loopback HTTPS, the bot as a child process that trusts the sandbox CA through NODE_EXTRA_CA_CERTS (read only at process
 * start, which is why the bot is a child), and the Teams-like playground pointed at the bot.
 */

const ROOT = path.resolve(__dirname, '..');

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

function banner(lines: [string, string][], footer: string[]): string {
  const width = Math.max(...lines.map(([k]) => k.length));
  const rule = '─'.repeat(78);
  return ['', rule, ...lines.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), rule, ...footer.map((f) => `  ${f}`), rule, ''].join('\n');
}

const roleName = { admin: 'admin', manager: 'partner manager', member: 'ordinary member' } as const;

async function runSandbox(settings: LauncherSettings): Promise<void> {
  const plan = sandboxLaunchPlan(settings, process.env);
  const { fixture, fixturePath, adminGroupId, managerGroupId } = plan;
  fs.mkdirSync(settings.dataDir, { recursive: true });

  sandbox = await startSandbox(plan.sandbox);

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
  await waitForHttp(`${botUrl}/healthz`, bot, 'The bot');

  let users: PlaygroundUser[] = [];
  let playgroundLine = 'off (PLAYGROUND=off)';
  const castNotes: string[] = [];
  if (settings.playground) {
    const cast = playgroundCastFor(fixture, adminGroupId, managerGroupId);
    users = cast.users;
    const roleNames = cast.missingRoles.map((role) => roleName[role]);
    if (roleNames.length > 0) castNotes.push(`The fixture has no enabled ${roleNames.join(', no ')}: the playground cannot show that view.`);
    if (cast.standIns > 0) castNotes.push(`${cast.standIns} playground seat(s) hold stand-ins that are not in the tenant.`);
    const playground = await startPlayground({
      botUrl,
      dir: path.join(settings.dataDir, 'playground'),
      tenantId: fixture.tenant.id,
      users,
      port: DEFAULT_PLAYGROUND_PORT,
    });
    children.push(playground.child);
    playgroundLine = playground.url;
  }

  const store = settings.databaseUrl ? `PostgreSQL ${redactDatabaseUrl(settings.databaseUrl)}` : path.join(settings.dataDir, SQLITE_FILE_NAME);
  console.log(
    banner(
      [
        ['Mode', 'SANDBOX: emulated Microsoft cloud, no Azure credentials, activities not authenticated (loopback only)'],
        ['Bot endpoint', `${botUrl}/api/messages`],
        ['Playground', playgroundLine],
        ['Sandbox cloud', `${sandbox.url} (Graph /v1.0 and /beta, login, userrealm)`],
        ...(plan.options.length > 0 ? [['Sandbox options', plan.options.join(', ')] as [string, string]] : []),
        ['Fixture', `${fixturePath} (tenant ${fixture.tenant.displayName}, ${fixture.tenant.id})`],
        ['Store', store],
        ...users.map((u): [string, string] => [
          u.id === 'user-id-0' ? 'Playground users' : '',
          `${u.name} <${u.upn}>: ${u.standIn ? 'stand-in' : roleName[u.role]}${u.id === 'user-id-0' ? ' (you, at first)' : ''}`,
        ]),
      ],
      [
        ...castNotes,
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
