import { randomUUID } from 'node:crypto';
import type { FaultRule, RunningSandbox, SandboxOptions } from '../../sandbox/server';
import { cardOf, cardText, executeData, formData, startBotOn, waitFor, type TestBot, type TestUser } from '../helpers/bot';
import type { ConnectorCall } from '../helpers/connector';
import { startTestSandbox } from '../helpers/sandbox';

/**
 * Suite 4 of issue 17, "Graph faults". Each fault runs against its own sandbox and bot, all at once; within a fault the
 * interactions run one after the other, each with the fault armed afresh. Every interaction must give its first answer
 * within the turn budget (the result or "working…"), its final answer within 15 s of that, never the internal-failure
 * card, at most one reply and one update, and leave the store and the directory as its final card says.
 */
const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
const MEMBER: TestUser = { aadObjectId: 'c0000000-0000-4000-8000-000000000001', name: 'Alex Wilber' };
const EXPENSES = 'f3000000-0000-4000-8000-000000000001';
const EXPENSES_MSIAM_ROLE = 'b9632174-c057-4f7e-951b-be3adc52bfe6';
const ALICE_GUEST = 'e0000000-0000-4000-8000-000000000001';

const TURN_BUDGET_MS = 2_000;
/** A loaded 2-core box delays a reply by scheduling alone; the budget is what the bot aims at, the slack what CI allows. */
const SLACK_MS = 1_500;
/** Teams waits about 15 s; the final card must come within that of the last update. */
const FINAL_WITHIN_MS = 15_000;

interface FaultCase {
  name: string;
  /** Armed before each interaction, so each one meets the fault from its first Graph request. */
  rules: FaultRule[];
  sandbox?: Partial<SandboxOptions>;
}

const everyRequest = (rule: Omit<FaultRule, 'appliesTo'>): FaultRule => ({ ...rule, appliesTo: 'request' });

const ALL_CASES: FaultCase[] = [
  { name: '429 Retry-After 1 (twice)', rules: [everyRequest({ status: 429, retryAfterSeconds: 1, times: 2 })] },
  { name: '429 Retry-After 8 (once)', rules: [everyRequest({ status: 429, retryAfterSeconds: 8, times: 1 })] },
  { name: '429 Retry-After 30 (always)', rules: [everyRequest({ status: 429, retryAfterSeconds: 30 })] },
  { name: '503 Retry-After 2 (twice)', rules: [everyRequest({ status: 503, retryAfterSeconds: 2, times: 2 })] },
  { name: '503 without Retry-After (always)', rules: [everyRequest({ status: 503 })] },
  { name: '10 s latency (always)', rules: [{ latencyMs: 10_000 }] },
  { name: '429 inside $batch items (always)', rules: [{ appliesTo: 'batchItem', status: 429, retryAfterSeconds: 1 }] },
  { name: 'anti-abuse 403 on POST /invitations', rules: [], sandbox: { invitations: { abuseBlockAfter: 0 } } },
];
/** GRAPH_FAULTS_ONLY=<part of a name> runs only the matching faults, for working on one. */
const ONLY = process.env.GRAPH_FAULTS_ONLY;
const CASES = ONLY ? ALL_CASES.filter((c) => c.name.includes(ONLY)) : ALL_CASES;

interface Measured {
  interaction: string;
  firstMs: number;
  finalMs: number;
  deferred: boolean;
  finalText: string;
  failures: string[];
}

const results = new Map<string, Measured[]>();

function isWorking(text: string): boolean {
  return text.includes('Working on it');
}

function shortTitle(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '' && !['Problem', 'Check this', 'Done', 'Information', 'Refresh'].includes(line.trim())) ?? '').slice(0, 70);
}

/** The checks every interaction gets, whatever it is. */
function commonChecks(m: Omit<Measured, 'failures'>, replies: number, updates: number): string[] {
  const failures: string[] = [];
  if (m.firstMs > TURN_BUDGET_MS + SLACK_MS) failures.push(`first answer after ${m.firstMs} ms`);
  if (m.finalMs - m.firstMs > FINAL_WITHIN_MS) failures.push(`final answer ${m.finalMs - m.firstMs} ms after the first`);
  if (isWorking(m.finalText)) failures.push('the final card still says "working…"');
  if (m.finalText.includes('Something went wrong on my side')) failures.push('the final card is the internal-failure card');
  if (replies !== 1) failures.push(`${replies} replies instead of one`);
  if (updates > (m.deferred ? 1 : 0)) failures.push(`${updates} updates of the first answer`);
  if (m.deferred && updates === 0) failures.push('deferred, but the first answer was never updated');
  return failures;
}

class FaultRun {
  constructor(
    readonly fault: FaultCase,
    readonly sandbox: RunningSandbox,
    readonly bot: TestBot,
  ) {}

  arm(): void {
    this.sandbox.setFaults(this.fault.rules);
  }

  private updatesOf(conversationId: string, activityId: string): ConnectorCall[] {
    return this.bot.connector.calls.filter((c) => c.method === 'PUT' && c.conversationId === conversationId && c.activityId === activityId);
  }

  /** Waits for the update of a deferred answer, a little past the limit so that a late one is measured, not missed. */
  private async finalUpdate(conversationId: string, activityId: string): Promise<ConnectorCall | undefined> {
    return waitFor(`the update of ${activityId}`, () => this.updatesOf(conversationId, activityId)[0], FINAL_WITHIN_MS + 5_000).catch(() => undefined);
  }

  async say(user: TestUser, text: string): Promise<Omit<Measured, 'failures'> & { replies: number; updates: number; finalCard: unknown }> {
    const activityId = randomUUID();
    const conversationId = `a:personal-${user.aadObjectId}`;
    const started = Date.now();
    await this.bot.say(user, text, { activityId, expectReplies: 0 });
    const first = await waitFor(`the reply to "${text}"`, () => this.bot.connector.calls.find((c) => c.method === 'POST' && c.activity.replyToId === activityId), 20_000);
    const firstText = cardText(cardOf(first));
    const deferred = isWorking(firstText);
    const update = deferred ? await this.finalUpdate(conversationId, first.id) : undefined;
    const final = deferred ? update : first;
    await settle();
    return {
      interaction: text.split(' ')[0] ?? text,
      firstMs: first.at - started,
      finalMs: (final?.at ?? Date.now()) - started,
      deferred,
      finalText: final ? cardText(cardOf(final)) : 'Working on it (never updated)',
      finalCard: cardOf(final),
      replies: this.bot.connector.calls.filter((c) => c.method === 'POST' && c.activity.replyToId === activityId).length,
      updates: this.updatesOf(conversationId, first.id).length,
    };
  }

  async click(user: TestUser, verb: string, data: Record<string, unknown>): Promise<Omit<Measured, 'failures'> & { replies: number; updates: number }> {
    const cardActivityId = `card-${randomUUID()}`;
    const conversationId = `a:personal-${user.aadObjectId}`;
    const started = Date.now();
    const result = await this.bot.click(user, verb, data, { replyToId: cardActivityId });
    const firstMs = Date.now() - started;
    const firstText = typeof result.value === 'string' ? result.value : cardText(result.value);
    const deferred = isWorking(firstText);
    const update = deferred ? await this.finalUpdate(conversationId, cardActivityId) : undefined;
    await settle();
    return {
      interaction: `${verb} click`,
      firstMs,
      finalMs: deferred ? (update?.at ?? Date.now()) - started : firstMs,
      deferred,
      finalText: deferred ? (update ? cardText(cardOf(update)) : 'Working on it (never updated)') : firstText,
      replies: result.status === 200 ? 1 : 0,
      updates: this.updatesOf(conversationId, cardActivityId).length,
    };
  }
}

/** Lets a just-delivered answer be followed by any second one it should not have, before the counts are read. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 300));
}

async function runCase(fault: FaultCase, index: number): Promise<Measured[]> {
  const sandbox = await startTestSandbox(fault.sandbox ?? {});
  // Roles expire after 1 s, so most interactions start with a cold role lookup under the fault.
  const bot = await startBotOn(sandbox, { ROLE_CACHE_SECONDS: '1', JOB_POLL_MS: '100', TURN_BUDGET_MS: String(TURN_BUDGET_MS) });
  const run = new FaultRun(fault, sandbox, bot);
  const measured: Measured[] = [];
  try {
    for (const user of [ADMIN, MANAGER, MEMBER]) await bot.say(user, 'whoami');

    // Before the fault: an invitation confirmation card and an access request waiting for Adele's approval.
    const invitee = `fault${index}@fabrikam.com`;
    // Through run.say, so that a set-up answer deferred by a loaded machine is awaited to its final card.
    const confirm = await run.say(ADMIN, `invite ${invitee}`);
    const submit = formData(confirm.finalCard, 'invite.submit');
    const form = await run.say(MANAGER, 'request expenses for alice@fabrikam.com for 14 days because Quarterly close');
    const request = formData(form.finalCard, 'access.submit');
    if (!submit || !request) throw new Error(`setup failed: ${confirm.finalText} / ${form.finalText}`);
    const submitted = await bot.click(MANAGER, 'access.submit', { ...request, appRoleId: EXPENSES_MSIAM_ROLE, days: '14' });
    const requestId = String(request.formId);
    const approval = await waitFor(`the approval card (after: ${typeof submitted.value === 'string' ? submitted.value : cardText(submitted.value)})`, () =>
      bot.connector.calls.find((c) => c.conversationId === `a:personal-${ADMIN.aadObjectId}` && executeData(cardOf(c), 'access.approve')?.id === requestId),
    );
    const approve = formData(cardOf(approval), 'access.approve') ?? { id: requestId };
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const messages: [TestUser, string][] = [
      [MEMBER, 'help'],
      [ADMIN, 'whois alice@fabrikam.com'],
      [MEMBER, 'realm alice@fabrikam.com'],
      [MANAGER, 'apps'],
      [MANAGER, 'request timesheets for alice@fabrikam.com for 7 days because Timesheet review'],
      [ADMIN, `invite other${index}@fabrikam.com`],
    ];
    for (const [user, text] of messages) {
      run.arm();
      const m = await run.say(user, text);
      measured.push({ ...m, failures: commonChecks(m, m.replies, m.updates) });
    }

    run.arm();
    const before = sandbox.stats().requests.length;
    const invited = await run.click(ADMIN, 'invite.submit', submit);
    const invitePosts = sandbox.stats().requests.slice(before).filter((r) => r.method === 'POST' && /\/invitations$/.test(r.path) && r.status === 201);
    const guests = [...sandbox.state.users.values()].filter((u) => (u.mail ?? '').toLowerCase() === invitee);
    const inviteFailures = commonChecks(invited, invited.replies, invited.updates);
    if (guests.length > 1) inviteFailures.push(`${guests.length} guests for ${invitee}`);
    if (invitePosts.length > 1) inviteFailures.push(`${invitePosts.length} accepted POST /invitations`);
    if (invited.finalText.includes('is invited') && guests.length !== 1) inviteFailures.push('the card says invited but there is no guest');
    measured.push({ ...invited, failures: inviteFailures });

    const aliceHolds = () => sandbox.state.appRoleAssignments.filter((a) => a.resourceId === EXPENSES && a.principalId === ALICE_GUEST).length;
    const heldBefore = aliceHolds();
    run.arm();
    const approved = await run.click(ADMIN, 'access.approve', approve);
    sandbox.setFaults([]);
    const record = await bot.bot.services.store.accessRequests.get(requestId);
    const approveFailures = commonChecks(approved, approved.replies, approved.updates);
    const saysApproved = approved.finalText.includes('Approved by');
    if (saysApproved && record?.state === 'pending') approveFailures.push('the card says approved but the request is still pending');
    if (!saysApproved && record?.state !== 'pending') approveFailures.push(`the card does not say approved but the request is ${record?.state}`);
    if (saysApproved) {
      // With Graph healthy again, the grant job finishes (or ends failed), with one assignment at most.
      const settled = await waitFor('the grant to settle', async () => {
        const now = await bot.bot.services.store.accessRequests.get(requestId);
        return now && ['granted', 'failed'].includes(now.state) ? now : undefined;
      }, 20_000).catch(() => undefined);
      if (!settled) approveFailures.push('the approved request never settled');
    }
    const added = aliceHolds() - heldBefore;
    if (added > 1) approveFailures.push(`${added} assignments made for one approval`);
    measured.push({ ...approved, failures: approveFailures });
  } finally {
    sandbox.setFaults([]);
    await bot.close().catch(() => undefined);
    await sandbox.close();
  }
  return measured;
}

describe('Graph faults', () => {
  let elapsedMs = 0;

  beforeAll(async () => {
    const started = Date.now();
    const settled = await Promise.allSettled(CASES.map(async (fault, index) => results.set(fault.name, await runCase(fault, index))));
    settled.forEach((outcome, index) => {
      const fault = CASES[index];
      if (outcome.status === 'rejected' && fault) {
        const reason: unknown = outcome.reason;
        results.set(fault.name, [{ interaction: 'setup', firstMs: 0, finalMs: 0, deferred: false, finalText: '', failures: [`the case did not run: ${String(reason)}`] }]);
      }
    });
    elapsedMs = Date.now() - started;
  }, 240_000);

  afterAll(() => {
    const all = [...results.values()].flat();
    const failed = all.filter((m) => m.failures.length > 0).length;
    const lines = [
      `graph faults: ${all.length - failed} passed, ${failed} failed (${CASES.length} faults at once, ${all.length} interactions, ${Math.round(elapsedMs / 1000)} s; ` +
        `turn budget ${TURN_BUDGET_MS} ms + ${SLACK_MS} ms slack, final within ${FINAL_WITHIN_MS} ms of the first answer)`,
    ];
    for (const fault of CASES) {
      const measured = results.get(fault.name) ?? [];
      const firsts = measured.map((m) => m.firstMs);
      lines.push(`${fault.name}: first answer max ${Math.max(0, ...firsts)} ms, final max ${Math.max(0, ...measured.map((m) => m.finalMs))} ms`);
      for (const m of measured) {
        const how = m.deferred ? `"working…" at ${m.firstMs} ms, final at ${m.finalMs} ms` : `answered at ${m.firstMs} ms`;
        lines.push(`  ${m.interaction}: ${how}: ${shortTitle(m.finalText)}${m.failures.length ? `  FAILED: ${m.failures.join('; ')}` : ''}`);
      }
    }
    console.log(lines.join('\n'));
  });

  it.each(CASES.map((c) => c.name))('%s: every answer comes in time, ends clearly, and loses or doubles nothing', (name) => {
    const measured = results.get(name) ?? [];
    expect(measured.length).toBeGreaterThan(0);
    expect(measured.flatMap((m) => m.failures.map((f) => `${m.interaction}: ${f}`))).toEqual([]);
  });
});
