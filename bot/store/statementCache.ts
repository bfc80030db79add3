import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct SQL texts the bot runs are a few hundred at most; `in (?, ?, …)` lists of many lengths are what pushes past it. */
export const DEFAULT_STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query anew, and better-sqlite3 compiles the SQL each time: on a busy store that
 * was a tenth of a message's CPU for the two writes each message makes. This keeps prepared statements by their text, the
 * least recently used dropped first. A statement is run to completion within one call (`all`, `run`), and better-sqlite3
 * is synchronous, so a cached statement is never in use twice at once; `iterate` (a stream, which can be left open while
 * other queries run) always gets a statement of its own.
 */
export function withStatementCache(database: BetterSqlite3.Database, capacity: number = DEFAULT_STATEMENT_CACHE_SIZE): SqliteDatabase {
  if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  const cache = new Map<string, SqliteStatement>();

  const prepareNew = (sql: string): SqliteStatement => {
    const statement = database.prepare(sql);
    // Bound as Kysely's own driver binds them: the parameter array as one argument.
    return {
      reader: statement.reader,
      all: (parameters) => statement.all(parameters),
      run: (parameters) => statement.run(parameters),
      iterate: (parameters) => database.prepare(sql).iterate(parameters),
    };
  };

  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const hit = cache.get(sql);
      if (hit) {
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const statement = prepareNew(sql);
      if (cache.size >= capacity) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
