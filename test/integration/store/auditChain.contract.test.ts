import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { GENESIS_HASH, rowHash } from '../../../bot/store/auditChain';
import { openStore, SQLITE_FILE_NAME, type Store, type StoreOptions } from '../../../bot/store';
import { migrationProvider } from '../../../bot/store/migrations';
import { describeOnEachBackend, type Backend } from '../../helpers/storeBackends';

function chainContract(backend: Backend): void {
  const opened: Store[] = [];
  const open = async (options: StoreOptions): Promise<Store> => {
    const store = await openStore(options);
    opened.push(store);
    return store;
  };
  afterAll(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  /** Lifts the append-only triggers, as someone with the database's own credentials could. */
  async function tamperable(store: Store): Promise<void> {
    if (backend.dialect === 'postgres') await sql`alter table audit_log disable trigger audit_log_no_update_or_delete`.execute(store.db);
    else {
      await sql`drop trigger audit_log_no_update`.execute(store.db);
      await sql`drop trigger audit_log_no_delete`.execute(store.db);
    }
  }

  async function seeded(count: number): Promise<Store> {
    const store = await open(await backend.freshOptions());
    for (let i = 1; i <= count; i += 1) {
      await store.audit.append({ actor: `oid-${i}`, action: 'invite.create', target: `p${i}@partner.example`, outcome: 'success', detail: { n: i } });
    }
    return store;
  }

  it('gives each row the next position and the hash of the row before it, and verifies', async () => {
    const store = await seeded(3);
    const rows = await store.audit.scan({}, { limit: 10 });
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]?.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]?.prev_hash).toBe(rows[0]?.hash);
    expect(rows[2]?.prev_hash).toBe(rows[1]?.hash);
    expect(rows[0]?.detail).toBe('{"n":1}');
    await expect(store.audit.verify()).resolves.toEqual({ rows: 3, headSeq: 3, headHash: rows[2]?.hash, breaks: [] });
  });

  it('leaves no gap for a transaction that rolled back', async () => {
    const store = await seeded(1);
    await expect(
      store.transaction(async (tx) => {
        await tx.audit.append({ actor: 'oid-x', action: 'access.grant', target: 'rolled@back.example', outcome: 'success' });
        throw new Error('Graph said no');
      }),
    ).rejects.toThrow('Graph said no');
    const next = await store.audit.append({ actor: 'oid-y', action: 'access.grant', target: 'kept@partner.example', outcome: 'success' });
    expect(next.seq).toBe(2);
    await expect(store.audit.verify()).resolves.toMatchObject({ rows: 2, breaks: [] });
  });

  it(
    backend.multiInstance ? 'stays one chain with two instances appending at once' : 'stays one chain with appends interleaved in and out of transactions',
    async () => {
      const options = await backend.freshOptions();
      const first = await open(options);
      const second = backend.multiInstance ? await open(options) : first;
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 40; i += 1) {
        const store = i % 2 === 0 ? first : second;
        writes.push(
          i % 3 === 0
            ? store.audit.append({ actor: `oid-${i}`, action: 'invite.create', target: `c${i}@partner.example`, outcome: 'success' })
            : store.transaction(async (tx) => {
                await tx.conversations.save(`user:c${i}`, { conversation: { id: `a:${i}` } } as never);
                await tx.audit.append({ actor: `oid-${i}`, action: 'access.request', target: `c${i}@partner.example`, outcome: 'requested' });
                await tx.audit.append({ actor: `oid-${i}`, action: 'access.approve', target: `c${i}@partner.example`, outcome: 'success' });
              }),
        );
      }
      await Promise.all(writes);
      const rows = await first.audit.scan({}, { limit: 1000 });
      // One row for each third write, two for the others.
      const total = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 2)).reduce((a, b) => a + b, 0);
      expect(rows).toHaveLength(total);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      await expect(second.audit.verify()).resolves.toMatchObject({ rows: total, headSeq: total, breaks: [] });
    },
    60_000,
  );

  it('says which row was edited', async () => {
    const store = await seeded(4);
    await tamperable(store);
    await sql`update audit_log set outcome = 'refused' where seq = 2`.execute(store.db);
    const report = await store.audit.verify();
    expect(report.breaks).toEqual([{ kind: 'edited', seq: 2, id: expect.any(Number) }]);
  });

  it('says which rows were deleted, in the middle and at the end', async () => {
    const store = await seeded(6);
    await tamperable(store);
    await sql`delete from audit_log where seq in (3, 6)`.execute(store.db);
    const report = await store.audit.verify();
    expect(report.breaks).toEqual([
      { kind: 'deleted', fromSeq: 3, toSeq: 3 },
      { kind: 'truncated', lastSeq: 5, headSeq: 6 },
    ]);
  });

  it('says which rows were reordered', async () => {
    const store = await seeded(5);
    await tamperable(store);
    // Swap positions 2 and 3 through a free value, as the unique index requires.
    await sql`update audit_log set seq = 1000 where seq = 2`.execute(store.db);
    await sql`update audit_log set seq = 2 where seq = 3`.execute(store.db);
    await sql`update audit_log set seq = 3 where seq = 1000`.execute(store.db);
    const report = await store.audit.verify();
    expect(report.breaks).toEqual([
      { kind: 'moved', seq: 2, id: expect.any(Number), writtenAs: 3 },
      { kind: 'moved', seq: 3, id: expect.any(Number), writtenAs: 2 },
    ]);
  });

  it('refuses a row without its chain position at the database', async () => {
    const store = await seeded(1);
    await expect(
      sql`insert into audit_log (at, actor, action, target, outcome) values ('2030-01-01T00:00:00.000Z', 'x', 'a', 't', 'success')`.execute(store.db),
    ).rejects.toHaveProperty('message', expect.stringMatching(/chain position|null value|not-null/i));
  });

  it('chains the rows written before the migration, in the order they were written', async () => {
    const options = await backend.freshOptions();
    const raw =
      backend.dialect === 'postgres'
        ? new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: options.databaseUrl, max: 1 }) }) })
        : await (async () => {
            const { mkdirSync } = await import('node:fs');
            mkdirSync(options.dataDir, { recursive: true });
            return new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(join(options.dataDir, SQLITE_FILE_NAME)) }) });
          })();
    try {
      const { error } = await new Migrator({ db: raw, provider: migrationProvider(backend.dialect) }).migrateTo('0008_confirmations');
      expect(error).toBeUndefined();
      // Written out of time order on purpose: the chain follows the order of writing (id), not the timestamps.
      for (const [at, target] of [['2030-01-03T00:00:00.000Z', 'first'], ['2030-01-01T00:00:00.000Z', 'second'], ['2030-01-02T00:00:00.000Z', 'third']] as const) {
        await sql`insert into audit_log (at, actor, action, target, outcome, detail) values (${at}, 'oid', 'invite.create', ${target}, 'success', ${'{"k":1}'})`.execute(raw);
      }
    } finally {
      await raw.destroy();
    }
    const store = await open(options);
    const rows = await store.audit.scan({}, { limit: 10 });
    expect(rows.map((r) => [r.seq, r.target])).toEqual([[1, 'first'], [2, 'second'], [3, 'third']]);
    expect(rows[0]?.hash).toBe(rowHash({ seq: 1, prev_hash: GENESIS_HASH, at: '2030-01-03T00:00:00.000Z', actor: 'oid', actor_name: null, action: 'invite.create', target: 'first', outcome: 'success', detail: '{"k":1}' }));
    const next = await store.audit.append({ actor: 'oid', action: 'invite.create', target: 'fourth', outcome: 'success' });
    expect(next).toMatchObject({ seq: 4, prevHash: rows[2]?.hash });
    expect(rows[0]?.detail).toBe('{"k":1}');
    await expect(store.audit.verify()).resolves.toMatchObject({ rows: 4, breaks: [] });
    // The triggers are back: the log is append-only again after the migration.
    await expect(sql`update audit_log set outcome = 'x' where seq = 1`.execute(store.db)).rejects.toHaveProperty('message', expect.stringMatching(/append-only/));
  });

  it('filters and pages by position', async () => {
    const store = await seeded(5);
    await store.audit.append({ actor: 'oid-app', action: 'access.grant', target: 'P2@Partner.Example', outcome: 'success', detail: { app: 'sp-1111_%' } });
    const partner = await store.audit.page({ targets: ['p2@partner.example'] }, { limit: 10 });
    expect(partner.map((r) => r.seq)).toEqual([6, 2]);
    const older = await store.audit.page({}, { limit: 2, beforeSeq: 5 });
    expect(older.map((r) => r.seq)).toEqual([4, 3]);
    await expect(store.audit.page({ mentions: 'sp-1111_%' }, { limit: 10 })).resolves.toHaveLength(1);
    // LIKE's wildcards in the value are literal.
    await expect(store.audit.page({ mentions: 'sp-1111__' }, { limit: 10 })).resolves.toHaveLength(0);
    await expect(store.audit.page({ targets: [] }, { limit: 10 })).resolves.toEqual([]);
    const after = await store.audit.scan({ actor: 'oid-app' }, { limit: 10, afterSeq: 0 });
    expect(after.map((r) => r.seq)).toEqual([6]);
  });
}

describeOnEachBackend('The audit hash chain', chainContract);
