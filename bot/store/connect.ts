import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool } from 'pg';
import type { StoreDialect } from './dialect';
import { migrationProvider } from './migrations';
import type { Database } from './schema';
import { withStatementCache } from './statementCache';
import type { StoreWarningHandler } from './warnings';

export const SQLITE_FILE_NAME = 'partner-access.sqlite';

/** How long SQLite waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Thrown when the store cannot be opened or migrated. The message names the backend and location, never a password. */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
  constructor(
    readonly dialect: StoreDialect,
    readonly location: string,
    step: string,
    problem: string,
  ) {
    super(`Could not ${step} the ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'} store at ${location}: ${problem}`);
  }
}

export interface Connected {
  dialect: StoreDialect;
  location: string;
  db: Kysely<Database>;
}

/** A database URL fit for logs: the password (in the userinfo or a `password` parameter) becomes `***`. */
export function redactDatabaseUrl(databaseUrl: string): string {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    return '<unparseable DATABASE_URL>';
  }
  if (url.password) url.password = '***';
  for (const name of [...url.searchParams.keys()]) {
    if (name.toLowerCase() === 'password') url.searchParams.set(name, '***');
  }
  return url.toString();
}

/** Error text with every form of the password replaced, for errors that might echo the connection string. */
function describe(error: unknown, secrets: readonly string[]): string {
  let text = error instanceof Error ? error.message : String(error);
  // Connecting to a name with several addresses fails with an AggregateError whose own message is empty.
  if (!text && error instanceof AggregateError) {
    text = error.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  }
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code && !text.includes(code)) text = text ? `${text} (${code})` : code;
  for (const secret of secrets) {
    if (secret) text = text.split(secret).join('***');
  }
  return text || 'unknown error';
}

function passwordsIn(databaseUrl: string): string[] {
  try {
    const url = new URL(databaseUrl);
    const found = [url.password, ...url.searchParams.getAll('password')].filter((value) => value.length > 0);
    return [...found, ...found.map((value) => decodeURIComponent(value))];
  } catch {
    // Unparseable: the whole string may be secret.
    return [databaseUrl];
  }
}

export async function connectSqlite(dataDir: string): Promise<Connected> {
  const file = join(dataDir, SQLITE_FILE_NAME);
  const fail = (step: string, error: unknown): StoreOpenError => new StoreOpenError('sqlite', file, step, describe(error, []));
  let database: BetterSqlite3.Database;
  try {
    mkdirSync(dataDir, { recursive: true });
    database = new BetterSqlite3(file);
  } catch (error) {
    throw fail('open', error);
  }
  try {
    database.pragma('journal_mode = WAL');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    database.pragma('foreign_keys = ON');
    // Durable at every checkpoint and safe against corruption in WAL mode; full fsync per commit buys little here.
    database.pragma('synchronous = NORMAL');
  } catch (error) {
    database.close();
    throw fail('open', error);
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  try {
    await migrateSqlite(db);
  } catch (error) {
    await db.destroy();
    throw fail('migrate', error);
  }
  return { dialect: 'sqlite', location: file, db };
}

export async function connectPostgres(databaseUrl: string, onWarning: StoreWarningHandler): Promise<Connected> {
  const location = redactDatabaseUrl(databaseUrl);
  const secrets = passwordsIn(databaseUrl);
  const fail = (step: string, error: unknown): StoreOpenError => new StoreOpenError('postgres', location, step, describe(error, secrets));
  let scheme: string;
  try {
    scheme = new URL(databaseUrl).protocol;
  } catch {
    throw fail('open', new Error('DATABASE_URL is not a valid URL'));
  }
  if (scheme !== 'postgres:' && scheme !== 'postgresql:') {
    throw fail('open', new Error(`DATABASE_URL must start with postgres:// or postgresql://, not ${scheme}//`));
  }
  let pool: Pool;
  try {
    pool = new Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
  } catch (error) {
    throw fail('open', error);
  }
  // Without a listener, an idle client losing its connection (server restart, failover) would crash the process.
  pool.on('error', (error) => onWarning({ kind: 'pool-error', message: describe(error, secrets) }));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw fail('connect to', error);
  }
  try {
    // Kysely's Postgres adapter holds an advisory lock around the whole run, in one transaction, so instances that start
    // together migrate once and a failed migration leaves nothing behind.
    const { error } = await new Migrator({ db, provider: migrationProvider('postgres') }).migrateToLatest();
    if (error !== undefined) throw error;
  } catch (error) {
    await db.destroy();
    throw fail('migrate', error);
  }
  return { dialect: 'postgres', location, db };
}

/**
 * Kysely runs SQLite migrations without a transaction or lock (it assumes one connection). Wrapping the run in BEGIN
 * IMMEDIATE makes a migration all-or-nothing and keeps a second process that opens the same file from migrating alongside.
 */
async function migrateSqlite(db: Kysely<Database>): Promise<void> {
  await db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const { error } = await new Migrator({ db: connection, provider: migrationProvider('sqlite') }).migrateToLatest();
      if (error !== undefined) throw error;
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}
