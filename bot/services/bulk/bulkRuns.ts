import { randomUUID } from 'node:crypto';
import { DirectoryUnavailableError } from '../../graph/errors';
import { InvitationRefusedError, InvitationThrottledError } from '../../graph/graphInvitations';
import type { Caller } from '../../identity/caller';
import { canCancelBulkRun } from '../../identity/capabilities';
import type { Logger } from '../../logger';
import type { BulkRowChanges, BulkRowRecord, BulkRowState, BulkRunRecord, BulkRunState, NewBulkRow, Store, StoreTransaction } from '../../store';
import { checkPartnerAddress, domainMatches } from '../emailAddress';
import type { InvitationDirectory } from '../invitations';
import type { JobScheduler, Notifier, OutgoingMessage, SentMessage } from '../ports';
import { fetchAttachedCsv, type FileDownloads } from '../teamsFile';
import { BulkApprovals } from './approvals';
import { parseEntraBulkCsv, writeResultsCsv, type BulkRowInput } from './csv';
import { InvitationPacer } from './pacing';
import { ResultsLinks, type LinkVerdict } from './resultsLink';
import { sameObjectId } from '../../identity/objectId';

export { parseCsvRecords, parseEntraBulkCsv, type BulkRowInput } from './csv';

export const BULK_JOB_KIND = 'invite.bulk';

export interface BulkSettings {
  redirectUrl: string;
  allowDomains: readonly string[];
  blockDomains: readonly string[];
  adminGroupId: string;
  /**
   * Invitations per minute for the whole tenant, shared by every run on every instance; the anti-abuse block has no
   * published threshold, so the default is slow.
   */
  perMinute: number;
  /** Runs with more valid rows than this need a second admin's approval. */
  approvalThreshold: number;
  maxRows: number;
  /** At least this long between two updates of the progress card (Teams allows about 60 per 30 s per conversation). */
  progressIntervalMs: number;
  /** https base URL where this bot is reachable, for the results download link; without it there is no link. */
  publicBaseUrl?: string;
  /**
   * Sandbox mode without PUBLIC_BASE_URL: the results link points at the bot's own loopback address once it listens
   * (see `serveResultsAt`).
   */
  resultsOnOwnAddress?: boolean;
  linkSecret: string;
  linkLifetimeMs: number;
  /** Sandbox mode only: attached files may come from a loopback http server. */
  allowLoopbackFiles?: boolean;
}

export type RowState = BulkRowState;
export type RunState = BulkRunState;

export interface BulkCounts {
  total: number;
  invalid: number;
  pending: number;
  invited: number;
  alreadyGuest: number;
  refused: number;
  failed: number;
  notAttempted: number;
}

export interface BulkRunView {
  id: string;
  state: RunState;
  requesterId: string;
  requesterName: string;
  decidedByName?: string;
  stopReason?: string;
  counts: BulkCounts;
  /** The first problems, for the card; the CSV has them all. */
  problems: { input: string; detail: string }[];
  needsApproval: boolean;
  downloadUrl?: string;
  /** True when the run's results will be a file behind a signed link; otherwise the final card pages through them. */
  resultsFile: boolean;
  /** How the partners get their invitation: Microsoft's email, or a redemption link the inviter sends. */
  delivery: BulkDelivery;
  version: number;
}

export interface BulkDelivery {
  /** Valid rows whose invitation Microsoft emails (sendInvitationMessage). */
  byEmail: number;
  /** Valid rows that get no email: the inviter must send each their redemption link. */
  byLink: number;
  /** Invited rows without an email whose redemption link is ready to hand out. */
  linksReady: number;
}

/** One row of the paged results: who, what happened, and the link to send when Microsoft sent no email. */
export interface BulkResultRow {
  number: number;
  address: string;
  status: string;
  detail?: string;
  /** Only for rows invited without Microsoft's email: the inviter sends it. */
  redeemUrl?: string;
}

export interface BulkResultsPage {
  view: BulkRunView;
  rows: BulkResultRow[];
  /** 1-based. */
  page: number;
  pages: number;
}

/** Rows per results card: 20 rows of at most ~2.5 KB each keep the card far below Teams' 100 KB message limit. */
export const RESULTS_PAGE_SIZE = 20;

/** Cards for the bulk run, built outside the service (which never imports cards). */
export interface BulkMessages {
  progress(view: BulkRunView): OutgoingMessage;
  approval(view: BulkRunView, approverTeamsIds: string[]): OutgoingMessage;
}

export type BulkStepOutcome = { status: 'done' } | { status: 'continue'; runAt: Date } | { status: 'retry'; error: string; runAt?: Date };

export type BulkDecision =
  | { kind: 'notFound' }
  | { kind: 'notYours' }
  | { kind: 'selfApproval'; view: BulkRunView }
  | { kind: 'current'; view: BulkRunView }
  | { kind: 'started'; view: BulkRunView }
  | { kind: 'awaitingApproval'; view: BulkRunView; adminsReached: number };

const FINAL_ROW_STATES: readonly RowState[] = ['invited', 'alreadyGuest', 'refused', 'failed'];

function deliveryOf(rows: readonly BulkRowRecord[]): BulkDelivery {
  const valid = rows.filter((row) => row.state !== 'invalid');
  return {
    byEmail: valid.filter((row) => row.sendEmail).length,
    byLink: valid.filter((row) => !row.sendEmail).length,
    linksReady: valid.filter((row) => row.state === 'invited' && !row.sendEmail && row.redeemUrl).length,
  };
}

const RESULT_STATUS: Record<RowState, string> = {
  invalid: 'Invalid, skipped',
  pending: 'Not processed yet',
  inviting: 'In progress',
  invited: 'Invited',
  alreadyGuest: 'Already a guest',
  refused: 'Refused by policy',
  failed: 'Failed',
  notAttempted: 'Not attempted',
};

function resultStatus(row: BulkRowRecord): string {
  if (row.state === 'invited') return row.sendEmail ? 'Invited: Microsoft emailed the invitation' : 'Invited: send this link';
  return RESULT_STATUS[row.state];
}

/**
 * Bulk invitations: parsed and validated up front, approved by a second admin when large, then run as a durable job that
 * invites one row per step at the tenant-wide pace, honours Retry-After, and stops at once on the anti-abuse block.
 * The run is the state machine here; CSV (./csv), results links (./resultsLink), pacing (./pacing) and the approval
 * fan-out (./approvals) each live in their own file.
 */
export class BulkInvitationService {
  private links: ResultsLinks;
  private readonly linkNow: () => Date;
  private readonly pacer: InvitationPacer;
  private readonly approvals: BulkApprovals;

  constructor(
    private readonly deps: {
      store: Store;
      directory: InvitationDirectory;
      notifier: Notifier;
      jobs: JobScheduler;
      /** Downloads the CSV a Teams message carries. */
      files: FileDownloads;
      settings: BulkSettings;
      messages: BulkMessages;
      now?: () => Date;
      log?: Logger;
    },
  ) {
    const now = () => this.now();
    this.links = new ResultsLinks(deps.settings, now);
    this.linkNow = now;
    this.pacer = new InvitationPacer(deps.store.pacing, deps.settings.perMinute, now);
    this.approvals = new BulkApprovals({ store: deps.store, directory: deps.directory, notifier: deps.notifier, adminGroupId: deps.settings.adminGroupId, log: deps.log });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  get settings(): BulkSettings {
    return this.deps.settings;
  }

  /**
   * Sandbox mode without PUBLIC_BASE_URL: results links point at the bot's own address, called once it listens. Does
   * nothing otherwise, so a configured PUBLIC_BASE_URL always wins and production never links to loopback.
   */
  serveResultsAt(ownBaseUrl: string): void {
    const settings = this.deps.settings;
    if (settings.publicBaseUrl || !settings.resultsOnOwnAddress) return;
    this.links = new ResultsLinks({ ...settings, publicBaseUrl: ownBaseUrl.replace(/\/+$/, '') }, this.linkNow);
  }

  /** From a chat message: the addresses typed after `invite`, or an attached CSV in Entra's bulk-invite layout. */
  async createFromMessage(caller: Caller, addresses: string[], attachments: readonly unknown[] | undefined): Promise<{ ok: true; view: BulkRunView } | { ok: false; problem: string }> {
    const file = await fetchAttachedCsv(attachments, { downloads: this.deps.files, allowLoopback: this.deps.settings.allowLoopbackFiles });
    if (file.kind === 'problem') return { ok: false, problem: file.problem };
    if (file.kind === 'ok') {
      const parsed = parseEntraBulkCsv(file.text);
      if (!parsed.ok) return parsed;
      return this.create(caller, parsed.rows);
    }
    return this.create(caller, addresses.map((input) => ({ input })));
  }

  /** Validates every row and stores the run as a draft; nothing is sent yet. */
  async create(caller: Caller, inputs: BulkRowInput[]): Promise<{ ok: true; view: BulkRunView } | { ok: false; problem: string }> {
    if (inputs.length === 0) return { ok: false, problem: 'There are no addresses to invite.' };
    if (inputs.length > this.deps.settings.maxRows) {
      return { ok: false, problem: `That is ${inputs.length} rows; one run takes at most ${this.deps.settings.maxRows}. Split the list.` };
    }
    const id = randomUUID();
    const seen = new Set<string>();
    const rows: NewBulkRow[] = inputs.map((row, idx) => {
      const checked = checkPartnerAddress(row.input);
      let state: RowState = 'pending';
      let detail: string | undefined;
      let email: string | undefined;
      if (!checked.ok) {
        state = 'invalid';
        detail = checked.problem;
      } else {
        email = checked.value.address;
        const key = email.toLowerCase();
        if (seen.has(key)) {
          state = 'invalid';
          detail = 'Duplicate of an earlier row.';
        }
        seen.add(key);
      }
      let redirectUrl = row.redirectUrl;
      if (state === 'pending' && redirectUrl !== undefined && !/^https:\/\/[^\s]+$/i.test(redirectUrl)) {
        state = 'invalid';
        detail = 'The redirection URL must be an https:// address.';
        redirectUrl = undefined;
      }
      return { idx, input: row.input.slice(0, 500), email, redirectUrl, sendEmail: row.sendEmail === true, message: row.message?.slice(0, 2000), state, detail };
    });
    await this.deps.store.transaction((tx) => tx.bulkRuns.create({ id, requesterId: caller.aadObjectId, requesterName: caller.name }, rows, this.now()));
    const view = await this.view(id);
    if (!view) return { ok: false, problem: 'The run could not be stored.' };
    return { ok: true, view };
  }

  private runRow(id: string): Promise<BulkRunRecord | undefined> {
    return this.deps.store.bulkRuns.get(id);
  }

  async counts(id: string): Promise<BulkCounts> {
    const byState = await this.deps.store.bulkRuns.counts(id);
    const total = Object.values(byState).reduce((sum, n) => sum + n, 0);
    const { inviting, ...rest } = byState;
    return { ...rest, total, pending: rest.pending + inviting };
  }

  async view(id: string): Promise<BulkRunView | undefined> {
    const run = await this.runRow(id);
    if (!run) return undefined;
    const counts = await this.counts(id);
    const problems = await this.deps.store.bulkRuns.problems(id, 5);
    const delivery = deliveryOf(await this.deps.store.bulkRuns.rows(id));
    const state = run.state;
    const settled = state === 'finished' || state === 'stopped' || state === 'cancelled';
    return {
      id,
      state,
      requesterId: run.requesterId,
      requesterName: run.requesterName,
      decidedByName: run.decidedByName,
      stopReason: run.stopReason,
      counts,
      problems: problems.map((p) => ({ input: p.input, detail: p.detail ?? '' })),
      needsApproval: counts.total - counts.invalid > this.deps.settings.approvalThreshold,
      downloadUrl: settled || state === 'running' ? this.downloadUrl(id) : undefined,
      resultsFile: this.downloadUrl(id) !== undefined,
      delivery,
      version: run.version,
    };
  }

  /** The requester's Start. A large run waits for another admin; otherwise the job starts now. */
  async start(caller: Caller, id: string): Promise<BulkDecision> {
    const run = await this.runRow(id);
    if (!run) return { kind: 'notFound' };
    if (!sameObjectId(run.requesterId, caller.aadObjectId)) return { kind: 'notYours' };
    const view = await this.view(id);
    if (!view) return { kind: 'notFound' };
    if (run.state !== 'draft') return { kind: 'current', view };
    if (view.needsApproval) {
      const won = await this.transition(run, 'awaitingApproval', {}, caller, 'invite.bulk.request', 'requested');
      if (!won) return { kind: 'current', view: (await this.view(id)) ?? view };
      const reached = await this.requestApproval(id, caller.aadObjectId);
      return { kind: 'awaitingApproval', view: (await this.view(id)) ?? view, adminsReached: reached };
    }
    return this.launch(run, caller, 'invite.bulk.start');
  }

  async approve(caller: Caller, id: string): Promise<BulkDecision> {
    const run = await this.runRow(id);
    if (!run) return { kind: 'notFound' };
    const view = await this.view(id);
    if (!view) return { kind: 'notFound' };
    if (run.state !== 'awaitingApproval') return { kind: 'current', view };
    if (sameObjectId(run.requesterId, caller.aadObjectId)) {
      await this.deps.store.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action: 'invite.bulk.approve', target: `bulk:${id}`, outcome: 'refused', detail: { reason: 'self-approval' } });
      return { kind: 'selfApproval', view };
    }
    const decision = await this.launch(run, caller, 'invite.bulk.approve');
    await this.updateApprovals(id);
    return decision;
  }

  async cancel(caller: Caller, id: string): Promise<BulkRunView | undefined> {
    const run = await this.runRow(id);
    if (!run) return undefined;
    const mayCancel = canCancelBulkRun(caller, { requesterId: run.requesterId });
    if (mayCancel && ['draft', 'awaitingApproval', 'running'].includes(run.state)) {
      await this.transition(run, 'cancelled', {}, caller, 'invite.bulk.cancel', 'success');
      await this.updateApprovals(id);
      await this.updateProgress(id, true);
    }
    return this.view(id);
  }

  private async launch(run: BulkRunRecord, caller: Caller, action: string): Promise<BulkDecision> {
    const decided = action === 'invite.bulk.approve' ? { decidedBy: caller.aadObjectId, decidedByName: caller.name } : {};
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await tx.bulkRuns.transition(run, 'running', decided, this.now());
      if (!ok) return false;
      await tx.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action, target: `bulk:${run.id}`, outcome: 'success', detail: { rows: run.total, requester: run.requesterId } });
      await this.deps.jobs.schedule({ kind: BULK_JOB_KIND, payload: { runId: run.id }, uniqueKey: `bulk:${run.id}` }, tx.db);
      return true;
    });
    const view = await this.view(run.id);
    if (!view) return { kind: 'notFound' };
    if (!won) return { kind: 'current', view };
    this.deps.jobs.wake();
    const sent = await this.deps.notifier.sendToUser(run.requesterId, this.deps.messages.progress(view)).catch((error: unknown) => {
      this.deps.log?.warn({ err: error, bulkRun: run.id }, 'could not send the bulk progress card');
      return undefined;
    });
    if (sent) await this.recordProgressCard(run.id, sent);
    return { kind: 'started', view };
  }

  /**
   * Stores where the progress card went. Its send may have waited on the conversation's rate limit while the job ran the
   * whole list: the job's final update then found no card to update and the card would stay at "Running". So once the
   * location is stored, a run that already left `running` gets its final state now. Stored before the state is read, so
   * either the job's last update sees the card or this read sees the job's end (both may send; the claim keeps it to one).
   */
  private async recordProgressCard(id: string, sent: SentMessage): Promise<void> {
    await this.deps.store.bulkRuns.setProgressMessage(id, sent, this.now());
    const current = await this.runRow(id);
    if (current && current.state !== 'running') await this.updateProgress(id, true);
  }

  /** One compare-and-set of the run with its audit row, in one transaction. Returns whether this caller won. */
  private async transition(run: BulkRunRecord, state: RunState, changes: { stopReason?: string }, actor: Caller | undefined, action: string, outcome: string): Promise<boolean> {
    return this.deps.store.transaction(async (tx) => {
      const ok = await tx.bulkRuns.transition(run, state, changes, this.now());
      if (ok) {
        await tx.audit.append({
          actor: actor?.aadObjectId ?? 'system:job',
          actorName: actor?.name,
          action,
          target: `bulk:${run.id}`,
          outcome,
          detail: { rows: run.total, ...(changes.stopReason ? { reason: changes.stopReason } : {}) },
        });
      }
      return ok;
    });
  }

  async approverTeamsIds(id: string): Promise<string[]> {
    const run = await this.runRow(id);
    return this.approvals.approverTeamsIds(run?.requesterId ?? '');
  }

  private async requestApproval(id: string, requesterId: string): Promise<number> {
    const view = await this.view(id);
    if (!view) return 0;
    return this.approvals.request(id, requesterId, (teamsIds) => this.deps.messages.approval(view, teamsIds));
  }

  private async updateApprovals(id: string): Promise<void> {
    const run = await this.runRow(id);
    const view = await this.view(id);
    if (!run || run.approvalMessages.length === 0 || !view) return;
    const teamsIds = await this.approvals.approverTeamsIds(run.requesterId).catch(() => []);
    await this.approvals.update(id, run.approvalMessages, this.deps.messages.approval(view, teamsIds));
  }

  /**
   * Updates the progress card in place, at most once per progressIntervalMs unless forced (start, stop, end). Where the
   * channel gave the card no activity id it cannot be edited, so only the forced states go out, each as a new message
   * (not one message per interval). Where the notifier had to send a new message, its location is stored so the next
   * update goes there. A card that cannot be reached is logged; the run goes on.
   */
  private async updateProgress(id: string, force: boolean): Promise<void> {
    const run = await this.runRow(id);
    if (!run?.progressMessage) return;
    if (!force && !run.progressMessage.activityId) return;
    const last = run.progressUpdatedAt ? Date.parse(run.progressUpdatedAt) : 0;
    const now = this.now();
    if (!force && now.getTime() - last < this.deps.settings.progressIntervalMs) return;
    if (!(await this.deps.store.bulkRuns.claimProgressUpdate(run, now))) return;
    const view = await this.view(id);
    if (!view) return;
    const previous = run.progressMessage;
    const landed = await this.deps.notifier.update(previous, this.deps.messages.progress(view)).catch((error: unknown) => {
      this.deps.log?.warn({ err: error, bulkRun: id }, 'could not update the bulk progress card');
      return undefined;
    });
    if (landed && landed.activityId !== previous.activityId) await this.deps.store.bulkRuns.setProgressMessage(id, landed, now);
  }

  /**
   * Updates one row; a final outcome is audited in the same transaction, as for a single invitation, on behalf of the
   * admin who ran the list (and naming the approver).
   */
  private async setRow(runId: string, idx: number, changes: BulkRowChanges, audit?: { run: BulkRunRecord; email: string }): Promise<void> {
    await this.deps.store.transaction(async (tx: StoreTransaction) => {
      await tx.bulkRuns.setRow(runId, idx, changes, this.now());
      const state = changes.state;
      if (!audit || !FINAL_ROW_STATES.includes(state)) return;
      await tx.audit.append({
        actor: audit.run.requesterId,
        actorName: audit.run.requesterName,
        action: 'invite.create',
        target: audit.email,
        outcome: state === 'invited' ? 'success' : state === 'alreadyGuest' ? 'skipped' : state === 'refused' ? 'refused' : 'failed',
        detail: {
          bulkRun: runId,
          row: idx,
          ...(audit.run.decidedBy ? { approvedBy: audit.run.decidedBy } : {}),
          ...(changes.userId ? { userId: changes.userId } : {}),
          ...(changes.detail ? { message: changes.detail } : {}),
        },
      });
    });
  }

  private policyRefusal(asciiDomain: string): string | undefined {
    const { allowDomains, blockDomains } = this.deps.settings;
    if (blockDomains.some((d) => domainMatches(asciiDomain, d))) return `${asciiDomain} is on this bot's block list.`;
    if (allowDomains.length > 0 && !allowDomains.some((d) => domainMatches(asciiDomain, d))) return `${asciiDomain} is not on this bot's allow list.`;
    return undefined;
  }

  /**
   * A job step: rows one after another at the tenant-wide pace for up to about a second, then the step ends so the runner
   * saves progress and other jobs get their turn. A longer wait (slow pace, Retry-After) ends the step with its time.
   */
  async step(id: string): Promise<BulkStepOutcome> {
    const started = Date.now();
    for (;;) {
      const outcome = await this.stepOne(id);
      if (outcome.status !== 'continue') return outcome;
      const wait = outcome.runAt.getTime() - this.now().getTime();
      if (wait > 250 || Date.now() - started + wait > 1000) return outcome;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * One row. Safe to repeat: a row found `inviting` was interrupted after it was marked, so the directory is asked
   * first and an existing guest is taken as this run's own invitation.
   */
  private async stepOne(id: string): Promise<BulkStepOutcome> {
    const run = await this.runRow(id);
    if (!run || run.state !== 'running') return { status: 'done' };
    const row = await this.deps.store.bulkRuns.nextOpenRow(id);
    if (!row) {
      await this.transition(run, 'finished', {}, undefined, 'invite.bulk.finish', 'success');
      await this.updateProgress(id, true);
      return { status: 'done' };
    }
    const resumed = row.state === 'inviting';
    const email = row.email ?? '';
    const refusal = this.policyRefusal(email.slice(email.lastIndexOf('@') + 1));
    if (refusal) {
      await this.setRow(id, row.idx, { state: 'refused', detail: refusal }, { run, email });
      await this.updateProgress(id, false);
      return { status: 'continue', runAt: this.now() };
    }
    if (!resumed) await this.setRow(id, row.idx, { state: 'inviting' });
    // Set once the row took a slot: the run comes back when the following slot is due, not a whole interval after the POST.
    let nextSlot: Date | undefined;
    try {
      const existing = await this.deps.directory.findByEmail(email);
      const guest = existing.find((u) => u.userType === 'Guest' && u.creationType === 'Invitation');
      // A partner synced from AD as a Guest is a guest for access, and has no invitation: inviting them would make a twin.
      const syncedGuest = existing.find((u) => u.userType === 'Guest' && u.onPremisesSyncEnabled === true);
      if (guest) {
        await this.setRow(id, row.idx, resumed ? { state: 'invited', userId: guest.id, detail: 'Invited (confirmed after a restart).' } : { state: 'alreadyGuest', userId: guest.id, detail: `Already a guest (${guest.externalUserState ?? 'state unknown'}).` }, { run, email });
      } else if (syncedGuest) {
        const detail = `Already a guest: ${syncedGuest.userPrincipalName} is a partner account synced from our on-prem AD, who signs in with it; no invitation was sent.`;
        await this.setRow(id, row.idx, { state: 'alreadyGuest', userId: syncedGuest.id, detail }, { run, email });
      } else if (existing[0]) {
        await this.setRow(id, row.idx, { state: 'failed', userId: existing[0].id, detail: 'The address belongs to an existing account in the directory.' }, { run, email });
      } else {
        // The tenant-wide budget: another run (here or on another instance) may have taken the slot.
        const pace = await this.pacer.take();
        if (!pace.go) {
          if (!resumed) await this.setRow(id, row.idx, { state: 'pending' });
          return { status: 'continue', runAt: pace.retryAt };
        }
        nextSlot = pace.nextAt;
        const response = await this.deps.directory.invite({
          email,
          redirectUrl: row.redirectUrl ?? this.deps.settings.redirectUrl,
          sendInvitationMessage: row.sendEmail,
          sponsorIds: [run.requesterId],
        });
        await this.setRow(id, row.idx, { state: 'invited', userId: response.invitedUser.id, redeemUrl: response.inviteRedeemUrl ?? null, detail: null }, { run, email });
      }
    } catch (error) {
      if (error instanceof InvitationRefusedError && error.refusal.kind === 'abuse') {
        await this.setRow(id, row.idx, { state: 'failed', detail: error.refusal.message }, { run, email });
        await this.stopForAbuse(run, error.refusal.message);
        return { status: 'done' };
      }
      if (error instanceof InvitationRefusedError) {
        await this.setRow(id, row.idx, { state: error.refusal.kind === 'policy' ? 'refused' : 'failed', detail: error.refusal.message }, { run, email });
      } else if (error instanceof InvitationThrottledError) {
        await this.setRow(id, row.idx, { state: 'pending' });
        return { status: 'continue', runAt: new Date(this.now().getTime() + (error.retryAfterMs ?? 30_000)) };
      } else if (error instanceof DirectoryUnavailableError) {
        await this.setRow(id, row.idx, { state: resumed ? 'inviting' : 'pending' });
        return { status: 'retry', error: error.message };
      } else {
        throw error;
      }
    }
    await this.updateProgress(id, false);
    return { status: 'continue', runAt: nextSlot ?? this.now() };
  }

  private async stopForAbuse(run: BulkRunRecord, message: string): Promise<void> {
    const current = (await this.runRow(run.id)) ?? run;
    await this.deps.store.bulkRuns.abandonOpenRows(run.id, 'Not attempted: invitations were blocked for this directory.', this.now());
    await this.transition(current, 'stopped', { stopReason: message }, undefined, 'invite.bulk.stop', 'failed');
    await this.updateProgress(run.id, true);
  }

  /** When the job gives up (Graph unavailable for too long): the run stops and says so. */
  async giveUp(id: string, reason: string): Promise<void> {
    const run = await this.runRow(id);
    if (!run || run.state !== 'running') return;
    await this.transition(run, 'stopped', { stopReason: reason }, undefined, 'invite.bulk.stop', 'failed');
    await this.updateProgress(id, true);
  }

  /**
   * One page of the per-row results, for the card shown when there is no results file to link to. Only the requester and
   * other admins get here (the action is for admins); a page past the end shows the last one.
   */
  async resultsPage(id: string, page: number): Promise<BulkResultsPage | undefined> {
    const view = await this.view(id);
    if (!view) return undefined;
    const rows = await this.deps.store.bulkRuns.rows(id);
    const pages = Math.max(1, Math.ceil(rows.length / RESULTS_PAGE_SIZE));
    const current = Math.min(Math.max(1, Math.floor(page)), pages);
    const slice = rows.slice((current - 1) * RESULTS_PAGE_SIZE, current * RESULTS_PAGE_SIZE);
    return {
      view,
      page: current,
      pages,
      rows: slice.map((row) => ({
        number: row.idx + 1,
        address: row.email ?? row.input,
        status: resultStatus(row),
        detail: row.detail,
        redeemUrl: row.state === 'invited' && !row.sendEmail ? row.redeemUrl : undefined,
      })),
    };
  }

  /** Per-row results in the Entra bulk-invite layout: the upload columns, then the outcome of each row. */
  async resultsCsv(id: string): Promise<string | undefined> {
    const run = await this.runRow(id);
    if (!run) return undefined;
    return writeResultsCsv(await this.deps.store.bulkRuns.rows(id), this.deps.settings.redirectUrl);
  }

  /** A signed, expiring link to the results; undefined when no public base URL is configured. */
  downloadUrl(id: string): string | undefined {
    return this.links.url(id);
  }

  verifyLink(id: string, expires: string, sig: string): LinkVerdict {
    return this.links.verify(id, expires, sig);
  }
}
