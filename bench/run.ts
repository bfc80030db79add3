import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SANDBOX_CREDENTIALS } from '../bot/config';
import { DEFAULT_FIXTURE_PATH, loadFixture } from '../sandbox/fixture';
import { startSandbox, type RunningSandbox } from '../sandbox/server';
import { ensureSandboxTls } from '../sandbox/tls';
import { buildActivity, type TestUser } from '../test/helpers/bot';
import { ConnectorStandIn } from '../test/helpers/connector';
import { benchBulkRun, type BulkFigures } from './bulk';
import { scaledFixture } from './scaleFixture';

/**
 * `npm run bench`: the real bot in sandbox mode beside a bare botbuilder + restify echo bot (bench/echoBot.ts), in the same
 * run, interleaved, on loopback only. It prints figures and never judges them: a busy machine moves every number, so only
 * the ratios to the echo bot of the same run mean much. Sizes are small by default; the BENCH_* variables enlarge them.
 * BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each bot process there (node --cpu-prof), to find where a gap comes from.
 */

const ROOT = path.resolve(__dirname, '..');

function sizeFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

const SIZES = {
  rounds: sizeFromEnv('BENCH_ROUNDS', 3),
  activities: sizeFromEnv('BENCH_ACTIVITIES', 150),
  concurrency: sizeFromEnv('BENCH_CONCURRENCY', 8),
  warmup: sizeFromEnv('BENCH_WARMUP', 30),
  bulkRows: sizeFromEnv('BENCH_BULK_ROWS', 1000),
  bulkPerMinute: sizeFromEnv('BENCH_BULK_PER_MINUTE', 1200),
  scaleUsers: sizeFromEnv('BENCH_SCALE_USERS', 10_000),
  scaleApps: sizeFromEnv('BENCH_SCALE_APPS', 500),
};

/**
 * Commands measured for their Graph cost only, each against the fewest round trips it could make (issue 17): whois one
 * round trip; the request form at most 3; apps, once its App Proxy settings are cached, one (the service principal list).
 * The request form lists the apps as `apps` does, so it is measured after `apps` has filled the cache.
 */
const COST_ONLY = [
  { label: 'whois', text: 'whois megan.bowen@contoso.com', minimum: '1' },
  { label: 'apps (first)', text: 'apps', minimum: '1 + apps' },
  { label: 'apps (again)', text: 'apps', minimum: '1' },
  { label: 'request form', text: 'request', minimum: '≤ 3' },
] as const;

/** An admin of the shipped fixture, so that every command is allowed; whois looks up a partner manager by address. */
const CALLER: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const COMMANDS = [
  { label: 'help', text: 'help' },
  { label: 'whoami', text: 'whoami' },
  { label: 'whois', text: 'whois megan.bowen@contoso.com' },
] as const;
type CommandLabel = (typeof COMMANDS)[number]['label'];
type TargetName = 'echo' | 'bot';

interface Target {
  name: TargetName;
  child: ChildProcess;
  url: string;
  agent: http.Agent;
  coldStartMs: number;
  dataDir?: string;
  stderr: string[];
}

interface LoadResult {
  p50: number;
  p99: number;
  perSecond: number;
  /** CPU milliseconds (user + system) of the target process per activity; NaN where /proc is not available. */
  cpuMsPerActivity: number;
}

interface GraphCost {
  /** From the POST to the last reply at the Bot Connector stand-in. */
  ms: number;
  roundTrips: number;
  batchItems: number;
  resourceUnits: number;
  replies: number;
}

// ---------- the processes ----------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Everything that would take the bot out of sandbox mode or onto another store or a slower sandbox. */
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
];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REMOVED_ENV) delete env[name];
  return { ...env, ...extra };
}

async function waitForReady(url: string, child: ChildProcess, what: string, stderr: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before /readyz:\n${stderr.join('')}`);
    try {
      const response = await fetch(`${url}/readyz`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000} s:\n${stderr.join('')}`);
}

/** Spawns a process the way sandbox/launcher.ts spawns the bot, and times it from spawn to its first 200 from /readyz. */
async function startTarget(name: TargetName, sandbox: RunningSandbox, extraEnv: Record<string, string> = {}): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let dataDir: string | undefined;
  let entry: string;
  let env: NodeJS.ProcessEnv;
  if (name === 'bot') {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-bench-bot-'));
    entry = path.join(ROOT, 'bot', 'index.ts');
    env = childEnv({
      NODE_EXTRA_CA_CERTS: sandbox.caCertPath,
      GRAPH_BASE_URL: sandbox.url,
      LOGIN_BASE_URL: sandbox.url,
      TENANT_ID: sandbox.tenantId,
      ADMIN_GROUP_ID: sandbox.state.roles.adminGroupId,
      MANAGER_GROUP_ID: sandbox.state.roles.managerGroupId,
      DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...extraEnv,
    });
  } else {
    entry = path.join(ROOT, 'bench', 'echoBot.ts');
    env = childEnv({ PORT: String(port) });
  }
  const stderr: string[] = [];
  const started = performance.now();
  const profileDir = process.env.BENCH_CPU_PROF;
  const profile = name === 'bot' && profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profileDir)] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  await waitForReady(url, child, name === 'bot' ? 'The bot' : 'The echo bot', stderr);
  const coldStartMs = performance.now() - started;
  const agent = new http.Agent({ keepAlive: true, maxSockets: SIZES.concurrency });
  return { name, child, url, agent, coldStartMs, dataDir, stderr };
}

async function stopTarget(target: Target): Promise<void> {
  target.agent.destroy();
  const { child } = target;
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
  if (target.dataDir) fs.rmSync(target.dataDir, { recursive: true, force: true });
}

// ---------- /proc readings ----------

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU of a process in milliseconds, from /proc/<pid>/stat (fields 14 and 15); undefined off Linux. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size in MiB, from /proc/<pid>/status; NaN off Linux. */
function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

// ---------- load ----------

function post(target: Target, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${target.url}/api/messages`,
      { method: 'POST', agent: target.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', reject);
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

function messageBody(connector: ConnectorStandIn, tenantId: string, text: string): string {
  return JSON.stringify(buildActivity(connector.serviceUrl, tenantId, CALLER, { type: 'message', text }));
}

/** Sends one message and returns once the target acknowledged it (CloudAdapter answers after the turn has replied). */
async function sendOne(target: Target, connector: ConnectorStandIn, tenantId: string, text: string): Promise<void> {
  const status = await post(target, messageBody(connector, tenantId, text));
  if (status >= 300) throw new Error(`${target.name} answered ${status} to "${text}":\n${target.stderr.join('')}`);
}

function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** `count` messages with `concurrency` in flight; ack latency is POST to HTTP answer, throughput counts until the last reply. */
async function load(target: Target, connector: ConnectorStandIn, tenantId: string, text: string, count: number): Promise<LoadResult> {
  connector.clear();
  const bodies = Array.from({ length: count }, () => messageBody(connector, tenantId, text));
  const latencies: number[] = [];
  let next = 0;
  const cpuBefore = cpuMs(target.child.pid);
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const body = bodies[next++];
      if (body === undefined) return;
      const sent = performance.now();
      const status = await post(target, body);
      latencies.push(performance.now() - sent);
      if (status >= 300) throw new Error(`${target.name} answered ${status} to "${text}":\n${target.stderr.join('')}`);
    }
  };
  await Promise.all(Array.from({ length: SIZES.concurrency }, worker));
  await connector.waitForCalls(count, 30_000);
  const elapsedMs = performance.now() - started;
  const cpuAfter = cpuMs(target.child.pid);
  connector.clear();
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    perSecond: (count * 1000) / elapsedMs,
    cpuMsPerActivity: cpuBefore === undefined || cpuAfter === undefined ? Number.NaN : (cpuAfter - cpuBefore) / count,
  };
}

async function graphCost(target: Target, connector: ConnectorStandIn, sandbox: RunningSandbox, text: string): Promise<GraphCost> {
  connector.clear();
  sandbox.resetStats();
  const started = performance.now();
  await sendOne(target, connector, sandbox.tenantId, text);
  await connector.waitForCalls(1, 120_000);
  const ms = performance.now() - started;
  const stats = sandbox.stats();
  const replies = connector.calls.length;
  connector.clear();
  return { ms, roundTrips: stats.graphRoundTrips, batchItems: stats.batchItems, resourceUnits: stats.resourceUnits, replies };
}

// ---------- figures ----------

function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function fixed(value: number, digits: number): string {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(digits);
}

function withRatio(bot: number, echo: number, digits: number, unit: string): string {
  const ratio = Number.isNaN(bot) || Number.isNaN(echo) || echo === 0 ? 'n/a' : `${(bot / echo).toFixed(2)}×`;
  return `${fixed(bot, digits)}${unit} (${ratio})`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

type Series = Record<TargetName, Record<CommandLabel, LoadResult[]>>;
type ProcessSeries = Record<TargetName, { coldStartMs: number[]; rssIdle: number[]; rssAfter: number[] }>;

function emptySeries(): Series {
  const perCommand = () => ({ help: [], whoami: [], whois: [] }) as Record<CommandLabel, LoadResult[]>;
  return { echo: perCommand(), bot: perCommand() };
}

type CostRow = { name: string; cost: GraphCost; minimum: string };

function graphTable(rows: CostRow[]): string {
  return table(
    ['command', 'round trips', 'minimum', '$batch items', 'resource units', 'replies', 'time'],
    rows.map(({ name, cost, minimum }) => [name, String(cost.roundTrips), minimum, String(cost.batchItems), String(cost.resourceUnits), String(cost.replies), `${fixed(cost.ms, 0)} ms`]),
  );
}

function bulkTable(paced: BulkFigures, stop: BulkFigures & { stopMs?: number }): string {
  return table(
    ['measure', 'value'],
    [
      ['rows, configured pace', `${paced.rows} at ${paced.perMinute}/min, 10% of POST /invitations answered 429 (Retry-After 0.05 s)`],
      ['achieved pace (invited rows)', `${fixed(paced.paceShare * paced.perMinute, 0)}/min = ${fixed(paced.paceShare, 2)} of the configured pace, in ${fixed(paced.seconds, 1)} s`],
      ['429s injected', String(paced.throttled)],
      ['lost rows / doubled rows', `${paced.lost} / ${paced.doubled}`],
      ['progress updates', `${fixed(paced.updatesPerSecond, 2)}/s on average, at most ${paced.maxUpdatesInASecond} in any second`],
      ['time to stop on the abuse 403', stop.stopMs === undefined ? 'n/a (the block was not hit)' : `${fixed(stop.stopMs, 0)} ms (block after 20 of ${stop.rows} rows; lost ${stop.lost}, doubled ${stop.doubled})`],
    ],
  );
}

function report(series: Series, processes: ProcessSeries, costs: CostRow[]): string {
  const m = (target: TargetName, command: CommandLabel, pick: (r: LoadResult) => number) => median(series[target][command].map(pick));
  const rows: string[][] = [];
  for (const { label } of COMMANDS) {
    const metric = (name: string, pick: (r: LoadResult) => number, digits: number, unit: string) => {
      const echo = m('echo', label, pick);
      rows.push([label, name, `${fixed(echo, digits)}${unit}`, withRatio(m('bot', label, pick), echo, digits, unit)]);
    };
    metric('ack latency p50', (r) => r.p50, 1, ' ms');
    metric('ack latency p99', (r) => r.p99, 1, ' ms');
    metric('throughput', (r) => r.perSecond, 0, '/s');
    metric('CPU per activity', (r) => r.cpuMsPerActivity, 2, ' ms');
  }
  const processRow = (name: string, pick: (p: ProcessSeries[TargetName]) => number[], digits: number, unit: string) => {
    const echo = median(pick(processes.echo));
    rows.push(['process', name, `${fixed(echo, digits)}${unit}`, withRatio(median(pick(processes.bot)), echo, digits, unit)]);
  };
  processRow('cold start to /readyz', (p) => p.coldStartMs, 0, ' ms');
  processRow('RSS idle', (p) => p.rssIdle, 0, ' MiB');
  processRow('RSS after load', (p) => p.rssAfter, 0, ' MiB');

  return [
    table(['command', 'measure', 'echo bot', 'bot (ratio to echo bot)'], rows),
    '',
    'Graph per command, from the sandbox counters and its resource-unit table (sandbox/graph/cost.ts); the echo bot makes none:',
    graphTable(costs),
  ].join('\n');
}

function machine(): string {
  const cpuModel = (() => {
    try {
      return /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
    } catch {
      return os.cpus()[0]?.model ?? 'unknown';
    }
  })();
  const [one, five] = os.loadavg();
  return `${os.availableParallelism()} CPUs (${cpuModel}), Node ${process.version}, load average ${fixed(one ?? Number.NaN, 2)} / ${fixed(five ?? Number.NaN, 2)} (1 / 5 min)`;
}

// ---------- scale ----------

/** whois and apps on a tenant grown to `SIZES`: a second sandbox, a fresh bot, each command cold and then again. */
async function scaleRows(connector: ConnectorStandIn): Promise<CostRow[]> {
  const fixture = scaledFixture(loadFixture(DEFAULT_FIXTURE_PATH), { extraUsers: SIZES.scaleUsers, extraApps: SIZES.scaleApps });
  const sandbox = await startSandbox({ fixture, tlsDir: TLS_DIR, clientSecret: SANDBOX_CREDENTIALS.clientSecret });
  const apps = fixture.servicePrincipals.filter((sp) => sp.tags.includes('WindowsAzureActiveDirectoryOnPremApp')).length;
  let target: Target | undefined;
  try {
    target = await startTarget('bot', sandbox);
    await graphCost(target, connector, sandbox, 'help');
    const rows: CostRow[] = [];
    for (const { label, text, minimum } of COST_ONLY) {
      rows.push({ name: `${label} (${fixture.users.length} users, ${apps} apps)`, cost: await graphCost(target, connector, sandbox, text), minimum: minimum.replace('apps', String(apps)) });
    }
    rows.push({ name: `whois again (${fixture.users.length} users, ${apps} apps)`, cost: await graphCost(target, connector, sandbox, COST_ONLY[0].text), minimum: '1' });
    return rows;
  } finally {
    if (target) await stopTarget(target);
    await sandbox.close();
  }
}

// ---------- the run ----------

/**
 * The bulk rows call the sandbox from this process, so this process must trust the sandbox's CA; Node reads
 * NODE_EXTRA_CA_CERTS only at start, so the bench starts itself once more with it. The CA stays in one directory.
 */
const TLS_DIR = path.join(os.tmpdir(), 'pab-bench-tls');

function restartedWithSandboxCa(): boolean {
  const { caCertPath } = ensureSandboxTls(TLS_DIR);
  if (process.env.NODE_EXTRA_CA_CERTS === caCertPath) return false;
  const script = process.argv[1] ?? path.join(__dirname, 'run.ts');
  const run = spawnSync(process.execPath, [...process.execArgv, script, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caCertPath } });
  process.exitCode = run.status ?? 1;
  return true;
}

async function main(): Promise<void> {
  if (restartedWithSandboxCa()) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-bench-'));
  const sandbox = await startSandbox({
    fixture: loadFixture(DEFAULT_FIXTURE_PATH),
    tlsDir: TLS_DIR,
    clientSecret: SANDBOX_CREDENTIALS.clientSecret,
  });
  // Throughput is measured past Teams' per-conversation limits on purpose: both bots answer one conversation as fast as they can.
  const connector = await new ConnectorStandIn({ rateLimits: false }).start();
  const series = emptySeries();
  const processes: ProcessSeries = {
    echo: { coldStartMs: [], rssIdle: [], rssAfter: [] },
    bot: { coldStartMs: [], rssIdle: [], rssAfter: [] },
  };
  let costs: CostRow[] | undefined;
  let firstMessage: GraphCost | undefined;
  const running: Target[] = [];
  const loadAtStart = machine();
  console.log(
    `bench: ${SIZES.rounds} rounds × ${SIZES.activities} activities per command, ${SIZES.concurrency} in flight, ` +
      `${SIZES.warmup} warm-up messages per command (BENCH_ROUNDS, BENCH_ACTIVITIES, BENCH_CONCURRENCY, BENCH_WARMUP)`,
  );
  try {
    for (let round = 0; round < SIZES.rounds; round += 1) {
      // Alternate who goes first, so that neither always runs on the warmer or the quieter machine.
      const order: TargetName[] = round % 2 === 0 ? ['echo', 'bot'] : ['bot', 'echo'];
      const targets = {} as Record<TargetName, Target>;
      for (const name of order) {
        const target = await startTarget(name, sandbox);
        running.push(target);
        targets[name] = target;
        processes[name].coldStartMs.push(target.coldStartMs);
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const name of order) processes[name].rssIdle.push(rssMiB(targets[name].child.pid));

      if (round === 0) firstMessage = await graphCost(targets.bot, connector, sandbox, 'help');
      for (const name of order) {
        for (const { text } of COMMANDS) for (let i = 0; i < SIZES.warmup; i += 1) await sendOne(targets[name], connector, sandbox.tenantId, text);
      }
      connector.clear();
      if (round === 0 && firstMessage) {
        costs = [{ name: 'first message (cold roles)', cost: firstMessage, minimum: '1' }];
        for (const { label, text } of COMMANDS) costs.push({ name: `${label} (warm)`, cost: await graphCost(targets.bot, connector, sandbox, text), minimum: label === 'whois' ? '1' : '0' });
        for (const { label, text, minimum } of COST_ONLY.filter((c) => c.label !== 'whois')) costs.push({ name: label, cost: await graphCost(targets.bot, connector, sandbox, text), minimum });
      }

      for (const { label, text } of COMMANDS) {
        for (const name of order) {
          sandbox.resetStats();
          series[name][label].push(await load(targets[name], connector, sandbox.tenantId, text, SIZES.activities));
        }
      }
      for (const name of order) processes[name].rssAfter.push(rssMiB(targets[name].child.pid));
      for (const name of order) await stopTarget(targets[name]);
      running.length = 0;
      console.log(`round ${round + 1} of ${SIZES.rounds} done`);
    }
    if (!costs) throw new Error('no round ran');

    console.log(`bulk: ${SIZES.bulkRows} rows at ${SIZES.bulkPerMinute}/min (BENCH_BULK_ROWS, BENCH_BULK_PER_MINUTE)`);
    const paced = await benchBulkRun(sandbox, { rows: SIZES.bulkRows, perMinute: SIZES.bulkPerMinute, throttledShare: 0.1, prefix: 'bench-bulk-' });
    const stop = await benchBulkRun(sandbox, { rows: 100, perMinute: SIZES.bulkPerMinute, throttledShare: 0, prefix: 'bench-abuse-', stopAfter: 20 });

    console.log(`scale: ${SIZES.scaleUsers} more users and ${SIZES.scaleApps} more App Proxy apps in the fixture (BENCH_SCALE_USERS, BENCH_SCALE_APPS)`);
    const scale = await scaleRows(connector);
    console.log('');
    console.log(`Machine: ${loadAtStart} at start; ${machine().replace(/^.*load average/, 'load average')} at the end.`);
    console.log('Medians over the rounds; ratio = bot ÷ echo bot (higher is better for throughput, lower for the rest).');
    console.log('Sandbox Graph latency 0 ms; everything on loopback.');
    console.log('');
    console.log(report(series, processes, costs));
    console.log('');
    console.log('Bulk invitations through the bot\'s own service, job runner (JOB_POLL_MS 2000), SQLite and Graph client, against the sandbox:');
    console.log(bulkTable(paced, stop));
    console.log('');
    console.log(`Scale: the fixture with ${SIZES.scaleUsers} more users and ${SIZES.scaleApps} more App Proxy apps (a fresh bot; roles warmed by one help):`);
    console.log(graphTable(scale));
  } finally {
    for (const target of running) await stopTarget(target);
    await connector.stop();
    await sandbox.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
