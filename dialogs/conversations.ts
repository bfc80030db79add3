import type { Storage, StatePropertyAccessor, TurnContext } from 'botbuilder';
import { DialogSet, DialogTurnStatus, type DialogState } from 'botbuilder-dialogs';
import { z } from 'zod';
import { cards } from '../cards';
import type { CommandReply } from '../bot/commands/defineCommand';
import type { Caller } from '../bot/identity/caller';
import { isAllowed } from '../bot/identity/policy';
import { hasLoneSurrogate } from '../bot/routing/inputText';
import type { Logger } from '../bot/logger';
import type { Services } from '../bot/services';
import { userZone } from '../bot/services/timeSpan';
import { ConversationDialog } from './conversationDialog';
import { setDialogTurn, type DialogInput, type DialogMemo, type DialogTurn } from './turn';
import { mayUnderstand, understand, type Understanding } from './understanding';

export const DEFAULT_DIALOG_IDLE_MINUTES = 30;

/** The verb of every button on a conversation's question cards; the bot hands it to the conversation, not the action router. */
export const DIALOG_ANSWER_VERB = 'dialog.answer';

export interface ConversationDeps {
  /** Where dialog state lives: the store's botbuilder Storage, shared by every instance on one database. */
  storage: Storage;
  /** The words the command router owns (names and aliases): one ends a conversation and runs instead. */
  commandWords: readonly string[];
  /** DIALOG_IDLE_MINUTES: a conversation left unanswered this long is dropped, and the next message says so. */
  idleMinutes?: number;
  now?: () => Date;
  /** The grammar; replaced only by tests that pin what a sentence is understood as. */
  grammar?: { understand: typeof understand; mayUnderstand: typeof mayUnderstand };
}

export interface ConversationCaller {
  caller: Caller;
  services: Services;
  log: Logger;
}

/** A message the conversation answered, or one for the command router, with a line to put in front of its reply. */
export type ConversationAnswer = { kind: 'reply'; reply: CommandReply } | { kind: 'route'; note?: string };

/** One person's conversation in one chat, as stored: the dialog stack, what it is about, and the eTag it was read with. */
interface Session {
  key: string;
  dialogState?: DialogState;
  memo?: DialogMemo;
  eTag?: string;
  /** The document as read, to write only what changed. */
  loaded: string;
}

/** What is stored: nothing once the conversation is over, so an ended conversation reads the same as one never begun. */
function documentOf(session: Session): Record<string, unknown> {
  const stack = session.dialogState?.dialogStack ?? [];
  return stack.length > 0 && session.memo ? { dialogState: session.dialogState, memo: session.memo } : {};
}

const SESSION = Symbol('dialogSession');
/** The eTag of a conversation never stored: the write is then an insert that loses to a concurrent one (see DurableStorage). */
const NEVER_STORED = 'never-stored';

const storedSchema = z.object({
  dialogState: z.object({ dialogStack: z.array(z.unknown()) }).passthrough().optional(),
  memo: z.object({ flow: z.string(), summary: z.string(), lastActiveAt: z.string() }).optional(),
  eTag: z.string().optional(),
});

const answerSchema = z.object({
  questionId: z.string().min(1).max(100),
  answer: z.string().max(300).optional(),
  cancel: z.boolean().optional(),
});

function isConflict(error: unknown): boolean {
  return error instanceof Error && /eTag conflict/i.test(error.message);
}

function firstWord(text: string): string {
  return (/^\s*(\S+)/.exec(text)?.[1] ?? '').toLowerCase();
}

/** A note (what a conversation dropped) in front of a reply, as the message's text above its card. */
export function withNote(reply: CommandReply, note: string | undefined): CommandReply {
  if (!note) return reply;
  if ('card' in reply) return { card: reply.card, text: reply.text ? `${note}\n\n${reply.text}` : note };
  return { card: reply, text: note };
}

/** Only partner managers and admins talk to the bot in their own words; everyone else keeps the commands as they were. */
export function canConverse(caller: Caller): boolean {
  return isAllowed(caller.roles, 'partnerManagers');
}

/**
 * The requester's side of a conversation (issue 16), before the command router: an open dialog gets the message first;
 * `cancel` ends it and says what was dropped; a command word ends it with a one-line note and goes to the router; a
 * conversation left for DIALOG_IDLE_MINUTES is dropped and the next message says so. Free text no command claims, from a
 * partner manager or admin, goes to the grammar and starts a dialog. State is read and written through the store's
 * Storage with its eTag, so two instances cannot both move one conversation on: the later write loses and is told.
 */
export class Conversations {
  private readonly dialogs: DialogSet;
  private readonly idleMs: number;
  private readonly now: () => Date;
  private readonly grammar: NonNullable<ConversationDeps['grammar']>;
  private readonly commandWords: ReadonlySet<string>;

  constructor(private readonly deps: ConversationDeps) {
    this.idleMs = (deps.idleMinutes ?? DEFAULT_DIALOG_IDLE_MINUTES) * 60_000;
    this.now = deps.now ?? (() => new Date());
    this.grammar = deps.grammar ?? { understand, mayUnderstand };
    this.commandWords = new Set(deps.commandWords.map((w) => w.toLowerCase()));
    const accessor: StatePropertyAccessor<DialogState> = {
      get: async (context: TurnContext, defaultValue?: DialogState) => {
        const session = sessionOf(context);
        session.dialogState ??= defaultValue ?? { dialogStack: [] };
        return session.dialogState;
      },
      set: async (context: TurnContext, value: DialogState) => {
        sessionOf(context).dialogState = value;
      },
      delete: async (context: TurnContext) => {
        sessionOf(context).dialogState = undefined;
      },
    };
    this.dialogs = new DialogSet(accessor);
    this.dialogs.add(new ConversationDialog());
  }

  /** A typed message: the open conversation's next step, the router's (with a note), or a conversation the sentence starts. */
  async message(context: TurnContext, who: ConversationCaller, text: string): Promise<ConversationAnswer> {
    // Broken characters and empty text (a file alone) are the router's, as they were; an open conversation stays as it is.
    if (!canConverse(who.caller) || hasLoneSurrogate(text)) return { kind: 'route' };
    const session = await this.load(context, who.caller);
    if (!session.memo && text.trim() === '') return { kind: 'route' };
    const now = this.now();
    const note = this.dropIfIdle(session, now);
    const word = firstWord(text);
    if (session.memo) {
      if (word === 'cancel') {
        const dropped = session.memo.summary;
        this.clear(session);
        return this.saved(session, who, { kind: 'reply', reply: cancelled(dropped) });
      }
      if (this.commandWords.has(word)) {
        const dropped = session.memo.summary;
        this.clear(session);
        return this.saved(session, who, { kind: 'route', note: `I dropped ${dropped} to run ${word}.` });
      }
      return this.run(context, session, who, now, { text }, undefined);
    }
    if (word === 'cancel') {
      return this.saved(session, who, { kind: 'reply', reply: withNote(cards.notice({ tone: 'info', title: 'There is nothing to cancel', text: 'No conversation is open. Write what you need, or type help.' }), note) });
    }
    if (this.commandWords.has(word) || !this.grammar.mayUnderstand(text, this.commandWords)) {
      return this.saved(session, who, { kind: 'route', ...(note ? { note } : {}) });
    }
    const understanding = this.grammar.understand(text, {
      now,
      zone: userZone(context.activity),
      maxDays: who.services.accessRequests.settings.maxDays,
      commandWords: this.commandWords,
    });
    if (understanding.refused) {
      const reply = cards.notice({ tone: 'warning', title: "I can't read that message", text: understanding.refused.message });
      return this.saved(session, who, { kind: 'reply', reply: withNote(reply, note) });
    }
    return this.run(context, session, who, now, { text }, understanding, note);
  }

  /** A button on a question card (dialog.answer): the same step a typed answer reaches, answered in place of the card. */
  async answer(context: TurnContext, who: ConversationCaller, data: unknown): Promise<CommandReply> {
    const parsed = answerSchema.safeParse(data);
    if (!parsed.success) return cards.notice({ tone: 'warning', title: 'This card is out of date or was changed', text: 'Nothing was changed. Write what you need again.' });
    if (!canConverse(who.caller)) return cards.notice({ tone: 'warning', title: 'Conversations are for partner managers and admins', text: 'Use the commands instead; type help to see them.' });
    const session = await this.load(context, who.caller);
    const now = this.now();
    const note = this.dropIfIdle(session, now);
    if (!session.memo) {
      const closed = cards.notice({ tone: 'info', title: 'This question is closed', text: note ?? 'That conversation was finished, cancelled or replaced by a newer one. Write what you need to start again.' });
      const result = await this.saved(session, who, { kind: 'reply', reply: closed });
      return result.kind === 'reply' ? result.reply : closed;
    }
    if (parsed.data.cancel) {
      const reply = cancelled(session.memo.summary);
      this.clear(session);
      const result = await this.saved(session, who, { kind: 'reply', reply });
      return result.kind === 'reply' ? result.reply : reply;
    }
    const result = await this.run(context, session, who, now, { choice: parsed.data.answer ?? '', questionId: parsed.data.questionId }, undefined);
    return result.kind === 'reply' ? result.reply : cards.notice({ tone: 'info', title: 'Done' });
  }

  private async run(
    context: TurnContext,
    session: Session,
    who: ConversationCaller,
    now: Date,
    input: DialogInput,
    understanding: Understanding | undefined,
    note?: string,
  ): Promise<ConversationAnswer> {
    const turn: DialogTurn = { ...who, now, input, memo: session.memo, zone: userZone(context.activity) };
    setDialogTurn(context, turn);
    context.turnState.set(SESSION, session);
    const dc = await this.dialogs.createContext(context);
    const result = understanding ? await dc.beginDialog(ConversationDialog.id, understanding) : await dc.continueDialog();
    if (result.status === DialogTurnStatus.waiting) session.memo = turn.memo;
    else this.clear(session);
    const reply = turn.reply ?? cards.notice({ tone: 'info', title: 'Done' });
    return this.saved(session, who, { kind: 'reply', reply: withNote(reply, note) });
  }

  /** Writes the conversation back with the eTag it was read with; a conversation another instance moved on meanwhile wins. */
  private async saved(session: Session, who: ConversationCaller, answer: ConversationAnswer): Promise<ConversationAnswer> {
    const document = documentOf(session);
    if (JSON.stringify(document) === session.loaded) return answer;
    try {
      await this.deps.storage.write({ [session.key]: { ...document, eTag: session.eTag ?? NEVER_STORED } });
    } catch (error) {
      if (!isConflict(error)) throw error;
      who.log.info({ key: session.key }, 'conversation moved on in another turn: this answer was not taken');
      return {
        kind: 'reply',
        reply: cards.notice({
          tone: 'warning',
          title: 'Another message of yours was answered at the same moment',
          text: 'I kept that one, so this answer was not taken. Look at my latest question, then answer it again.',
        }),
      };
    }
    return answer;
  }

  private async load(context: TurnContext, caller: Caller): Promise<Session> {
    const { activity } = context;
    const key = `dialog/${activity.channelId}/${activity.conversation.id}/${caller.aadObjectId}`;
    const items = await this.deps.storage.read([key]);
    const item = items[key];
    const eTag = typeof item?.eTag === 'string' ? item.eTag : undefined;
    const stored = storedSchema.safeParse(item ?? {});
    const session: Session = {
      key,
      ...(stored.success && stored.data.dialogState && stored.data.memo ? { dialogState: stored.data.dialogState as DialogState, memo: stored.data.memo } : {}),
      ...(eTag ? { eTag } : {}),
      loaded: '',
    };
    // A document that does not parse is rewritten as empty on the next change: the conversation starts afresh.
    session.loaded = stored.success ? JSON.stringify(documentOf(session)) : 'unreadable';
    return session;
  }

  /** A conversation idle past DIALOG_IDLE_MINUTES is dropped now; the sentence saying so goes with this turn's answer. */
  private dropIfIdle(session: Session, now: Date): string | undefined {
    if (!session.memo) return undefined;
    const idleSince = Date.parse(session.memo.lastActiveAt);
    if (Number.isFinite(idleSince) && now.getTime() - idleSince <= this.idleMs) return undefined;
    const minutes = Math.round(this.idleMs / 60_000);
    const dropped = session.memo.summary;
    this.clear(session);
    return `I dropped ${dropped}: it waited for an answer for more than ${minutes} minutes. Nothing was sent.`;
  }

  private clear(session: Session): void {
    session.dialogState = undefined;
    session.memo = undefined;
  }
}

function sessionOf(context: TurnContext): Session {
  const session = context.turnState.get(SESSION) as Session | undefined;
  if (!session) throw new Error('dialog state read outside a conversation turn');
  return session;
}

function cancelled(summary: string): CommandReply {
  return cards.notice({ tone: 'info', title: `Cancelled ${summary}`, text: 'Nothing was sent. Write what you need to start again.' });
}
