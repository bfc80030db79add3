import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { HttpLoginEndpoints } from '../../bot/adapters/loginEndpoints';
import type { Config } from '../../bot/config';
import { createGraphClient, createGraphCredential } from '../../bot/graph/client';
import { SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, type RunningSandbox } from '../../sandbox/server';
import { startTestSandbox } from '../helpers/sandbox';

/**
 * The contract suite's harness: one set of checks, two targets. A check calls Graph through the bot's own adapters and
 * returns what it observed in words that do not depend on the directory's data ("404 Request_ResourceNotFound", "parsed");
 * the report puts the sandbox's observation next to the tenant's, and where both ran they must be the same.
 */
export type TargetName = 'sandbox' | 'tenant';

/** What a tenant run may write: one named group, invitations only to one named domain. Undefined: read-only. */
export interface WriteScope {
  groupId: string;
  inviteDomain: string;
}

export interface Target {
  name: TargetName;
  graphConfig: Config['graph'];
  credential: TokenCredential;
  graph: Client;
  login: HttpLoginEndpoints;
  tenantId: string;
  /** The in-process sandbox, for sandbox-only checks (faults, switches, its request log). */
  sandbox?: RunningSandbox;
  writes?: WriteScope;
  /** The group whose transitive user members approve (ADMIN_GROUP_ID on a tenant). */
  adminGroupId?: string;
  /** Unique to this run: every object the suite creates carries it, so cleanup removes only its own. */
  runId: string;
  /** Undone in reverse order in afterAll, whatever the checks did. */
  cleanups: { what: string; undo: () => Promise<void> }[];
  /** Values one check leaves for a later one (the invited guest's id). */
  state: Map<string, string>;
}

export type Outcome = { status: 'pass' | 'fail'; observed: string } | { status: 'not run'; why: string };

interface Row {
  endpoint: string;
  behaviour: string;
  results: Partial<Record<TargetName, Outcome>>;
}

/** Every check's result, per target; printed and written as a table once all targets ran. */
export class ContractReport {
  private readonly rows = new Map<string, Row>();

  record(endpoint: string, behaviour: string, target: TargetName, outcome: Outcome): void {
    const key = `${endpoint}\u0000${behaviour}`;
    const row = this.rows.get(key) ?? { endpoint, behaviour, results: {} };
    row.results[target] = outcome;
    this.rows.set(key, row);
  }

  /** Rows where both targets ran and did not observe the same thing. */
  mismatches(): Row[] {
    return [...this.rows.values()].filter((row) => {
      const { sandbox, tenant } = row.results;
      if (!sandbox || !tenant || sandbox.status === 'not run' || tenant.status === 'not run') return false;
      return sandbox.status !== tenant.status || sandbox.observed !== tenant.observed;
    });
  }

  failures(target: TargetName): Row[] {
    return [...this.rows.values()].filter((row) => row.results[target]?.status === 'fail');
  }

  toMarkdown(notes: string[]): string {
    const cell = (o: Outcome | undefined): string => {
      if (!o) return 'not run';
      const text = o.status === 'not run' ? `not run: ${o.why}` : `${o.status}: ${o.observed}`;
      return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    };
    const lines = [
      '# Graph contract report',
      '',
      ...notes.map((n) => `- ${n}`),
      '',
      '| endpoint | behaviour checked | sandbox | tenant |',
      '|---|---|---|---|',
      ...[...this.rows.values()].map((r) => `| \`${r.endpoint}\` | ${r.behaviour} | ${cell(r.results.sandbox)} | ${cell(r.results.tenant)} |`),
      '',
    ];
    const mismatches = this.mismatches();
    if (mismatches.length > 0) {
      lines.push(`**${mismatches.length} mismatch(es) between sandbox and tenant:**`, '');
      for (const m of mismatches) lines.push(`- \`${m.endpoint}\` ${m.behaviour}: sandbox ${cell(m.results.sandbox)}; tenant ${cell(m.results.tenant)}`);
      lines.push('');
    }
    return lines.join('\n');
  }

  write(file: string, notes: string[]): string {
    const text = this.toMarkdown(notes);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return text;
  }
}

export const REPORT_FILE = path.resolve(__dirname, '..', 'artifacts', 'contract-report.md');

/** How a tenant run is configured, read from the environment; `skip` says why it does not run. */
export type TenantSettings = { run: true; graph: Config['graph']; writes?: WriteScope; adminGroupId?: string } | { run: false; why: string };

const MICROSOFT_GRAPH = 'https://graph.microsoft.com';
const MICROSOFT_LOGIN = 'https://login.microsoftonline.com';

export function tenantSettings(env: NodeJS.ProcessEnv = process.env): TenantSettings {
  if (env['CONTRACT_TENANT'] !== '1') return { run: false, why: 'CONTRACT_TENANT=1 is not set' };
  const tenantId = env['AZURE_TENANT_ID'];
  const clientId = env['AZURE_CLIENT_ID'];
  const secret = env['AZURE_CLIENT_SECRET'];
  const certificatePath = env['AZURE_CLIENT_CERTIFICATE_PATH'];
  if (!tenantId || !clientId || (!secret && !certificatePath)) {
    return { run: false, why: 'CONTRACT_TENANT=1 but AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) are not all set' };
  }
  const loginBaseUrl = env['LOGIN_BASE_URL'] ?? MICROSOFT_LOGIN;
  const credential: Config['graph']['credential'] = secret
    ? { kind: 'secret', tenantId, clientId, clientSecret: secret }
    : { kind: 'certificate', tenantId, clientId, certificatePath: certificatePath ?? '', ...(env['AZURE_CLIENT_CERTIFICATE_PASSWORD'] ? { certificatePassword: env['AZURE_CLIENT_CERTIFICATE_PASSWORD'] } : {}) };
  const graph: Config['graph'] = { baseUrl: env['GRAPH_BASE_URL'] ?? MICROSOFT_GRAPH, loginBaseUrl, customAuthority: loginBaseUrl !== MICROSOFT_LOGIN, credential };
  const adminGroupId = env['CONTRACT_ADMIN_GROUP_ID'] ?? env['ADMIN_GROUP_ID'];
  const base = { run: true as const, graph, ...(adminGroupId ? { adminGroupId } : {}) };
  if (env['CONTRACT_WRITE'] !== '1') return base;
  const groupId = env['CONTRACT_GROUP_ID'];
  const inviteDomain = env['CONTRACT_INVITE_DOMAIN'];
  if (!groupId || !inviteDomain) {
    throw new Error('CONTRACT_WRITE=1 needs CONTRACT_GROUP_ID (the only group the suite may add to) and CONTRACT_INVITE_DOMAIN (the only domain it may invite).');
  }
  return { ...base, writes: { groupId, inviteDomain: inviteDomain.toLowerCase() } };
}

function targetFrom(name: TargetName, graphConfig: Config['graph'], tenantId: string, extra: Partial<Target>): Target {
  const credential = createGraphCredential(graphConfig);
  return {
    name,
    graphConfig,
    credential,
    graph: createGraphClient(graphConfig, credential),
    login: new HttpLoginEndpoints({ loginBaseUrl: graphConfig.loginBaseUrl }),
    tenantId,
    runId: `contract-${randomUUID().slice(0, 8)}`,
    cleanups: [],
    state: new Map(),
    ...extra,
  };
}

/** The sandbox, reached through the production factories exactly as `npm start` in sandbox mode reaches it. */
export async function sandboxTarget(): Promise<Target> {
  const sandbox = await startTestSandbox();
  const graphConfig: Config['graph'] = {
    baseUrl: sandbox.url,
    loginBaseUrl: sandbox.url,
    customAuthority: true,
    credential: { kind: 'secret', tenantId: sandbox.tenantId, clientId: SANDBOX_CLIENT_ID, clientSecret: SANDBOX_CLIENT_SECRET },
  };
  const adminGroupId = sandbox.state.roles.adminGroupId;
  // The sandbox is disposable: writes are allowed, in the group and domain a tenant run would be given.
  return targetFrom('sandbox', graphConfig, sandbox.tenantId, { sandbox, adminGroupId, writes: { groupId: '9a000000-0000-4000-8000-000000000004', inviteDomain: 'fabrikam.com' } });
}

export function tenantTarget(settings: Extract<TenantSettings, { run: true }>): Target {
  const tenantId = settings.graph.credential.kind === 'managedIdentity' ? '' : settings.graph.credential.tenantId;
  return targetFrom('tenant', settings.graph, tenantId, {
    ...(settings.writes ? { writes: settings.writes } : {}),
    ...(settings.adminGroupId ? { adminGroupId: settings.adminGroupId } : {}),
  });
}

const FoundIds = z.object({ value: z.array(z.object({ id: z.string(), mail: z.string().nullish() })) });

/**
 * The last line of cleanup on a tenant that allows writes: whatever user holds this run's invitation address is removed,
 * even one whose creation the checks never got to record (a response lost after Graph created the guest).
 */
export function sweepRunGuests(target: Target): void {
  const scope = target.writes;
  if (target.sandbox || !scope) return;
  const address = `${target.runId}@${scope.inviteDomain}`;
  target.cleanups.push({
    what: `sweep users with mail ${address}`,
    undo: async () => {
      const found = FoundIds.parse(await target.graph.api(`/users?$filter=${encodeURIComponent(`mail eq '${address}'`)}&$select=id,mail`).get());
      for (const user of found.value) {
        if (user.mail?.toLowerCase() !== address) continue;
        await target.graph.api(`/users/${user.id}`).delete();
        await target.graph
          .api(`/directory/deletedItems/${user.id}`)
          .delete()
          .catch(() => undefined);
      }
    },
  });
}

/** Runs every cleanup, newest first; one that fails does not stop the others, and all failures are returned. */
export async function cleanUp(target: Target): Promise<string[]> {
  const problems: string[] = [];
  for (const { what, undo } of [...target.cleanups].reverse()) {
    try {
      await undo();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  target.cleanups.length = 0;
  return problems;
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body?: unknown;
}

/**
 * Records every request the Graph client and the login adapter send while `during` runs: both call the global fetch, so
 * the request shape (headers such as ConsistencyLevel, the query) is seen as it leaves the bot, on either target.
 */
export async function recordRequests<T>(during: () => Promise<T>): Promise<{ result: T; requests: RecordedRequest[] }> {
  const original = globalThis.fetch;
  const requests: RecordedRequest[] = [];
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    let body: unknown;
    if (typeof init?.body === 'string') {
      try {
        body = JSON.parse(init.body) as unknown;
      } catch {
        body = init.body;
      }
    }
    requests.push({ method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(), url, headers, body });
    return original(input, init);
  };
  try {
    return { result: await during(), requests };
  } finally {
    globalThis.fetch = original;
  }
}

/** What a Graph failure looked like, as a target-independent observation: status and code. */
export function statusAndCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const e = error as { statusCode: unknown; code?: unknown };
    return `${String(e.statusCode)} ${typeof e.code === 'string' ? e.code : ''}`.trim();
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export interface CheckOptions {
  /** Runs only on the sandbox; the tenant column says why (a fault injection, a switch, data only the fixture has). */
  sandboxOnly?: string;
  /** Writes: on a tenant only with CONTRACT_WRITE=1, inside the named group and domain. */
  writes?: boolean;
}

export type CheckFn = (target: Target) => Promise<string>;

/** Thrown by a check whose precondition this target lacks (a tenant with no App Proxy app): recorded as not run, not failed. */
export class NotRun extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'NotRun';
  }
}

/**
 * Registers one check as a jest test for the current target and records its outcome. The function returns its
 * observation; an assertion that throws records a failure (with what was thrown) and fails the test.
 */
export function checker(report: ContractReport, name: TargetName, target: () => Target) {
  return function check(endpoint: string, behaviour: string, fn: CheckFn, options: CheckOptions = {}): void {
    if (name === 'tenant' && options.sandboxOnly) {
      report.record(endpoint, behaviour, name, { status: 'not run', why: `sandbox-only (${options.sandboxOnly})` });
      return;
    }
    it(`${endpoint}: ${behaviour}`, async () => {
      const t = target();
      if (options.writes && !t.writes) {
        report.record(endpoint, behaviour, name, { status: 'not run', why: 'read-only run (CONTRACT_WRITE=1 allows writes)' });
        return;
      }
      try {
        const observed = await fn(t);
        report.record(endpoint, behaviour, name, { status: 'pass', observed });
      } catch (error) {
        if (error instanceof NotRun) {
          report.record(endpoint, behaviour, name, { status: 'not run', why: error.message });
          return;
        }
        const observed = error instanceof Error ? error.message.split('\n').filter((l) => l.trim()).slice(0, 3).join(' ') : String(error);
        report.record(endpoint, behaviour, name, { status: 'fail', observed });
        throw error;
      } finally {
        t.sandbox?.setFaults([]);
      }
    });
  };
}

export type Check = ReturnType<typeof checker>;
