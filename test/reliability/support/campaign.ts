import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'ldapts';
import { escapeFilterValue } from '../../../bot/onprem/ldapEscape';
import { openStore, type AccessRequestState, type Store } from '../../../bot/store';
import { ACCESS_REQUEST_STATES } from '../../../bot/store/accessRequests';
import type { RunningSandbox } from '../../../sandbox/server';
import { buildActivity, cardOf, cardText, executeData, formData, type TestUser } from '../../helpers/bot';
import type { ConnectorCall } from '../../helpers/connector';
import { contosoFixture, startTestSandbox } from '../../helpers/sandbox';
import { BotProcess, guestId, guestMail, guestName, KillingConnector, poll, removeDir, sleep, whenGraphRequestArrives, withGeneratedGuests } from './crashLab';

/**
 * How long a step the bot owes after a restart may take before the flow counts as stuck: an approver's card (sent by the
 * time-out job's first run when the dying turn's fan-out was lost), a time-out past its deadline, a grant, the
 * requester's notice. Each waits on a durable job: the dead instance's job lease (JOB_LEASE_SECONDS 5 here), the restart,
 * the job's first run (APPROVAL_FANOUT_CHECK_SECONDS 3 here) and the runner's back-off after a step that failed with the
 * process or on a Graph call timed out under load (1 + 2 + 4 + 8 s) can add up past 12 s with nothing wrong, on a loaded
 * CI machine. This bounds liveness only; the guarantees (one terminal state, one assignment, notices at least once, a
 * repeat saying so) are checked by verify() whatever the time taken.
 */
const RECOVERY_WINDOW_MS = 25_000;
const RECOVERY_WINDOW = `${RECOVERY_WINDOW_MS / 1000} s`;

export const ADMIN: TestUser = { aadObjectId: 'a0000000-0000-4000-8000-000000000001', name: 'Adele Vance' };
export const MANAGER: TestUser = { aadObjectId: 'b0000000-0000-4000-8000-000000000001', name: 'Megan Bowen' };
export interface CampaignApp {
  id: string;
  /** How `request` names it. */
  word: string;
  /** Form inputs the test sets over the defaults. */
  inputs: Record<string, string>;
}

/** An App Proxy app with SAML sign-on, owned by Adele; the form asks for one of its two roles. */
export const EXPENSES: CampaignApp = { id: 'f3000000-0000-4000-8000-000000000001', word: 'expenses', inputs: { appRoleId: '18d14569-c3bd-439b-9a66-3a2aee01d14f' } };
/** An App Proxy app with Kerberos (IWA) sign-on: a cloud-only partner gets a shadow account in AD first. */
export const TIMESHEETS: CampaignApp = { id: 'f3000000-0000-4000-8000-000000000002', word: 'timesheets', inputs: {} };
export const SHADOW_LINK = 'msDS-cloudExtensionAttribute1';

const TERMINAL: readonly AccessRequestState[] = ACCESS_REQUEST_STATES.filter((s) => s !== 'pending' && s !== 'approved');
const personal = (user: TestUser): string => `a:personal-${user.aadObjectId}`;

/** How a kill was chosen: at a random delay after a step started, or when a given request or message was seen. */
export type KillKind = 'random' | 'targeted';

/** One flow interrupted by one kill -9: what the campaign counts. */
export interface KillPoint {
  lane: string;
  flow: string;
  kind: KillKind;
  /** The flow's step when the kill came, and the trigger, e.g. "grant (POST appRoleAssignedTo held 2400 ms)". */
  at: string;
}

export interface Check {
  name: string;
  ok: boolean;
}

/** What the campaign measured about the requester's outcome notice, across every access flow. */
export interface NoticeTally {
  once: number;
  /** Told more than once, each repeat saying that it repeats. */
  repeatedMarked: number;
  /** Told more than once with a repeat that reads as a new notice. */
  repeatedUnmarked: number;
  never: number;
}

export interface Shadow {
  ldap: Client;
  baseDn: string;
  env: Record<string, string>;
}

interface Trigger {
  kind: KillKind;
  describe: string;
  /** Random: kill `delayMs` after this flow starts this step. */
  random?: { flow: number; step: string; delayMs: number };
  /** Targeted: arms itself, resolves true when it fired the kill. */
  arm?: (lane: Lane) => Promise<boolean>;
  /** Targeted: the flow the trigger aims at, told by its kind and step when the kill comes. */
  aims?: (flow: Flow) => boolean;
}

/** The notices as a failure message shows them: when each came, and what it said. */
function describeNotices(notices: ConnectorCall[]): string {
  const first = notices[0]?.at ?? 0;
  return notices.map((c) => `+${c.at - first} ms ${String(c.activity.text ?? '').slice(0, 120)}`).join(' | ');
}

type FlowResult = 'done' | 'interrupted' | { stuck: string };

/** How an access request ends: an approver's click, or its deadline with nobody deciding. */
type AccessDecision = 'approve' | 'deny' | 'timeout';

abstract class Flow {
  step = 'not started';
  done = false;
  started = false;
  constructor(
    readonly lane: Lane,
    readonly label: string,
  ) {}

  /** Drives the flow as its users would, until it ends, the bot dies (interrupted) or it stops moving (stuck). */
  abstract drive(epoch: number, deadline: number): Promise<FlowResult>;
  /** The invariants of a finished flow. */
  abstract verify(): Promise<Check[]>;

  protected async enter(step: string): Promise<void> {
    this.step = step;
    this.started = true;
    this.lane.stepStarted(this, step);
    await Promise.resolve();
  }
}

class AccessFlow extends Flow {
  formId?: string;
  private form?: Record<string, unknown>;
  private submitted = false;

  constructor(
    lane: Lane,
    readonly guest: number,
    /** `timeout`: nobody decides, and the flow moves the deadline into the past as if the days had gone by. */
    readonly decision: AccessDecision,
    readonly app: CampaignApp,
  ) {
    super(lane, `${app.word} ${decision} ${guestMail(guest)}`);
  }

  /** The steps this flow goes through, for a random kill to choose from. */
  get steps(): string[] {
    return this.decision === 'timeout' ? ['request', 'submit', 'timeout', 'notify'] : ['request', 'submit', 'decide', 'grant', 'notify'];
  }

  async drive(epoch: number, deadline: number): Promise<FlowResult> {
    const { lane } = this;
    let waitingSince = Date.now();
    let lastState = 'none';
    while (Date.now() < deadline) {
      if (lane.epoch !== epoch) return 'interrupted';
      if (!this.form) {
        await this.enter('request');
        const reply = await lane.ask(MANAGER, `request ${this.app.word} for ${guestMail(this.guest)} for 14 days because Crash campaign ${this.guest}`, epoch);
        if (reply === 'interrupted') return reply;
        const data = reply ? formData(cardOf(reply), 'access.submit') : undefined;
        if (!data && reply && saysTryAgain(reply)) {
          // Graph did not answer in time and nothing was changed: the user asks again a moment later, as the card says.
          await sleep(1000);
          continue;
        }
        if (!data) return { stuck: `no request form: ${reply ? cardText(cardOf(reply)).slice(0, 200) : 'no reply'}` };
        this.form = { ...data, ...this.app.inputs };
        this.formId = String(data.formId);
        continue;
      }
      const record = await lane.store.accessRequests.get(this.formId ?? '');
      const state = record?.state ?? 'none';
      if (state !== lastState) {
        lastState = state;
        waitingSince = Date.now();
      }
      // A click the dying bot never answered failed for the requester, who clicks Send again.
      if (!record || !this.submitted) {
        await this.enter('submit');
        const clicked = await lane.click(MANAGER, 'access.submit', this.form, epoch);
        if (clicked === 'interrupted') return 'interrupted';
        this.submitted = true;
        // Past its turn budget, the click answers "working…" and the request is stored a moment later.
        const stored = await poll(async () => (await lane.store.accessRequests.get(this.formId ?? '')) ?? (lane.epoch !== epoch ? null : undefined), clicked.includes('Working on it…') ? 15_000 : 0);
        if (stored === null) return 'interrupted';
        if (!stored && clicked.includes('Working on it…')) {
          // The deferred Send failed (its result asks to try again) or is still on its way: the requester clicks Send again;
          // the form id makes a second Send of the same form store one request.
          this.submitted = false;
          continue;
        }
        if (!stored) return { stuck: `Send request made no request: ${clicked.slice(0, 300)}` };
        continue;
      }
      if (record.state === 'pending' && this.decision === 'timeout') {
        await this.enter('timeout');
        // The deadline passes; the bot's time-out job, due now, ends the request. Again after a restart: it is idempotent.
        const past = new Date(Date.now() - 1000).toISOString();
        await lane.store.db.updateTable('access_request').set({ approval_deadline: past }).where('id', '=', this.formId ?? '').execute();
        await lane.store.db.updateTable('job').set({ run_at: past }).where('unique_key', '=', `access.requestTimeout:${this.formId ?? ''}`).where('state', '=', 'pending').execute();
        if (Date.now() - waitingSince > RECOVERY_WINDOW_MS) return { stuck: `past its deadline for ${RECOVERY_WINDOW}, still pending` };
        await sleep(200);
        continue;
      }
      if (record.state === 'pending') {
        await this.enter('decide');
        const card = lane.callsTo(ADMIN).find((c) => executeData(cardOf(c), 'access.approve')?.id === this.formId);
        if (!card) {
          if (Date.now() - waitingSince > RECOVERY_WINDOW_MS) return { stuck: `pending for ${RECOVERY_WINDOW}, and the approver never got a card` };
          await sleep(50);
          continue;
        }
        const verb = this.decision === 'approve' ? 'access.approve' : 'access.deny';
        if ((await lane.click(ADMIN, verb, { id: this.formId, comment: 'crash campaign' }, epoch)) === 'interrupted') return 'interrupted';
        continue;
      }
      if (record.state === 'approved') {
        await this.enter('grant');
        if (Date.now() - waitingSince > RECOVERY_WINDOW_MS) return { stuck: `approved for ${RECOVERY_WINDOW}, never granted (${record.grantError ?? 'no error'})` };
        await sleep(40);
        continue;
      }
      await this.enter('notify');
      if (this.notices().length > 0) {
        // Let a repeat that is already on its way arrive, so that it is counted.
        await sleep(150);
        this.done = true;
        return 'done';
      }
      if (Date.now() - waitingSince > RECOVERY_WINDOW_MS) {
        const toRequester = lane.callsTo(MANAGER).map((c) => `${c.method} ${String(c.activity.text ?? '')}`);
        return { stuck: `${record.state}, and the requester was never told (Megan got: ${toRequester.slice(-3).join(' | ') || 'nothing'})` };
      }
      await sleep(40);
    }
    return { stuck: `still ${lastState} at the deadline` };
  }

  /** The requester's outcome notices for this request: proactive messages to Megan that name this partner. */
  notices(): ConnectorCall[] {
    return this.lane
      .callsTo(MANAGER)
      .filter((c) => c.method === 'POST' && String(c.activity.text ?? '').includes(`for ${guestName(this.guest)}:`));
  }

  async verify(): Promise<Check[]> {
    const { lane } = this;
    const checks: Check[] = [];
    const rows = await lane.store.accessRequests.findFor(guestId(this.guest), this.app.id, ACCESS_REQUEST_STATES);
    const expected = ({ approve: 'granted', deny: 'denied', timeout: 'timedOut' } as const)[this.decision];
    checks.push({ name: `${this.label}: one request (saw ${rows.length})`, ok: rows.length === 1 });
    const states = rows.map((r) => r.state);
    checks.push({ name: `${this.label}: ends ${expected} (saw ${states.join(', ') || 'none'})`, ok: states.length === 1 && states[0] === expected && TERMINAL.includes(expected) });
    const assignments = lane.sandbox.state.appRoleAssignments.filter((a) => a.resourceId === this.app.id && a.principalId === guestId(this.guest));
    const want = expected === 'granted' ? 1 : 0;
    checks.push({ name: `${this.label}: ${want} app role assignment(s) (saw ${assignments.length})`, ok: assignments.length === want });
    if (lane.shadow && this.app === TIMESHEETS) {
      const { searchEntries } = await lane.shadow.ldap.search(lane.shadow.baseDn, { filter: `(${SHADOW_LINK}=${escapeFilterValue(guestId(this.guest))})`, attributes: ['sAMAccountName'] });
      const wantAd = expected === 'granted' ? 1 : 0;
      checks.push({ name: `${this.label}: ${wantAd} AD object(s) for the shadow account (saw ${searchEntries.length})`, ok: searchEntries.length === wantAd });
    }
    const notices = this.notices();
    const marked = notices.slice(1).every((c) => /repeat|again|already/i.test(`${String(c.activity.text ?? '')} ${cardText(cardOf(c))}`));
    lane.countNotice(notices.length, marked);
    checks.push({ name: `${this.label}: the requester is told (${notices.length} notice(s))`, ok: notices.length >= 1 });
    checks.push({ name: `${this.label}: a repeated notice says it repeats${marked ? '' : ` (${describeNotices(notices)})`}`, ok: marked });
    return checks;
  }
}

class BulkFlow extends Flow {
  runId?: string;
  private start?: Record<string, unknown>;
  readonly addresses: string[];

  constructor(lane: Lane, serial: number, size: number) {
    super(lane, `bulk run ${serial} of ${size}`);
    this.addresses = Array.from({ length: size }, (_, i) => `bulk${serial}-${i}@fabrikam.com`);
  }

  async drive(epoch: number, deadline: number): Promise<FlowResult> {
    const { lane } = this;
    let waitingSince = Date.now();
    let lastState = 'none';
    while (Date.now() < deadline) {
      if (lane.epoch !== epoch) return 'interrupted';
      if (!this.start) {
        await this.enter('list');
        const reply = await lane.ask(ADMIN, `invite ${this.addresses.join(', ')}`, epoch);
        if (reply === 'interrupted') return reply;
        const data = reply ? executeData(cardOf(reply), 'bulk.start') : undefined;
        if (!data && reply && saysTryAgain(reply)) {
          // Graph did not answer in time and nothing was changed: the user asks again a moment later, as the card says.
          await sleep(1000);
          continue;
        }
        if (!data) return { stuck: `no Start button: ${reply ? cardText(cardOf(reply)).slice(0, 200) : 'no reply'}` };
        this.start = data;
        this.runId = String(data.id);
        continue;
      }
      const run = await lane.store.bulkRuns.get(this.runId ?? '');
      const state = run?.state ?? 'none';
      if (state !== lastState) {
        lastState = state;
        waitingSince = Date.now();
      }
      if (!run || run.state === 'draft') {
        await this.enter('start');
        if ((await lane.click(ADMIN, 'bulk.start', this.start, epoch)) === 'interrupted') return 'interrupted';
        continue;
      }
      if (run.state === 'running') {
        await this.enter('rows');
        if (Date.now() - waitingSince > 25_000) return { stuck: 'running for 25 s' };
        await sleep(40);
        continue;
      }
      this.done = true;
      return 'done';
    }
    return { stuck: `still ${lastState} at the deadline` };
  }

  async verify(): Promise<Check[]> {
    const { lane } = this;
    const run = await lane.store.bulkRuns.get(this.runId ?? '');
    const rows = await lane.store.bulkRuns.rows(this.runId ?? '');
    const checks: Check[] = [{ name: `${this.label}: finished (saw ${run?.state ?? 'no run'})`, ok: run?.state === 'finished' }];
    checks.push({ name: `${this.label}: ${this.addresses.length} rows, none lost (saw ${rows.length})`, ok: rows.length === this.addresses.length });
    const notInvited = rows.filter((r) => r.state !== 'invited').map((r) => `${r.input}: ${r.state}`);
    checks.push({ name: `${this.label}: every row invited once (${notInvited.join('; ') || 'all invited'})`, ok: notInvited.length === 0 });
    const users = [...lane.sandbox.state.users.values()];
    const doubled = this.addresses.filter((a) => users.filter((u) => u.mail?.toLowerCase() === a).length !== 1);
    checks.push({ name: `${this.label}: one guest per address in the directory (${doubled.join(', ') || 'all one'})`, ok: doubled.length === 0 });
    return checks;
  }
}

/**
 * A manager's invitation of one partner, approved or denied by an admin: either decision runs as a durable job (invite.send),
 * which invites on approval and, for both, updates the cards and tells the requester.
 */
class InviteFlow extends Flow {
  id?: string;
  private submit?: Record<string, unknown>;
  private submitted = false;
  readonly email: string;

  constructor(
    lane: Lane,
    serial: number,
    readonly decision: 'approve' | 'deny' = 'approve',
  ) {
    super(lane, `invite ${decision === 'approve' ? 'approval' : 'denial'} ${serial}`);
    this.email = `invitee${serial}@fabrikam.com`;
  }

  /** The steps this flow goes through, for a random kill to choose from. */
  get steps(): string[] {
    return this.decision === 'approve' ? ['invite', 'submit', 'approve', 'inviting', 'notify'] : ['invite', 'submit', 'deny', 'notify'];
  }

  async drive(epoch: number, deadline: number): Promise<FlowResult> {
    const { lane } = this;
    let waitingSince = Date.now();
    let lastState = 'none';
    while (Date.now() < deadline) {
      if (lane.epoch !== epoch) return 'interrupted';
      if (!this.submit) {
        await this.enter('invite');
        const reply = await lane.ask(MANAGER, `invite ${this.email}`, epoch);
        if (reply === 'interrupted') return reply;
        const data = reply ? executeData(cardOf(reply), 'invite.submit') : undefined;
        if (!data && reply && saysTryAgain(reply)) {
          // Graph did not answer in time and nothing was changed: the user asks again a moment later, as the card says.
          await sleep(1000);
          continue;
        }
        if (!data) return { stuck: `no invite card: ${reply ? cardText(cardOf(reply)).slice(0, 200) : 'no reply'}` };
        this.submit = { ...data, justification: 'Crash campaign' };
        this.id = String(data.id);
        continue;
      }
      const record = await lane.store.invitations.get(this.id ?? '');
      const state = record?.state ?? 'none';
      if (state !== lastState) {
        lastState = state;
        waitingSince = Date.now();
      }
      if (!record || record.state === 'draft' || !this.submitted) {
        await this.enter('submit');
        if ((await lane.click(MANAGER, 'invite.submit', this.submit, epoch)) === 'interrupted') return 'interrupted';
        this.submitted = true;
        continue;
      }
      if (record.state === 'pending') {
        await this.enter(this.decision);
        const verb = `invite.${this.decision}`;
        const card = lane.callsTo(ADMIN).find((c) => executeData(cardOf(c), verb)?.id === this.id);
        const decide = card ? executeData(cardOf(card), verb) : undefined;
        if (!decide) {
          if (Date.now() - waitingSince > RECOVERY_WINDOW_MS) return { stuck: `pending for ${RECOVERY_WINDOW}, and no admin got a card` };
          await sleep(50);
          continue;
        }
        if ((await lane.click(ADMIN, verb, decide, epoch)) === 'interrupted') return 'interrupted';
        continue;
      }
      if (record.state === 'inviting') {
        await this.enter('inviting');
        if (Date.now() - waitingSince > RECOVERY_WINDOW_MS) return { stuck: `stuck in "inviting" for ${RECOVERY_WINDOW}` };
        await sleep(40);
        continue;
      }
      await this.enter('notify');
      if (this.notices().length > 0) {
        await sleep(150);
        this.done = true;
        return 'done';
      }
      if (Date.now() - waitingSince > RECOVERY_WINDOW_MS) return { stuck: `${record.state}, and the requester was never told` };
      await sleep(40);
    }
    return { stuck: `still ${lastState} at the deadline` };
  }

  /** The requester's outcome notices: proactive messages to Megan about this address. */
  notices(): ConnectorCall[] {
    return this.lane.callsTo(MANAGER).filter((c) => c.method === 'POST' && String(c.activity.text ?? '').startsWith(`Your invitation of ${this.email}`));
  }

  async verify(): Promise<Check[]> {
    const { lane } = this;
    const record = await lane.store.invitations.get(this.id ?? '');
    const expected = this.decision === 'approve' ? 'invited' : 'denied';
    const checks: Check[] = [{ name: `${this.label}: ends ${expected}, never stuck in "inviting" (saw ${record?.state ?? 'none'})`, ok: record?.state === expected }];
    const guests = [...lane.sandbox.state.users.values()].filter((u) => u.mail?.toLowerCase() === this.email);
    const want = expected === 'invited' ? 1 : 0;
    checks.push({ name: `${this.label}: ${want} guest(s) for ${this.email} (saw ${guests.length})`, ok: guests.length === want });
    const notices = this.notices();
    const marked = notices.slice(1).every((c) => /repeat|again|already/i.test(`${String(c.activity.text ?? '')} ${cardText(cardOf(c))}`));
    lane.countNotice(notices.length, marked);
    checks.push({ name: `${this.label}: the requester is told (${notices.length} notice(s))`, ok: notices.length >= 1 });
    checks.push({ name: `${this.label}: a repeated notice says it repeats${marked ? '' : ` (${describeNotices(notices)})`}`, ok: marked });
    return checks;
  }
}

export interface LaneOptions {
  name: string;
  dialect: 'sqlite' | 'postgres';
  databaseUrl?: string;
  rounds: number;
  seed: number;
  shadow?: Shadow;
  /** Include invite approvals (a durable job since the invjob work). */
  inviteApproval?: boolean;
  /** Flows side by side in each round: every one the kill catches before its end is a kill point. */
  flowsPerRound: number;
}

/**
 * One bot process, its own sandbox and connector, and one store, through a series of rounds: each round starts a few flows
 * side by side, kills the bot once (at a random moment of one flow's step, or at a targeted request or delivery), starts it
 * again on the same store, drives every flow to its end as its users would, and checks the invariants.
 */
export class Lane {
  epoch = 0;
  sandbox!: RunningSandbox;
  connector!: KillingConnector;
  bot!: BotProcess;
  store!: Store;
  readonly points: KillPoint[] = [];
  readonly checks: Check[] = [];
  readonly notices: NoticeTally = { once: 0, repeatedMarked: 0, repeatedUnmarked: 0, never: 0 };
  readonly shadow?: Shadow;
  private dataDir = '';
  private nextGuest = 0;
  private nextBulk = 0;
  private nextInvite = 0;
  private random: () => number;
  private pendingRandom?: Trigger['random'] & { fired: boolean };
  private flows: Flow[] = [];
  private trigger?: Trigger;
  private killedThisRound = false;

  constructor(readonly options: LaneOptions) {
    this.shadow = options.shadow;
    let state = options.seed >>> 0 || 1;
    // xorshift32: a seeded sequence, so a failing lane can be replayed with CRASH_SEED.
    this.random = () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      return (state >>> 0) / 4294967296;
    };
  }

  get name(): string {
    return this.options.name;
  }

  async open(): Promise<void> {
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-crash-'));
    this.sandbox = await startTestSandbox({ fixture: withGeneratedGuests(contosoFixture(), this.options.rounds * this.options.flowsPerRound + 8) });
    this.connector = await new KillingConnector().start();
    this.bot = new BotProcess({
      sandbox: this.sandbox,
      dataDir: this.dataDir,
      ...(this.options.databaseUrl ? { databaseUrl: this.options.databaseUrl } : {}),
      env: {
        JOB_POLL_MS: '50',
        // A dead instance's lease runs out soon after the next one starts; the runner renews the lease of a running step.
        JOB_LEASE_SECONDS: '5',
        // A Send or confirm that died before its approval cards went out: the job sends them well before the flow gives up.
        APPROVAL_FANOUT_CHECK_SECONDS: '3',
        ROLE_CACHE_SECONDS: '600',
        BULK_INVITES_PER_MINUTE: '6000',
        BULK_APPROVAL_THRESHOLD: '50',
        BULK_PROGRESS_UPDATE_MS: '1000',
        ...(this.shadow?.env ?? {}),
      },
    });
    await this.bot.start();
    this.store = await openStore(this.options.databaseUrl ? { databaseUrl: this.options.databaseUrl, dataDir: this.dataDir } : { dataDir: this.dataDir });
    for (const user of [ADMIN, MANAGER]) {
      const reply = await this.ask(user, 'whoami', this.epoch);
      if (!reply || reply === 'interrupted') throw new Error(`${this.name}: no answer to whoami:\n${this.bot.lastErrors}`);
    }
  }

  async close(): Promise<void> {
    await this.bot?.stop();
    await this.store?.close();
    await this.connector?.stop();
    await this.sandbox?.close();
    if (this.dataDir) removeDir(this.dataDir);
  }

  countNotice(count: number, marked: boolean): void {
    if (count === 0) this.notices.never += 1;
    else if (count === 1) this.notices.once += 1;
    else if (marked) this.notices.repeatedMarked += 1;
    else this.notices.repeatedUnmarked += 1;
  }

  callsTo(user: TestUser): ConnectorCall[] {
    return this.connector.standIn.calls.filter((c) => c.conversationId === personal(user));
  }

  /** Sends a message and waits for the reply to it; 'interrupted' when the bot died meanwhile. */
  async ask(user: TestUser, text: string, epoch: number): Promise<ConnectorCall | undefined | 'interrupted'> {
    const activityId = randomUUID();
    const activity = buildActivity(this.connector.serviceUrl, this.sandbox.tenantId, user, { type: 'message', text }, { activityId });
    const { status } = await this.bot.post(activity);
    if (this.epoch !== epoch) return 'interrupted';
    if (status === 0 || status >= 300) return undefined;
    const reply = await poll(() => this.connector.standIn.calls.find((c) => c.activity.replyToId === activityId) ?? (this.epoch !== epoch ? null : undefined), 15_000);
    if (this.epoch !== epoch || reply === null) return 'interrupted';
    return reply && isWorkingCard(reply) ? this.resultReplacing(reply, epoch) : reply;
  }

  /** A turn past its budget answers "working…" and then puts its result in that message's place, as a user sees it. */
  private async resultReplacing(working: ConnectorCall, epoch: number): Promise<ConnectorCall | undefined | 'interrupted'> {
    const isUpdate = (c: ConnectorCall): boolean => c.method === 'PUT' && c.activityId === working.id && !isWorkingCard(c);
    const result = await poll(() => this.connector.standIn.calls.find(isUpdate) ?? (this.epoch !== epoch ? null : undefined), 20_000);
    if (this.epoch !== epoch || result === null) return 'interrupted';
    return result;
  }

  /** Clicks an Action.Execute button; 'interrupted' when the bot died meanwhile (the user would click again). */
  async click(user: TestUser, verb: string, data: Record<string, unknown>, epoch: number): Promise<string> {
    const activity = buildActivity(this.connector.serviceUrl, this.sandbox.tenantId, user, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });
    const { status, body } = await this.bot.post(activity);
    if (this.epoch !== epoch || status === 0) return 'interrupted';
    const value = (body as { value?: unknown } | undefined)?.value;
    return `${status} ${typeof value === 'string' ? value : cardText(value)}`;
  }

  /** Called by a flow as it starts a step: a random trigger on that flow and step schedules the kill. */
  stepStarted(flow: Flow, step: string): void {
    const pending = this.pendingRandom;
    if (!pending || pending.fired || this.flows[pending.flow] !== flow || pending.step !== step) return;
    pending.fired = true;
    this.randomTimer = setTimeout(() => void this.kill(), pending.delayMs);
  }

  /** kill -9 now, once per round: every flow that has started and not ended is a kill point. */
  kill(): Promise<void> {
    if (this.killedThisRound) return this.killing ?? Promise.resolve();
    this.killedThisRound = true;
    this.killing = this.killOnce();
    return this.killing;
  }

  private killing?: Promise<void>;

  private async killOnce(): Promise<void> {
    this.epoch += 1;
    const trigger = this.trigger;
    const caught = this.flows.filter((flow) => flow.started && !flow.done);
    // A targeted trigger aims at one flow; the others are caught wherever they are, which is a random point for them.
    const aimed = trigger?.kind === 'targeted' ? (caught.find((flow) => trigger.aims?.(flow) ?? false) ?? caught[0]) : undefined;
    for (const flow of caught) {
      const kind: KillKind = flow === aimed ? 'targeted' : 'random';
      this.points.push({ lane: this.name, flow: flow.label, kind, at: `${flow.step} (${kind === 'targeted' ? (trigger?.describe ?? '') : 'random'})` });
    }
    await this.bot.kill();
    this.connector.disarm();
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  /** The flows of one round, and how the round's kill is chosen. */
  private plan(round: number): { flows: Flow[]; trigger: Trigger } {
    const kerberos = this.shadow !== undefined;
    const app = kerberos ? TIMESHEETS : EXPENSES;
    const access = (decision: AccessDecision) => new AccessFlow(this, this.nextGuest++, decision, app);
    const holdMs = 200 + Math.floor(this.random() * 5000);
    const targets: Trigger[] = [
      {
        kind: 'targeted',
        describe: `POST appRoleAssignedTo held ${holdMs} ms`,
        arm: (lane) => lane.killWhenGraph('POST', '/appRoleAssignedTo$', holdMs),
        aims: (flow) => flow instanceof AccessFlow && flow.step === 'grant',
      },
      {
        kind: 'targeted',
        describe: `GET the partner's assignments before the grant, held ${holdMs} ms`,
        arm: (lane) => lane.killWhenGraph('GET', '^/v1\\.0/users/[^/]+/appRoleAssignments', holdMs),
        aims: (flow) => flow instanceof AccessFlow && ['request', 'submit', 'grant'].includes(flow.step),
      },
      {
        kind: 'targeted',
        describe: "the requester's outcome notice delivered",
        arm: (lane) => lane.killOnDelivery((d) => d.conversationId === personal(MANAGER) && d.method === 'POST' && /for Guest\d+ Crash \(Fabrikam\):/.test(String(d.activity.text ?? ''))),
        aims: (flow) => flow instanceof AccessFlow && flow.step === 'notify',
      },
      {
        kind: 'targeted',
        describe: 'the approval card delivered',
        arm: (lane) => lane.killOnDelivery((d) => d.conversationId === personal(ADMIN) && d.method === 'POST' && JSON.stringify(d.activity).includes('"verb":"access.approve"')),
        aims: (flow) => flow instanceof AccessFlow && flow.step === 'submit',
      },
      {
        kind: 'targeted',
        describe: 'an approval card updated',
        arm: (lane) => lane.killOnDelivery((d) => d.conversationId === personal(ADMIN) && d.method === 'PUT'),
        aims: (flow) =>
          (flow instanceof AccessFlow && ['decide', 'timeout', 'grant', 'notify'].includes(flow.step)) || (flow instanceof InviteFlow && ['deny', 'inviting', 'notify'].includes(flow.step)),
      },
    ];
    if (!kerberos) {
      targets.push({
        kind: 'targeted',
        describe: `POST /invitations held ${holdMs} ms`,
        arm: (lane) => lane.killWhenGraph('POST', '^/v1\\.0/invitations', holdMs),
        aims: (flow) => (flow instanceof BulkFlow && flow.step === 'rows') || (flow instanceof InviteFlow && flow.step === 'inviting'),
      });
      if (this.options.inviteApproval) {
        targets.push({
          kind: 'targeted',
          describe: "the invitation's outcome notice delivered",
          arm: (lane) => lane.killOnDelivery((d) => d.conversationId === personal(MANAGER) && d.method === 'POST' && String(d.activity.text ?? '').startsWith('Your invitation of')),
          aims: (flow) => flow instanceof InviteFlow && flow.step === 'notify',
        });
      }
    }
    const withBulk = !kerberos && round % 3 === 1;
    const withInvite = !kerberos && this.options.inviteApproval === true && round % 3 !== 1;
    const flows: Flow[] = [];
    // One flow of a kind other than access (a bulk run, or an invitation, one in three denied) when the lane has them; the
    // rest are access requests, about one in five denied and one in ten left to time out.
    if (withBulk) flows.push(new BulkFlow(this, this.nextBulk++, 3 + Math.floor(this.random() * 4)));
    else if (withInvite) flows.push(new InviteFlow(this, this.nextInvite++, this.random() < 1 / 3 ? 'deny' : 'approve'));
    const decision = (): AccessDecision => {
      const r = this.random();
      return r < 0.2 ? 'deny' : r < 0.3 ? 'timeout' : 'approve';
    };
    while (flows.length < this.options.flowsPerRound) flows.push(access(flows.length > 0 ? decision() : 'approve'));
    // One round in three is killed at random, two in three at a targeted request or delivery.
    if (round % 3 === 0) {
      const flow = Math.floor(this.random() * flows.length);
      const chosen = flows[flow];
      const steps = chosen instanceof BulkFlow ? ['list', 'start', 'rows'] : chosen instanceof InviteFlow || chosen instanceof AccessFlow ? chosen.steps : [];
      const step = this.pick(steps);
      const delayMs = Math.floor(this.random() * 400);
      return { flows, trigger: { kind: 'random', describe: `${delayMs} ms into ${step}`, random: { flow, step, delayMs } } };
    }
    let trigger = this.pick(targets);
    const needsInvite = trigger.describe.includes("invitation's outcome");
    const needsInvitations = trigger.describe.includes('/invitations');
    if ((needsInvite && !withInvite) || (needsInvitations && !withBulk && !withInvite)) trigger = targets[0] as Trigger;
    return { flows, trigger };
  }

  /** Holds the first matching Graph request in the sandbox and kills the bot the moment it arrives. */
  async killWhenGraph(method: string, pathPattern: string, holdMs: number): Promise<boolean> {
    const arrived = await whenGraphRequestArrives(this.sandbox, { method, pathPattern, holdMs }, () => this.roundOver);
    if (arrived) await this.kill();
    return arrived;
  }

  killOnDelivery(matches: Parameters<KillingConnector['armOnDelivery']>[0]): Promise<boolean> {
    return new Promise((resolve) => {
      this.connector.armOnDelivery(matches, async () => {
        await this.kill();
        resolve(true);
      });
      // Resolved false by the round when every flow ended without the delivery.
      this.disarmTrigger = () => resolve(false);
    });
  }

  private disarmTrigger?: () => void;
  private randomTimer?: NodeJS.Timeout;
  /** Set when a round's flows all ended before its trigger: a targeted trigger still waiting gives up. */
  roundOver = false;

  async runRound(round: number): Promise<void> {
    const { flows, trigger } = this.plan(round);
    this.flows = flows;
    this.trigger = trigger;
    this.killedThisRound = false;
    this.roundOver = false;
    this.pendingRandom = trigger.random ? { ...trigger.random, fired: false } : undefined;
    const epoch = this.epoch;
    const armed = trigger.arm?.(this);
    const deadline = Date.now() + 60_000;
    const first = await Promise.all(
      flows.map(async (flow, i) => {
        await sleep(i * Math.floor(this.random() * 300));
        return flow.drive(epoch, deadline);
      }),
    );
    clearTimeout(this.randomTimer);
    if (!this.killedThisRound) {
      // The trigger never came (every flow ended first): no kill this round, nothing is counted.
      this.roundOver = true;
      this.sandbox.setFaults([]);
      this.connector.disarm();
      this.disarmTrigger?.();
    }
    await armed;
    this.disarmTrigger = undefined;
    this.sandbox.setFaults([]);
    const results: FlowResult[] = first;
    if (this.killedThisRound) {
      await this.killing;
      await this.bot.start();
      const after = Date.now() + 60_000;
      const second = await Promise.all(flows.map((flow, i) => (flow.done ? Promise.resolve<FlowResult>('done') : flow.drive(this.epoch, after).then((r) => (results[i] = r)))));
      void second;
    }
    for (const [i, flow] of flows.entries()) {
      const result = results[i];
      if (result !== 'done') {
        const why = result === 'interrupted' ? 'interrupted with no recovery' : result?.stuck;
        this.checks.push({ name: `${this.name}: ${flow.label}: reaches its end after the restart (${why}) at ${flow.step}`, ok: false });
        continue;
      }
      for (const check of await flow.verify()) this.checks.push({ ...check, name: `${this.name}: ${check.name}` });
    }
  }

  /** Rounds until `keepGoing` says enough (the campaign's size is counted across lanes), at most `options.rounds`. */
  async run(keepGoing: () => boolean = () => true): Promise<void> {
    for (let round = 0; round < this.options.rounds && keepGoing(); round += 1) await this.runRound(round);
  }
}

/** A problem card that says nothing was changed, or that the answer may still come: a user asks again. */
function saysTryAgain(call: ConnectorCall): boolean {
  return /(try|check) again in a minute/i.test(`${String(call.activity.text ?? '')} ${cardText(cardOf(call))}`);
}

function isWorkingCard(call: ConnectorCall): boolean {
  return cardText(cardOf(call)).includes('Working on it…');
}
