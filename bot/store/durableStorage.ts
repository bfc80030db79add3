import { randomUUID } from 'node:crypto';
import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Database } from './schema';
import type { StoreWarningHandler } from './warnings';

const documentSchema = z.record(z.string(), z.unknown());

/**
 * botbuilder `Storage` (conversation and user state, dialog stacks) in the store's database, so state survives restarts and
 * is shared by instances. Semantics follow botbuilder's MemoryStorage:
 * - a write with no eTag, or `*`, overwrites; so does any write to a key that does not exist yet;
 * - a write with an eTag that no longer matches throws;
 * - read returns only keys that exist, each with its current eTag; delete ignores missing keys.
 * Unlike MemoryStorage, a multi-key write is all-or-nothing: one conflicting key leaves every key unchanged.
 */
export class DurableStorage implements Storage {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onWarning: StoreWarningHandler,
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    const rows = await this.db.selectFrom('bot_state').select(['key', 'document', 'etag']).where('key', 'in', keys).execute();
    for (const row of rows) {
      const document = this.parse(row.key, row.document);
      if (document) items[row.key] = { ...document, eTag: row.etag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    await this.inTransaction(async (tx) => {
      for (const [key, item] of entries) await writeOne(tx, key, item);
    });
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    if (keys.length === 0) return;
    await this.db.deleteFrom('bot_state').where('key', 'in', keys).execute();
  }

  private async inTransaction(work: (tx: Kysely<Database>) => Promise<void>): Promise<void> {
    if (this.db.isTransaction) {
      await work(this.db);
      return;
    }
    await this.db.transaction().execute((tx: Transaction<Database>) => work(tx));
  }

  private parse(key: string, text: string): Record<string, unknown> | undefined {
    try {
      const parsed = documentSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.onWarning({ kind: 'corrupt-row', table: 'bot_state', key, problem: 'document is not a JSON object' });
    } catch (error) {
      this.onWarning({ kind: 'corrupt-row', table: 'bot_state', key, problem: `document is not JSON: ${String(error)}` });
    }
    return undefined;
  }
}

function conflict(key: string): Error {
  return new Error(`Storage: error writing "${key}" due to eTag conflict.`);
}

async function writeOne(db: Kysely<Database>, key: string, item: StoreItem): Promise<void> {
  const { eTag, ...rest } = item;
  // JSON round trip, as MemoryStorage does, so undefined values and class instances behave as they would in any remote store.
  const document = JSON.stringify(rest);
  const etag = randomUUID();
  const updatedAt = new Date().toISOString();

  if (typeof eTag !== 'string' || eTag === '' || eTag === '*') {
    await db
      .insertInto('bot_state')
      .values({ key, document, etag, version: 1, updated_at: updatedAt })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          document,
          etag,
          version: eb(eb.ref('bot_state.version'), '+', 1),
          updated_at: updatedAt,
        })),
      )
      .execute();
    return;
  }

  const updated = await db
    .updateTable('bot_state')
    .set((eb) => ({ document, etag, version: eb(eb.ref('version'), '+', 1), updated_at: updatedAt }))
    .where('key', '=', key)
    .where('etag', '=', eTag)
    .executeTakeFirst();
  if (updated.numUpdatedRows > 0n) return;

  // No row matched: either the eTag is stale (conflict) or the key does not exist, which MemoryStorage treats as a plain
  // insert. The insert is conditional too, so a concurrent creator makes this writer lose rather than overwrite.
  const inserted = await db
    .insertInto('bot_state')
    .values({ key, document, etag, version: 1, updated_at: updatedAt })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  if ((inserted.numInsertedOrUpdatedRows ?? 0n) === 0n) throw conflict(key);
}
