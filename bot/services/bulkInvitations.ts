import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DirectoryUnavailableError } from '../graph/errors';
import { InvitationRefusedError, InvitationThrottledError } from '../graph/graphInvitations';
import type { Caller } from '../identity/caller';
import type { Jobs } from '../jobs';
import type { Notifier, OutgoingMessage, SentMessage } from './ports';
import { compareAndSet, type BulkInviteRowTable, type BulkInviteRunTable, type Database, type Store } from '../store';
import { checkPartnerAddress, domainMatches } from './emailAddress';
import type { InvitationDirectory } from './invitations';
import { fetchAttachedCsv, type FileDownloads } from './teamsFile';

export const BULK_JOB_KIND = 'invite.bulk';

export interface BulkSettings {
  redirectUrl: string;
  allowDomains: readonly string[];
  blockDomains: readonly string[];
  adminGroupId: string;
  /** Invitations per minute; the anti-abuse block has no published threshold, so the default is slow. */
  perMinute: number;
  /** Runs with more valid rows than this need a second admin's approval. */
  approvalThreshold: number;
  maxRows: number;
  /** At least this long between two updates of the progress card (Teams allows about 60 per 30 s per conversation). */
  progressIntervalMs: number;
  /** https base URL where this bot is reachable, for the results download link; without it there is no link. */
  publicBaseUrl?: string;
  linkSecret: string;
  linkLifetimeMs: number;
  /** Sandbox mode only: attached files may come from a loopback http server. */
  allowLoopbackFiles?: boolean;
}

export type RowState = 'invalid' | 'pending' | 'inviting' | 'invited' | 'alreadyGuest' | 'refused' | 'failed' | 'notAttempted';
export type RunState = 'draft' | 'awaitingApproval' | 'running' | 'finished' | 'stopped' | 'cancelled';

export interface BulkRowInput {
  input: string;
  redirectUrl?: string;
  sendEmail?: boolean;
  message?: string;
}

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
  version: number;
}

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

const SentSchema = z.object({ reference: z.record(z.string(), z.unknown()), activityId: z.string() });

/** The Entra bulk-invite template: a `version:v1.0` line, then headers naming properties in brackets. */
const ENTRA_COLUMNS = {
  inviteeEmail: 'Email address to invite [inviteeEmail] Required',
  inviteRedirectURL: 'Redirection url [inviteRedirectURL] Required',
  sendEmail: 'Send invitation message (true or false) [sendEmail]',
  customizedMessageBody: 'Customized invitation message [customizedMessageBody]',
} as const;

/** One CSV record per line, RFC 4180 quoting. */
export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"' && text.charAt(i + 1) === '"') {
        field += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text.charAt(i + 1) === '\n') i += 1;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => r.some((f) => f.trim() !== ''));
}

/**
 * Reads a CSV in Entra's bulk-invite layout. Columns are found by the bracketed property name, so older templates with
 * other wording still work; a file without an inviteeEmail column is refused with the reason.
 */
export function parseEntraBulkCsv(text: string): { ok: true; rows: BulkRowInput[] } | { ok: false; problem: string } {
  const records = parseCsvRecords(text.replace(/^\uFEFF/, ''));
  let start = 0;
  if (/^version:/i.test(records[0]?.[0]?.trim() ?? '')) start = 1;
  const header = records[start];
  if (!header) return { ok: false, problem: 'The CSV file is empty.' };
  const column = (property: string): number => header.findIndex((h) => h.toLowerCase().includes(`[${property.toLowerCase()}]`));
  const email = column('inviteeEmail');
  if (email < 0) {
    return { ok: false, problem: `The CSV has no "${ENTRA_COLUMNS.inviteeEmail}" column. Use the template from Entra's Bulk invite page.` };
  }
  const redirect = column('inviteRedirectURL');
  const send = column('sendEmail');
  const message = column('customizedMessageBody');
  const rows = records.slice(start + 1).map((r) => ({
    input: (r[email] ?? '').trim(),
    redirectUrl: redirect >= 0 ? (r[redirect] ?? '').trim() || undefined : undefined,
    sendEmail: send >= 0 ? /^true$/i.test((r[send] ?? '').trim()) : undefined,
    message: message >= 0 ? (r[message] ?? '').trim() || undefined : undefined,
  }));
  return { ok: true, rows };
}

function csvField(value: string): string {
  // A leading = + - @ would be run as a formula by a spreadsheet: quote it and neutralise it.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const STATUS_WORDS: Record<RowState, string> = {
  invalid: 'Failed: invalid address',
  pending: 'Not processed yet',
  inviting: 'In progress',
  invited: 'Succeeded',
  alreadyGuest: 'Skipped: already a guest',
  refused: 'Failed: refused by policy',
  failed: 'Failed',
  notAttempted: 'Not attempted: run stopped',
};

/**
 * Bulk invitations: parsed and validated up front, approved by a second admin when large, then run as a durable job that
 * invites one row per step at a configured pace, honours Retry-After, and stops at once on the anti-abuse block.
 */
export class BulkInvitationService {
  constructor(
    private readonly deps: {
      store: Store;
      directory: InvitationDirectory;
      notifier: Notifier;
      jobs: Jobs;
      /** Downloads an attached CSV. */
      files: FileDownloads;
      settings: BulkSettings;
      messages: BulkMessages;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  get settings(): BulkSettings {
    return this.deps.settings;
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
    const now = this.now().toISOString();
    const seen = new Set<string>();
    const rows: BulkInviteRowTable[] = inputs.map((row, idx) => {
      const checked = checkPartnerAddress(row.input);
      let state: RowState = 'pending';
      let detail: string | null = null;
      let email: string | null = null;
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
      let redirect = row.redirectUrl ?? null;
      if (state === 'pending' && redirect !== null && !/^https:\/\/[^\s]+$/i.test(redirect)) {
        state = 'invalid';
        detail = 'The redirection URL must be an https:// address.';
        redirect = null;
      }
      return {
        run_id: id,
        idx,
        input: row.input.slice(0, 500),
        email,
        redirect_url: redirect,
        send_email: row.sendEmail ? 1 : 0,
        message: row.message?.slice(0, 2000) ?? null,
        state,
        detail,
        user_id: null,
        redeem_url: null,
        updated_at: now,
      };
    });
    await this.deps.store.transaction(async (tx) => {
      await tx.db
        .insertInto('bulk_invite_run')
        .values({
          id,
          state: 'draft',
          requester_id: caller.aadObjectId,
          requester_name: caller.name,
          total: rows.length,
          decided_by: null,
          decided_by_name: null,
          stop_reason: null,
          progress_message: null,
          progress_updated_at: null,
          approval_messages: null,
          version: 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
      for (let i = 0; i < rows.length; i += 200) await tx.db.insertInto('bulk_invite_row').values(rows.slice(i, i + 200)).execute();
    });
    const view = await this.view(id);
    if (!view) return { ok: false, problem: 'The run could not be stored.' };
    return { ok: true, view };
  }

  private async runRow(id: string): Promise<BulkInviteRunTable | undefined> {
    return this.deps.store.db.selectFrom('bulk_invite_run').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async counts(id: string): Promise<BulkCounts> {
    const rows = await this.deps.store.db
      .selectFrom('bulk_invite_row')
      .select(['state'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('run_id', '=', id)
      .groupBy('state')
      .execute();
    const counts: BulkCounts = { total: 0, invalid: 0, pending: 0, invited: 0, alreadyGuest: 0, refused: 0, failed: 0, notAttempted: 0 };
    for (const row of rows) {
      const n = Number(row.n);
      counts.total += n;
      const state = row.state as RowState;
      if (state === 'inviting') counts.pending += n;
      else counts[state] += n;
    }
    return counts;
  }

  async view(id: string): Promise<BulkRunView | undefined> {
    const run = await this.runRow(id);
    if (!run) return undefined;
    const counts = await this.counts(id);
    const problems = await this.deps.store.db
      .selectFrom('bulk_invite_row')
      .select(['input', 'detail'])
      .where('run_id', '=', id)
      .where('state', 'in', ['invalid', 'refused', 'failed'])
      .orderBy('idx')
      .limit(5)
      .execute();
    const state = run.state as RunState;
    const settled = state === 'finished' || state === 'stopped' || state === 'cancelled';
    return {
      id,
      state,
      requesterId: run.requester_id,
      requesterName: run.requester_name,
      decidedByName: run.decided_by_name ?? undefined,
      stopReason: run.stop_reason ?? undefined,
      counts,
      problems: problems.map((p) => ({ input: p.input, detail: p.detail ?? '' })),
      needsApproval: counts.total - counts.invalid > this.deps.settings.approvalThreshold,
      downloadUrl: settled || state === 'running' ? this.downloadUrl(id) : undefined,
      version: run.version,
    };
  }

  /** The requester's Start. A large run waits for another admin; otherwise the job starts now. */
  async start(caller: Caller, id: string): Promise<BulkDecision> {
    const run = await this.runRow(id);
    if (!run) return { kind: 'notFound' };
    if (run.requester_id !== caller.aadObjectId) return { kind: 'notYours' };
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
    if (run.requester_id === caller.aadObjectId) {
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
    const mayCancel = run.requester_id === caller.aadObjectId || caller.roles.includes('admin');
    if (mayCancel && ['draft', 'awaitingApproval', 'running'].includes(run.state)) {
      await this.transition(run, 'cancelled', {}, caller, 'invite.bulk.cancel', 'success');
      await this.updateApprovals(id);
      await this.updateProgress(id, true);
    }
    return this.view(id);
  }

  private async launch(run: BulkInviteRunTable, caller: Caller, action: string): Promise<BulkDecision> {
    const decided = action === 'invite.bulk.approve' ? { decided_by: caller.aadObjectId, decided_by_name: caller.name } : {};
    const won = await this.deps.store.transaction(async (tx) => {
      const ok = await compareAndSet<Database, 'bulk_invite_run'>(tx.db, 'bulk_invite_run', run.id, run.version, {
        state: 'running',
        updated_at: this.now().toISOString(),
        ...decided,
      });
      if (!ok) return false;
      await tx.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action, target: `bulk:${run.id}`, outcome: 'success', detail: { rows: run.total, requester: run.requester_id } });
      await this.deps.jobs.enqueue({ kind: BULK_JOB_KIND, payload: { runId: run.id }, uniqueKey: `bulk:${run.id}` }, tx.db);
      return true;
    });
    const view = await this.view(run.id);
    if (!view) return { kind: 'notFound' };
    if (!won) return { kind: 'current', view };
    this.deps.jobs.wake();
    const sent = await this.deps.notifier.sendToUser(run.requester_id, this.deps.messages.progress(view)).catch(() => undefined);
    if (sent) {
      await this.deps.store.db
        .updateTable('bulk_invite_run')
        .set({ progress_message: JSON.stringify(sent), progress_updated_at: this.now().toISOString() })
        .where('id', '=', run.id)
        .execute();
    }
    return { kind: 'started', view };
  }

  private async transition(run: BulkInviteRunTable, state: RunState, changes: { stop_reason?: string }, actor: Caller | undefined, action: string, outcome: string): Promise<boolean> {
    return this.deps.store.transaction(async (tx) => {
      const ok = await compareAndSet<Database, 'bulk_invite_run'>(tx.db, 'bulk_invite_run', run.id, run.version, {
        state,
        updated_at: this.now().toISOString(),
        ...changes,
      });
      if (ok) {
        await tx.audit.append({
          actor: actor?.aadObjectId ?? 'system:job',
          actorName: actor?.name,
          action,
          target: `bulk:${run.id}`,
          outcome,
          detail: { rows: run.total, ...(changes.stop_reason ? { reason: changes.stop_reason } : {}) },
        });
      }
      return ok;
    });
  }

  private async teamsIds(exclude: string): Promise<{ adminIds: string[]; teamsIds: string[] }> {
    const adminIds = (await this.deps.directory.transitiveUserMemberIds(this.deps.settings.adminGroupId)).filter((a) => a !== exclude.toLowerCase());
    const teamsIds: string[] = [];
    for (const adminId of adminIds) {
      if (teamsIds.length >= 60) break;
      const reference = await this.deps.store.conversations.get(adminId);
      if (reference?.user?.id) teamsIds.push(reference.user.id);
    }
    return { adminIds, teamsIds };
  }

  async approverTeamsIds(id: string): Promise<string[]> {
    const run = await this.runRow(id);
    return (await this.teamsIds(run?.requester_id ?? '')).teamsIds;
  }

  private async requestApproval(id: string, requesterId: string): Promise<number> {
    const view = await this.view(id);
    if (!view) return 0;
    const { adminIds, teamsIds } = await this.teamsIds(requesterId);
    const message = this.deps.messages.approval(view, teamsIds);
    const sent: SentMessage[] = [];
    for (const adminId of adminIds) {
      const delivered = await this.deps.notifier.sendToUser(adminId, message).catch(() => undefined);
      if (delivered) sent.push(delivered);
    }
    await this.deps.store.db.updateTable('bulk_invite_run').set({ approval_messages: JSON.stringify(sent) }).where('id', '=', id).execute();
    return sent.length;
  }

  private async updateApprovals(id: string): Promise<void> {
    const run = await this.runRow(id);
    const view = await this.view(id);
    if (!run?.approval_messages || !view) return;
    const parsed = z.array(SentSchema).safeParse(JSON.parse(run.approval_messages));
    if (!parsed.success) return;
    const message = this.deps.messages.approval(view, (await this.teamsIds(run.requester_id).catch(() => ({ teamsIds: [] }))).teamsIds);
    await Promise.all(parsed.data.map((sent) => this.deps.notifier.update(sent as SentMessage, message).catch(() => undefined)));
  }

  /** Updates the progress card in place, at most once per progressIntervalMs unless forced (start, stop, end). */
  private async updateProgress(id: string, force: boolean): Promise<void> {
    const run = await this.runRow(id);
    if (!run?.progress_message) return;
    const last = run.progress_updated_at ? Date.parse(run.progress_updated_at) : 0;
    const now = this.now();
    if (!force && now.getTime() - last < this.deps.settings.progressIntervalMs) return;
    const claimed = await this.deps.store.db
      .updateTable('bulk_invite_run')
      .set({ progress_updated_at: now.toISOString() })
      .where('id', '=', id)
      .where((eb) => (run.progress_updated_at ? eb('progress_updated_at', '=', run.progress_updated_at) : eb('progress_updated_at', 'is', null)))
      .executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) return;
    const view = await this.view(id);
    const sent = SentSchema.safeParse(JSON.parse(run.progress_message));
    if (!view || !sent.success) return;
    await this.deps.notifier.update(sent.data as SentMessage, this.deps.messages.progress(view)).catch(() => undefined);
  }

  /**
   * Updates one row; a final outcome is audited in the same transaction, as for a single invitation, on behalf of the
   * admin who ran the list (and naming the approver).
   */
  private async setRow(
    runId: string,
    idx: number,
    changes: Partial<Pick<BulkInviteRowTable, 'state' | 'detail' | 'user_id' | 'redeem_url'>>,
    audit?: { run: BulkInviteRunTable; email: string },
  ): Promise<void> {
    const now = this.now().toISOString();
    await this.deps.store.transaction(async (tx) => {
      await tx.db.updateTable('bulk_invite_row').set({ ...changes, updated_at: now }).where('run_id', '=', runId).where('idx', '=', idx).execute();
      const state = changes.state;
      if (!audit || !state || !['invited', 'alreadyGuest', 'refused', 'failed'].includes(state)) return;
      await tx.audit.append({
        actor: audit.run.requester_id,
        actorName: audit.run.requester_name,
        action: 'invite.create',
        target: audit.email,
        outcome: state === 'invited' ? 'success' : state === 'alreadyGuest' ? 'skipped' : state === 'refused' ? 'refused' : 'failed',
        detail: {
          bulkRun: runId,
          row: idx,
          ...(audit.run.decided_by ? { approvedBy: audit.run.decided_by } : {}),
          ...(changes.user_id ? { userId: changes.user_id } : {}),
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
   * A job step: rows one after another at the configured pace for up to about a second, then the step ends so the runner
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
    const row = await this.deps.store.db
      .selectFrom('bulk_invite_row')
      .selectAll()
      .where('run_id', '=', id)
      .where('state', 'in', ['inviting', 'pending'])
      .orderBy('idx')
      .limit(1)
      .executeTakeFirst();
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
    let posted = false;
    try {
      const existing = await this.deps.directory.findByEmail(email);
      const guest = existing.find((u) => u.userType === 'Guest' && u.creationType === 'Invitation');
      if (guest) {
        await this.setRow(id, row.idx, resumed ? { state: 'invited', user_id: guest.id, detail: 'Invited (confirmed after a restart).' } : { state: 'alreadyGuest', user_id: guest.id, detail: `Already a guest (${guest.externalUserState ?? 'state unknown'}).` }, { run, email });
      } else if (existing[0]) {
        await this.setRow(id, row.idx, { state: 'failed', user_id: existing[0].id, detail: 'The address belongs to an existing account in the directory.' }, { run, email });
      } else {
        posted = true;
        const response = await this.deps.directory.invite({
          email,
          redirectUrl: row.redirect_url ?? this.deps.settings.redirectUrl,
          sendInvitationMessage: row.send_email === 1,
          sponsorIds: [run.requester_id],
        });
        await this.setRow(id, row.idx, { state: 'invited', user_id: response.invitedUser.id, redeem_url: response.inviteRedeemUrl ?? null, detail: null }, { run, email });
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
    const paceMs = Math.ceil(60_000 / this.deps.settings.perMinute);
    return { status: 'continue', runAt: new Date(this.now().getTime() + (posted ? paceMs : 0)) };
  }

  private async stopForAbuse(run: BulkInviteRunTable, message: string): Promise<void> {
    const current = (await this.runRow(run.id)) ?? run;
    await this.deps.store.transaction(async (tx) => {
      await tx.db
        .updateTable('bulk_invite_row')
        .set({ state: 'notAttempted', detail: 'Not attempted: invitations were blocked for this directory.', updated_at: this.now().toISOString() })
        .where('run_id', '=', run.id)
        .where('state', 'in', ['pending', 'inviting'])
        .execute();
    });
    await this.transition(current, 'stopped', { stop_reason: message }, undefined, 'invite.bulk.stop', 'failed');
    await this.updateProgress(run.id, true);
  }

  /** When the job gives up (Graph unavailable for too long): the run stops and says so. */
  async giveUp(id: string, reason: string): Promise<void> {
    const run = await this.runRow(id);
    if (!run || run.state !== 'running') return;
    await this.transition(run, 'stopped', { stop_reason: reason }, undefined, 'invite.bulk.stop', 'failed');
    await this.updateProgress(id, true);
  }

  /** Per-row results in the Entra bulk-invite layout: the upload columns, then the outcome of each row. */
  async resultsCsv(id: string): Promise<string | undefined> {
    const run = await this.runRow(id);
    if (!run) return undefined;
    const rows = await this.deps.store.db.selectFrom('bulk_invite_row').selectAll().where('run_id', '=', id).orderBy('idx').execute();
    const header = [...Object.values(ENTRA_COLUMNS), 'Status [status]', 'Details [errorDetails]', 'Invited user object id [invitedUserId]', 'Redemption url [inviteRedeemUrl]'];
    const lines = ['version:v1.0', header.map(csvField).join(',')];
    for (const row of rows) {
      lines.push(
        [
          row.email ?? row.input,
          row.redirect_url ?? this.deps.settings.redirectUrl,
          row.send_email ? 'true' : 'false',
          row.message ?? '',
          STATUS_WORDS[row.state as RowState] ?? row.state,
          row.detail ?? '',
          row.user_id ?? '',
          row.redeem_url ?? '',
        ]
          .map(csvField)
          .join(','),
      );
    }
    return `${lines.join('\r\n')}\r\n`;
  }

  private signature(id: string, expires: number): string {
    return createHmac('sha256', this.deps.settings.linkSecret).update(`bulk-results:${id}:${expires}`).digest('base64url');
  }

  /** A signed, expiring link to the results; undefined when no public base URL is configured. */
  downloadUrl(id: string): string | undefined {
    const base = this.deps.settings.publicBaseUrl;
    if (!base) return undefined;
    const expires = Math.floor((this.now().getTime() + this.deps.settings.linkLifetimeMs) / 1000);
    return `${base}/bulk/${id}/results.csv?expires=${expires}&sig=${this.signature(id, expires)}`;
  }

  verifyLink(id: string, expires: string, sig: string): 'ok' | 'expired' | 'invalid' {
    const at = Number(expires);
    if (!Number.isInteger(at)) return 'invalid';
    const expected = Buffer.from(this.signature(id, at));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return at * 1000 < this.now().getTime() ? 'expired' : 'ok';
  }
}
