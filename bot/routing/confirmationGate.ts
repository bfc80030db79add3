import { randomUUID } from 'node:crypto';
import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { AnyCardAction } from '../actions/defineAction';
import type { AnyCommand, CommandReply } from '../commands/defineCommand';
import { CONFIRMATION_ID_FIELD, CONFIRMATION_TTL_MS, type ConfirmDecision, type ConfirmQuestion, type ConfirmStep } from '../handlers/confirmation';
import type { Confirmed, HandlerContext } from '../handlers/context';
import { describePermission, describeRoles, isAllowed, type Permission } from '../identity/policy';
import type { Services } from '../services';
import { sameObjectId } from '../identity/objectId';

type ConfirmationRecord = NonNullable<Awaited<ReturnType<Services['store']['confirmations']['get']>>>;

/** The confirmation card's two buttons. The router answers them itself: they are the mechanism, not a feature. */
export const CONFIRM_VERBS = { accept: 'confirm.accept', cancel: 'confirm.cancel' } as const;

/** What a gate answers instead of, or after, running a handler: a card, or a short message under the card on display. */
export type GateReply = { card: Attachment } | { message: string };

/** What the gate needs of a destructive definition, command or action alike. */
interface Destructive {
  kind: 'command' | 'action';
  verb: string;
  confirm: ConfirmStep<unknown> | undefined;
}

const FORGED = 'This card is out of date or was changed. Nothing was changed; send the command again for a fresh card.';

/** A command's reply as a card, for an invoke response (the short text is for notifications, which an invoke has none of). */
export function replyCard(reply: CommandReply): Attachment {
  return 'card' in reply ? reply.card : reply;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Keeps, for each input the card offered, the values the click picked, in the order offered. Any picked value that was not
 * offered means the card was altered: the whole click is refused rather than trimmed to what looks allowed.
 */
export function pickOfferedChoices(offered: Readonly<Record<string, readonly string[]>> | undefined, data: unknown): Confirmed['choices'] | undefined {
  const fields = isRecord(data) ? data : {};
  const picked: Record<string, readonly string[]> = {};
  for (const [input, values] of Object.entries(offered ?? {})) {
    const chosen = new Set<string>();
    const raw = fields[input];
    if (typeof raw === 'string') {
      for (const value of raw.split(',').map((v) => v.trim())) if (value !== '') chosen.add(value);
    } else if (Array.isArray(raw)) {
      for (const value of raw as unknown[]) {
        if (typeof value !== 'string') return undefined;
        chosen.add(value);
      }
    } else if (raw !== undefined) {
      return undefined;
    }
    for (const [field, value] of Object.entries(fields)) {
      if (field.startsWith(`${input}:`) && (value === 'true' || value === true)) chosen.add(field.slice(input.length + 1));
    }
    for (const value of chosen) if (!values.includes(value)) return undefined;
    picked[input] = values.filter((v) => chosen.has(v));
  }
  return picked;
}

/** The free-text inputs an own-card confirmation declares (a reason), read from the click: text only, trimmed, bounded. */
export function pickNotes(declared: readonly string[] | undefined, data: unknown): Record<string, string> {
  const fields = isRecord(data) ? data : {};
  const notes: Record<string, string> = {};
  for (const input of declared ?? []) {
    const raw = fields[input];
    if (typeof raw === 'string' && raw.trim() !== '') notes[input] = raw.trim().slice(0, MAX_NOTE_LENGTH);
  }
  return notes;
}

const MAX_NOTE_LENGTH = 500;

type Shown = NonNullable<ConfirmationRecord['shown']>;

function shownBy(question: ConfirmQuestion): Shown {
  return { title: question.title, consequence: question.consequence, facts: (question.facts ?? []).map(({ title, value }) => ({ title, value })) };
}

/**
 * How what the card showed differs from what the call would do now, in words for the person who confirmed; undefined when
 * it is the same. A fact that changed is named with its old and new value; anything else is said as a whole.
 */
export function whatChanged(before: Shown, now: Shown): string | undefined {
  const facts = (shown: Shown) => new Map(shown.facts.map((f) => [f.title, f.value]));
  const was = facts(before);
  const is = facts(now);
  const lines: string[] = [];
  for (const [title, value] of was) {
    const current = is.get(title);
    if (current === undefined) lines.push(`${title} is no longer part of it (was "${value}")`);
    else if (current !== value) lines.push(`${title} is now "${current}" (the card said "${value}")`);
  }
  for (const [title, value] of is) if (!was.has(title)) lines.push(`${title} "${value}" is new`);
  if (lines.length === 0 && (before.title !== now.title || before.consequence !== now.consequence)) lines.push('what it would do is no longer what the card said');
  return lines.length > 0 ? `${lines.join('; ')}.` : undefined;
}

/**
 * The one confirmation step for destructive commands and card actions (issue 9), enforced here rather than by each handler.
 * Asking stores a one-time confirmation (caller, verb, the exact input that parsed, 15-minute expiry) and answers with the
 * confirmation card. Confirm consumes it once by compare-and-set (pending → used) with its audit row, checks it is the same
 * caller, parses the stored input again and runs the handler with that, never with what the clicked card carries; a second
 * click is told it was already done, with the result. Cancel moves it to cancelled. The routers call this; handlers do not.
 */
export class ConfirmationGate {
  constructor(
    private readonly registry: { commands: readonly AnyCommand[]; actions: readonly AnyCardAction[] },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Before a destructive handler runs: `run` when its `confirm` says this call takes nothing away, otherwise the reply to send
   * instead (the confirmation card, or why not). `input` is what the handler's schema parsed (tokens, or card data), stored
   * to be parsed again at Confirm; `args` is its output, for `confirm` to describe.
   */
  async ask(definition: Destructive, context: HandlerContext, input: unknown, args: unknown): Promise<{ run: true } | { reply: GateReply }> {
    const { confirm } = definition;
    if (confirm === undefined || typeof confirm !== 'function') {
      // Fail closed: a destructive definition without a way to ask, or one confirmed on its own card that arrived without it.
      context.log.error({ verb: definition.verb }, 'destructive step without a confirmation refused');
      return { reply: { message: FORGED } };
    }
    const decision = await confirm(context, args);
    if ('notDestructive' in decision) return { run: true };
    if ('refuse' in decision) return { reply: { card: cards.notice({ tone: 'warning', title: decision.refuse, text: 'Nothing was changed.' }) } };
    return { reply: await this.issue(definition, context, input, decision) };
  }

  /** Stores a confirmation of `question` with the input that will run, audits the asking, and renders the card. */
  private async issue(definition: Pick<Destructive, 'kind' | 'verb'>, context: HandlerContext, input: unknown, decision: ConfirmQuestion, changed?: string): Promise<GateReply> {
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + CONFIRMATION_TTL_MS);
    const record = await context.services.store.confirmations.create({
      id: randomUUID(),
      callerId: context.caller.aadObjectId,
      kind: definition.kind,
      verb: definition.verb,
      payload: input,
      summary: decision.title,
      shown: shownBy(decision),
      expiresAt,
      now,
    });
    await context.services.store.audit.append({
      actor: context.caller.aadObjectId,
      actorName: context.caller.name,
      action: 'confirm.ask',
      target: definition.verb,
      outcome: 'requested',
      detail: { confirmationId: record.id, summary: decision.title, consequence: decision.consequence },
    });
    return {
      card: cards.confirm({
        confirmationId: record.id,
        title: decision.title,
        consequence: changed ? `Since you were asked, this changed: ${changed} Nothing was changed yet. ${decision.consequence}` : decision.consequence,
        confirmLabel: decision.confirmLabel,
        facts: decision.facts,
        expiresAt,
      }),
    };
  }

  /** Confirm on the confirmation card: `data` is the click's data; only its confirmation id is read. */
  accept(context: HandlerContext, data: unknown): Promise<GateReply> {
    return this.consume(context, data, undefined);
  }

  /** A destructive action confirmed on its own card: the id must have been issued for this very verb. */
  acceptOwnCard(context: HandlerContext, verb: string, data: unknown): Promise<GateReply> {
    return this.consume(context, data, verb);
  }

  async cancel(context: HandlerContext, data: unknown): Promise<GateReply> {
    const found = await this.find(context, data, undefined);
    if ('reply' in found) return found.reply;
    const { record } = found;
    if (record.state !== 'pending') return this.settled(record);
    const now = this.clock();
    const won = await context.services.store.transaction(async (tx) => {
      const ok = await tx.confirmations.settle(record, 'cancelled', now);
      if (ok) await tx.audit.append(this.auditEntry(context, record, 'confirm.cancel', 'success'));
      return ok;
    });
    if (!won) return this.settledAgain(context, record);
    return { card: cards.notice({ tone: 'info', title: `Cancelled: ${record.summary}`, text: 'Nothing was changed.' }) };
  }

  private async consume(context: HandlerContext, data: unknown, ownCardVerb: string | undefined): Promise<GateReply> {
    const found = await this.find(context, data, ownCardVerb);
    if ('reply' in found) return found.reply;
    const { record } = found;
    if (record.state !== 'pending') return this.settled(record);
    const now = this.clock();
    if (record.expiresAt <= now) return this.expired();
    const target = this.resolve(record);
    if (!target) return { message: 'This button is no longer supported. Nothing was changed. Send "help" to see what I can do now.' };
    if (!isAllowed(context.caller.roles, target.permission)) {
      return { message: `Only ${describePermission(target.permission)} can do this. Your role: ${describeRoles(context.caller.roles)}. Nothing was changed.` };
    }
    const args = target.parse(record.payload);
    const choices = pickOfferedChoices(record.choices, data);
    if (args === undefined || choices === undefined) {
      await context.services.store.audit.append(this.auditEntry(context, record, 'confirm.accept', 'refused', { reason: args === undefined ? 'stored-input' : 'choices' }));
      return { message: FORGED };
    }
    if (target.describe && record.shown) {
      const stale = await this.recheck(context, record, record.shown, await target.describe(context, args.value));
      if (stale) return stale;
    }
    const won = await context.services.store.transaction(async (tx) => {
      const ok = await tx.confirmations.settle(record, 'used', now);
      if (ok) await tx.audit.append(this.auditEntry(context, record, 'confirm.accept', 'success', { choices }));
      return ok;
    });
    if (!won) return this.settledAgain(context, record);
    let reply: GateReply;
    try {
      reply = await target.run({ ...context, confirmed: { id: record.id, choices, ...(target.notes ? { notes: pickNotes(target.notes, data) } : {}) } }, args.value);
    } catch (error) {
      await context.services.store.confirmations.setResult(record.id, {
        message: `This was confirmed, but it failed on my side. Check the current state before trying again: ${record.summary}`,
      });
      throw error;
    }
    await context.services.store.confirmations.setResult(record.id, reply);
    return reply;
  }

  private async find(
    context: HandlerContext,
    data: unknown,
    ownCardVerb: string | undefined,
  ): Promise<{ record: ConfirmationRecord } | { reply: GateReply }> {
    const id = isRecord(data) ? data[CONFIRMATION_ID_FIELD] : undefined;
    if (typeof id !== 'string' || id.length === 0 || id.length > 100) return { reply: { message: FORGED } };
    const record = await context.services.store.confirmations.get(id);
    if (!record) return { reply: this.expired() };
    const wrongVerb = ownCardVerb !== undefined && (record.kind !== 'action' || record.verb !== ownCardVerb);
    if (wrongVerb || !sameObjectId(record.callerId, context.caller.aadObjectId)) {
      await context.services.store.audit.append(
        this.auditEntry(context, record, 'confirm.accept', 'refused', { reason: wrongVerb ? 'other-verb' : 'other-caller' }),
      );
      return { reply: { message: wrongVerb ? FORGED : 'Only the person who was asked can answer this confirmation. Nothing was changed.' } };
    }
    return { record };
  }

  private resolve(record: ConfirmationRecord):
    | {
        permission: Permission;
        notes?: readonly string[];
        /** The definition's own description of its consequence, asked again at Confirm; absent for own-card confirmations. */
        describe?: (context: HandlerContext, args: unknown) => Promise<ConfirmDecision>;
        parse(input: unknown): { value: unknown } | undefined;
        run(context: HandlerContext, args: unknown): Promise<GateReply>;
      }
    | undefined {
    if (record.kind === 'command') {
      const command = this.registry.commands.find((c) => c.name === record.verb);
      if (!command) return undefined;
      return {
        permission: command.permission,
        ...(typeof command.confirm === 'function' ? { describe: command.confirm } : {}),
        parse: (input) => {
          const parsed = command.args.safeParse(input);
          return parsed.success ? { value: parsed.data } : undefined;
        },
        run: async (context, args) => ({ card: replyCard(await command.run({ ...context, commands: this.registry.commands }, args)) }),
      };
    }
    const action = this.registry.actions.find((a) => a.verb === record.verb);
    if (!action) return undefined;
    return {
      permission: action.permission,
      ...(typeof action.confirm === 'function' ? { describe: action.confirm } : {}),
      ...(action.confirm && 'onItsOwnCard' in action.confirm && action.confirm.notes ? { notes: action.confirm.notes } : {}),
      parse: (input) => {
        const parsed = action.data.safeParse(input);
        return parsed.success ? { value: parsed.data } : undefined;
      },
      run: (context, args) => action.run({ ...context, trigger: 'manual' }, args),
    };
  }

  /**
   * Confirm on a card whose step describes its consequence: the step is described again now, and it runs only if that is
   * still what the card showed. Otherwise the old confirmation is cancelled (audited, so a second click on it runs nothing)
   * and the answer says what changed: a fresh confirmation card when the step still asks, or why it no longer applies.
   * Returns undefined when the card still holds.
   */
  private async recheck(context: HandlerContext, record: ConfirmationRecord, shown: Shown, decision: ConfirmDecision): Promise<GateReply | undefined> {
    const changed = 'title' in decision ? whatChanged(shown, shownBy(decision)) : 'it no longer applies';
    if (changed === undefined) return undefined;
    const now = this.clock();
    const won = await context.services.store.transaction(async (tx) => {
      const ok = await tx.confirmations.settle(record, 'cancelled', now);
      if (ok) await tx.audit.append(this.auditEntry(context, record, 'confirm.accept', 'refused', { reason: 'changed-since-asked', changed }));
      return ok;
    });
    if (!won) return this.settledAgain(context, record);
    if ('refuse' in decision) return { card: cards.notice({ tone: 'warning', title: decision.refuse, text: 'This changed since you were asked, so nothing was done.' }) };
    if ('notDestructive' in decision) {
      return {
        card: cards.notice({
          tone: 'info',
          title: `Not done: ${record.summary}`,
          text: 'This changed since you were asked, and the step no longer is what the card said. Nothing was done; send the command again to see what it would do now.',
        }),
      };
    }
    return this.issue({ kind: record.kind, verb: record.verb }, context, record.payload, decision, changed);
  }

  /** A confirmation already answered: the recorded result for Confirm clicked twice, else a card saying so (never a rerun). */
  private settled(record: ConfirmationRecord): GateReply {
    if (record.state === 'cancelled') {
      return { card: cards.notice({ tone: 'info', title: `This was cancelled: ${record.summary}`, text: 'Nothing was changed.' }) };
    }
    const result = record.result;
    if (isRecord(result) && isRecord(result.card)) return { card: result.card as unknown as Attachment };
    const text = isRecord(result) && typeof result.message === 'string' ? result.message : 'It is being done, or was done; this button does nothing more.';
    return { card: cards.notice({ tone: 'info', title: `Already confirmed: ${record.summary}`, text }) };
  }

  private async settledAgain(context: HandlerContext, record: ConfirmationRecord): Promise<GateReply> {
    const now = await context.services.store.confirmations.get(record.id);
    if (now && now.state !== 'pending') return this.settled(now);
    return this.expired();
  }

  private expired(): GateReply {
    return { message: 'This confirmation has expired. Nothing was changed; send the command again to be asked afresh.' };
  }

  private auditEntry(context: HandlerContext, record: ConfirmationRecord, action: string, outcome: string, detail: Record<string, unknown> = {}) {
    return {
      actor: context.caller.aadObjectId,
      actorName: context.caller.name,
      action,
      target: record.verb,
      outcome,
      detail: { confirmationId: record.id, summary: record.summary, ...detail },
    };
  }
}
