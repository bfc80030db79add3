import type { Migration, MigrationProvider } from 'kysely';
import type { StoreDialect } from '../dialect';
import { foundation } from './0001_foundation';
import { jobs } from './0002_jobs';

/**
 * The single migration history for both dialects, defined in code so the build output needs no migration files on disk.
 * Names sort lexically, and Kysely refuses to run a history whose applied names are not a prefix of this list.
 */
export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_foundation': foundation(dialect),
    '0002_jobs': jobs(),
  };
  return { getMigrations: () => Promise.resolve(migrations) };
}
