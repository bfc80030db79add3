import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBot, type RunningBot } from '../../bot/app';
import { loadConfig, SANDBOX_CREDENTIALS, type Config } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import type { RunningSandbox } from '../../sandbox/server';
import { ConnectorStandIn, type ConnectorCall } from './connector';

export interface TestUser {
  aadObjectId: string;
  name: string;
  /** The Teams MRI; derived from the object id when not given. */
  teamsId?: string;
}

export interface TestBotOptions {
  /** Base URL of a running sandbox (https://127.0.0.1:PORT). */
  sandboxUrl: string;
  tenantId: string;
  adminGroupId: string;
  managerGroupId: string;
  /** Extra environment, as an operator would set it. */
  env?: Record<string, string>;
  /** Changes the loaded config before the bot starts, for what the environment cannot express in sandbox mode. */
  configure?: (config: Config) => Config;
}

export interface TestBot {
  bot: RunningBot;
  config: Config;
  connector: ConnectorStandIn;
  dataDir: string;
  /** POSTs an activity to /api/messages as Teams would and returns the HTTP status and body. */
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
  /** Sends a message and waits for the bot's reply calls that follow it. */
  say(user: TestUser, text: string, options?: ActivityOptions & { expectReplies?: number }): Promise<ConnectorCall[]>;
  /** Clicks an Action.Execute button: returns the invoke response body ({statusCode, type, value}). */
  click(user: TestUser, verb: string, data?: Record<string, unknown>, options?: ActivityOptions): Promise<InvokeResult>;
  close(): Promise<void>;
}

export interface InvokeResult {
  status: number;
  statusCode?: number;
  type?: string;
  value?: unknown;
}

export interface ActivityOptions {
  tenantId?: string | null;
  /** Where the tenant id travels: channelData.tenant.id (default) or conversation.tenantId. */
  tenantIn?: 'channelData' | 'conversation';
  withoutAadObjectId?: boolean;
  conversationType?: 'personal' | 'groupChat' | 'channel';
  activityId?: string;
  replyToId?: string;
  /** Message attachments, e.g. a Teams file (application/vnd.microsoft.teams.file.download.info). */
  attachments?: unknown[];
}

export function buildActivity(
  serviceUrl: string,
  defaultTenantId: string,
  user: TestUser,
  fields: Record<string, unknown>,
  options: ActivityOptions = {},
): Record<string, unknown> {
  const tenantId = options.tenantId === undefined ? defaultTenantId : options.tenantId;
  const conversationType = options.conversationType ?? 'personal';
  const conversation: Record<string, unknown> = { id: `a:${conversationType}-${user.aadObjectId}`, conversationType };
  if (tenantId && options.tenantIn === 'conversation') conversation.tenantId = tenantId;
  return {
    id: options.activityId ?? randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl,
    from: {
      id: user.teamsId ?? `29:${user.aadObjectId}`,
      name: user.name,
      ...(options.withoutAadObjectId ? {} : { aadObjectId: user.aadObjectId }),
    },
    recipient: { id: '28:partner-access-bot', name: 'Partner Access Bot' },
    conversation,
    channelData: tenantId && options.tenantIn !== 'conversation' ? { tenant: { id: tenantId } } : {},
    locale: 'en-US',
    ...(options.replyToId ? { replyToId: options.replyToId } : {}),
    ...fields,
  };
}

/**
 * Functional tests read a turn's own answer, and on a loaded two-core CI box a turn can pass the 2 s production budget and
 * answer "working…" instead. The budget itself is proven by test/unit/turnBudget.test.ts and the Graph faults suite,
 * which set TURN_BUDGET_MS themselves; everywhere else it is set out of the way.
 */
const FUNCTIONAL_TEST_TURN_BUDGET_MS = '60000';

/** Starts the real bot server on an ephemeral port, configured through the same loader as production, against the sandbox. */
export async function startTestBot(options: TestBotOptions): Promise<TestBot> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-bot-'));
  const loaded = loadConfig(
    {
      PORT: '1',
      GRAPH_BASE_URL: options.sandboxUrl,
      LOGIN_BASE_URL: options.sandboxUrl,
      TENANT_ID: options.tenantId,
      ADMIN_GROUP_ID: options.adminGroupId,
      MANAGER_GROUP_ID: options.managerGroupId,
      DATA_DIR: dataDir,
      TURN_BUDGET_MS: FUNCTIONAL_TEST_TURN_BUDGET_MS,
      ...options.env,
    },
    dataDir,
  );
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const config: Config = (options.configure ?? ((c: Config) => c))({ ...loaded.config, port: 0, host: '127.0.0.1' });
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  const bot = await startBot(config, log);
  const connector = await new ConnectorStandIn().start();

  const post: TestBot['post'] = async (activity, headers = {}) => {
    const response = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON; keep the text
    }
    return { status: response.status, body };
  };

  return {
    bot,
    config,
    connector,
    dataDir,
    post,
    async say(user, text, activityOptions = {}) {
      const before = connector.calls.length;
      const fields = { type: 'message', text, ...(activityOptions.attachments ? { attachments: activityOptions.attachments } : {}) };
      const activity = buildActivity(connector.serviceUrl, options.tenantId, user, fields, activityOptions);
      const { status } = await post(activity);
      if (status >= 300) throw new Error(`the bot answered ${status} to a message`);
      const expected = activityOptions.expectReplies ?? 1;
      await connector.waitForCalls(before + expected);
      return connector.calls.slice(before);
    },
    async click(user, verb, data = {}, activityOptions = {}) {
      const activity = buildActivity(
        connector.serviceUrl,
        options.tenantId,
        user,
        { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } },
        activityOptions,
      );
      const { status, body } = await post(activity);
      const parsed = (body ?? {}) as { statusCode?: number; type?: string; value?: unknown };
      return { status, statusCode: parsed.statusCode, type: parsed.type, value: parsed.value };
    },
    async close() {
      await bot.close();
      await connector.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** startTestBot against a running sandbox, with its tenant and the fixture's admin and manager groups. */
export function startBotOn(sandbox: RunningSandbox, env: Record<string, string> = {}, configure?: (config: Config) => Config): Promise<TestBot> {
  return startTestBot({
    configure,
    sandboxUrl: sandbox.url,
    tenantId: sandbox.tenantId,
    adminGroupId: sandbox.state.roles.adminGroupId,
    managerGroupId: sandbox.state.roles.managerGroupId,
    env,
  });
}

/** The Adaptive Card of a recorded call, if it carries one. */
export function cardOf(call: ConnectorCall | undefined): Record<string, unknown> | undefined {
  const attachments = call?.activity.attachments;
  if (!Array.isArray(attachments)) return undefined;
  const card = attachments.find((a: { contentType?: string }) => a.contentType === 'application/vnd.microsoft.card.adaptive') as
    | { content?: Record<string, unknown> }
    | undefined;
  return card?.content;
}

/** All text a person would read on a card, for assertions that don't depend on layout. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'text' || key === 'title' || key === 'value') && typeof value === 'string') parts.push(value);
        else walk(value);
      }
    }
  };
  walk(card);
  return parts.join('\n');
}

export interface CardButton {
  verb: string;
  title: string;
  data: Record<string, unknown>;
}

/** Every Action.Execute on a card, in document order: what a person could click. */
export function executeActions(card: unknown): CardButton[] {
  const found: CardButton[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Execute' && typeof record.verb === 'string') {
        found.push({ verb: record.verb, data: (record.data ?? {}) as Record<string, unknown>, title: String(record.title) });
      }
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** The data of the first button with this verb, which the test sends back as the click. */
export function executeData(card: unknown, verb: string): Record<string, unknown> | undefined {
  return executeActions(card).find((b) => b.verb === verb)?.data;
}

/** What Teams sends with a button: the inputs' current values (their defaults, unless the test types over them). */
export function inputDefaults(card: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string' && record.type.startsWith('Input.') && typeof record.id === 'string' && record.value !== undefined) values[record.id] = String(record.value);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return values;
}

/** A form's button data merged with its inputs' values, as Teams sends them when nothing is edited. */
export function formData(card: unknown, verb: string): Record<string, unknown> | undefined {
  const data = executeData(card, verb);
  return data ? { ...inputDefaults(card), ...data } : undefined;
}

/**
 * What Teams sends when "Revoke access now" is clicked on revoke's confirmation card: the button's data (only the
 * confirmation id) merged with the card's inputs, each toggle `remove:<assignment id>` at its default (off) unless its id is
 * in `remove`, and the reason if one is typed. Fails when the card has no such button or no toggle for a chosen id, so a
 * test cannot switch on what the card does not offer.
 */
export function revokeConfirmClick(card: unknown, options: { remove?: readonly string[]; reason?: string } = {}): Record<string, unknown> {
  const data = executeData(card, 'revoke.confirm');
  if (!data) throw new Error('the card has no revoke.confirm button');
  const inputs = inputDefaults(card);
  for (const id of options.remove ?? []) {
    const field = `remove:${id}`;
    if (!(field in inputs)) throw new Error(`the card offers no toggle for assignment ${id}`);
    inputs[field] = 'true';
  }
  return { ...inputs, ...(options.reason !== undefined ? { reason: options.reason } : {}), ...data };
}

/** Polls until `probe` gives a value: for what a job or a proactive message does after the HTTP answer. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export { SANDBOX_CREDENTIALS };
