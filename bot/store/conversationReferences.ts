import type { ConversationReference } from 'botbuilder';
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from './schema';
import type { StoreWarningHandler } from './warnings';

/** Where the bot can reach someone later: proactive notifications and job results need a stored reference. */
export interface ConversationReferenceRepository {
  /** Insert or replace. The key is usually the user's Entra object id, or `conversation:<id>` for a chat or channel. */
  save(key: string, reference: Partial<ConversationReference>): Promise<void>;
  /**
   * `save`, skipped when this repository saved the same reference (apart from its activity id) for `key` within the
   * last minute: each message refreshes its sender's reference, and in a burst only the activity id changes.
   */
  refresh(key: string, reference: Partial<ConversationReference>): Promise<void>;
  /** Undefined when absent, and also when the stored row cannot be read back (reported through `onWarning`). */
  get(key: string): Promise<Partial<ConversationReference> | undefined>;
  /** Readable references in key order, optionally only keys starting with `keyPrefix`. Corrupt rows are skipped. */
  list(options?: { keyPrefix?: string }): Promise<StoredConversationReference[]>;
  /** For when the bot is uninstalled or removed from the conversation. Returns whether a row was removed. */
  delete(key: string): Promise<boolean>;
}

export interface StoredConversationReference {
  key: string;
  reference: Partial<ConversationReference>;
  updatedAt: Date;
}

const account = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  aadObjectId: z.string().optional(),
  role: z.string().optional(),
});

/**
 * Checks what continueConversation relies on. It is deliberately looser than botframework-schema's types: Teams omits
 * fields those types call required (`conversation.isGroup` in personal chats, `name` on some accounts).
 */
const referenceSchema = z.looseObject({
  activityId: z.string().optional(),
  user: account.optional(),
  bot: account.optional(),
  conversation: account
    .extend({ isGroup: z.boolean().optional(), conversationType: z.string().optional(), tenantId: z.string().optional() })
    .optional(),
  channelId: z.string().optional(),
  locale: z.string().optional(),
  serviceUrl: z.string().optional(),
});

/** How long `refresh` trusts its own last write. Short, because another instance may delete the row meanwhile. */
export const REFRESH_SKIP_MS = 60_000;
/** Bounds the memory of recent writes; past it the memory starts over, which only costs writes. */
const MAX_REMEMBERED_SAVES = 10_000;

export class SqlConversationReferenceRepository implements ConversationReferenceRepository {
  /** Per key: the reference last saved here without its activity id, and when. */
  private readonly recentSaves = new Map<string, { withoutActivity: string; at: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler,
  ) {}

  async save(key: string, reference: Partial<ConversationReference>): Promise<void> {
    const row = { key, reference: JSON.stringify(reference), updated_at: new Date().toISOString() };
    this.recentSaves.delete(key);
    await this.db
      .insertInto('conversation_reference')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ reference: row.reference, updated_at: row.updated_at }))
      .execute();
    this.rememberSave(key, reference);
  }

  async refresh(key: string, reference: Partial<ConversationReference>): Promise<void> {
    const recent = this.recentSaves.get(key);
    if (recent && Date.now() - recent.at < REFRESH_SKIP_MS && recent.withoutActivity === withoutActivityId(reference)) return;
    await this.save(key, reference);
  }

  private rememberSave(key: string, reference: Partial<ConversationReference>): void {
    if (this.recentSaves.size >= MAX_REMEMBERED_SAVES) this.recentSaves.clear();
    this.recentSaves.set(key, { withoutActivity: withoutActivityId(reference), at: Date.now() });
  }

  async get(key: string): Promise<Partial<ConversationReference> | undefined> {
    const row = await this.db
      .selectFrom('conversation_reference')
      .select(['key', 'reference'])
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? this.parse(row.key, row.reference) : undefined;
  }

  async list(options: { keyPrefix?: string } = {}): Promise<StoredConversationReference[]> {
    let query = this.db.selectFrom('conversation_reference').select(['key', 'reference', 'updated_at']).orderBy('key');
    const prefix = options.keyPrefix;
    if (prefix) {
      // substr rather than LIKE, so `%` and `_` in a prefix mean themselves.
      query = query.where(sql<string>`substr(${sql.ref('key')}, 1, ${prefix.length})`, '=', prefix);
    }
    const rows = await query.execute();
    const found: StoredConversationReference[] = [];
    for (const row of rows) {
      const reference = this.parse(row.key, row.reference);
      if (reference) found.push({ key: row.key, reference, updatedAt: new Date(row.updated_at) });
    }
    return found;
  }

  async delete(key: string): Promise<boolean> {
    this.recentSaves.delete(key);
    const result = await this.db.deleteFrom('conversation_reference').where('key', '=', key).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  private parse(key: string, text: string): Partial<ConversationReference> | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      this.onWarning({ kind: 'corrupt-row', table: 'conversation_reference', key, problem: `not JSON: ${String(error)}` });
      return undefined;
    }
    const parsed = referenceSchema.safeParse(json);
    if (!parsed.success) {
      this.onWarning({ kind: 'corrupt-row', table: 'conversation_reference', key, problem: z.prettifyError(parsed.error) });
      return undefined;
    }
    // The schema checked every field continueConversation reads; see referenceSchema for why the types are looser.
    return parsed.data as Partial<ConversationReference>;
  }
}

function withoutActivityId(reference: Partial<ConversationReference>): string {
  const { activityId: _activityId, ...rest } = reference;
  return JSON.stringify(rest);
}
