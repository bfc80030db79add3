import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreOptions } from '../../bot/store';
import { postgresMissingReason, startPostgres, type TestPostgres } from './postgres';
import { describeWithService } from './services';

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


/**
 * Runs one contract on SQLite, and on a real PostgreSQL server started for it (skipped with the reason when PostgreSQL is
 * not installed, failing instead under REQUIRE_SERVICES=1), so every repository is proven on both backends the same way.
 */
export function describeOnEachBackend(subject: string, contract: (backend: Backend) => void): void {
  describe(`${subject} on SQLite`, () => {
    const backend = sqliteBackend();
    afterAll(() => backend.removeTempDirs());
    contract(backend);
  });

  describeWithService('PostgreSQL', postgresMissingReason(), `${subject} on PostgreSQL`, () => {
    let started: TestPostgres | undefined;
    beforeAll(async () => {
      started = await startPostgres();
    }, 60_000);
    afterAll(async () => {
      await started?.stop();
    });
    contract(
      postgresBackend(() => {
        if (!started) throw new Error('PostgreSQL was not started');
        return started;
      }),
    );
  });
}
