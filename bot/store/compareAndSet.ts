import type { Kysely, Updateable } from 'kysely';

/** Names of the tables in `DB` that have an `id` key and an integer `version` column. */
export type VersionedTable<DB> = {
  [T in keyof DB & string]: DB[T] extends { id: string | number; version: number } ? T : never;
}[keyof DB & string];

/** The columns a transition may change; `id` is the row's identity and `version` is bumped by the helper itself. */
export type VersionedChanges<DB, T extends keyof DB> = Omit<Updateable<DB[T]>, 'id' | 'version'>;

interface LooseVersionedRow {
  id: string | number;
  version: number;
}

/**
 * One optimistic state transition: applies `changes` and sets `version` to `expectedVersion + 1`, but only if the row still
 * has `expectedVersion`. Returns whether this caller won. A double-click or a redelivered invoke that read the same version
 * loses, so a pending → approved transition cannot happen twice. Pass a transaction (`tx.db`) to commit the audit row with it.
 */
export async function compareAndSet<DB, T extends VersionedTable<DB>>(
  db: Kysely<DB>,
  table: T,
  id: string | number,
  expectedVersion: number,
  changes: VersionedChanges<DB, T>,
): Promise<boolean> {
  // Kysely cannot resolve column names of a table chosen by a type parameter; VersionedTable<DB> guarantees the two it uses.
  const loose = db as unknown as Kysely<Record<string, LooseVersionedRow>>;
  const tableName: string = table;
  const result = await loose
    .updateTable(tableName)
    .set({ ...(changes as Updateable<LooseVersionedRow>), version: expectedVersion + 1 })
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
