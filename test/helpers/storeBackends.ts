import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreOptions } from '../../bot/store';
import type { TestPostgres } from './postgres';

/** How a backend makes empty databases; the contract below runs unchanged against each. */
export interface Backend {
  readonly dialect: 'sqlite' | 'postgres';
  /** Whether separate Store objects may work on one database concurrently (several bot instances). */
  readonly multiInstance: boolean;
  /** Options that open a new, empty database. */
  freshOptions(): Promise<StoreOptions>;
}

export function sqliteBackend(): Backend & { removeTempDirs(): void } {
  const dirs: string[] = [];
  return {
    dialect: 'sqlite',
    multiInstance: false,
    removeTempDirs() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
    freshOptions() {
      const dir = mkdtempSync(join(tmpdir(), 'pab-store-'));
      dirs.push(dir);
      // A directory that does not exist yet: openStore must create it.
      return Promise.resolve({ dataDir: join(dir, 'data') });
    },
  };
}

export function postgresBackend(server: () => TestPostgres): Backend {
  return {
    dialect: 'postgres',
    multiInstance: true,
    async freshOptions() {
      return { databaseUrl: await server().createDatabase(), dataDir: '/nonexistent/unused-with-postgres' };
    },
  };
}

