import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ActivityTypes,
  ConversationState,
  MemoryStorage,
  TestAdapter,
  TurnContext,
  type ConversationReference,
  type Storage,
  type StoreItems,
} from 'botbuilder';
import { sql, type Kysely } from 'kysely';
import {
  compareAndSet,
  openStore,
  SQLITE_FILE_NAME,
  StoreOpenError,
  type Database,
  type Store,
  type StoreOptions,
  type StoreWarning,
} from '../../../bot/store';
import { REFRESH_SKIP_MS } from '../../../bot/store/conversationReferences';
import { migrationProvider } from '../../../bot/store/migrations';
import { postgresMissingReason, startPostgres, type TestPostgres } from '../../helpers/postgres';
import { postgresBackend, sqliteBackend, type Backend } from '../../helpers/storeBackends';
import { describeWithService } from '../../helpers/services';

/** Every migration in the history, in order: each must be applied exactly once. */
async function migrationNames(): Promise<string[]> {
  return Object.keys(await migrationProvider('sqlite').getMigrations()).sort();
}

const reference = (conversationId: string): Partial<ConversationReference> => ({
  activityId: 'act-1',
  user: { id: '29:user', name: 'Ada Admin', aadObjectId: '00000000-0000-0000-0000-00000000000a' },
  bot: { id: '28:bot', name: 'Partner Access' },
  // Teams omits isGroup in personal chats, although botframework-schema's type calls it required.
  conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' } as ConversationReference['conversation'],
  channelId: 'msteams',
  locale: 'en-GB',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
});

interface CasProbe {
  id: string;
  version: number;
  status: string;
  decided_by: string | null;
}

function storeContract(backend: Backend): void {
  const opened: Store[] = [];
  const warnings: StoreWarning[] = [];
  let store: Store;
  /** A second Store on the same database where the backend supports that, else the same one. */
  let peer: Store;

  const open = async (options: StoreOptions): Promise<Store> => {
    const next = await openStore({ ...options, onWarning: (warning) => warnings.push(warning) });
    opened.push(next);
    return next;
  };

  beforeAll(async () => {
    const options = await backend.freshOptions();
    store = await open(options);
    peer = backend.multiInstance ? await open(options) : store;
  });

  afterAll(async () => {
    for (const each of opened.splice(0)) await each.close();
  });

  beforeEach(() => {
    warnings.length = 0;
  });

  describe('opening', () => {
    it('reports its dialect and location', () => {
      expect(store.dialect).toBe(backend.dialect);
      if (backend.dialect === 'sqlite') expect(store.location.endsWith(SQLITE_FILE_NAME)).toBe(true);
      else expect(store.location).toMatch(/^postgres(ql)?:\/\/[^/]+\/test_[0-9a-f]{12}(\?|$)/);
    });

    it('migrates once: opening the same database again keeps the data and applies nothing twice', async () => {
      const options = await backend.freshOptions();
      const first = await open(options);
      await first.conversations.save('user:reopen', reference('a:reopen'));
      await first.close();

      const second = await open(options);
      await expect(second.conversations.get('user:reopen')).resolves.toMatchObject({ conversation: { id: 'a:reopen' } });
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(second.db);
      expect(applied.rows.map((row) => row.name)).toEqual(await migrationNames());
    });

    it('ping answers while open and fails once closed; close is idempotent', async () => {
      const own = await open(await backend.freshOptions());
      await expect(own.ping()).resolves.toBeUndefined();
      await own.close();
      await expect(own.close()).resolves.toBeUndefined();
      await expect(own.ping()).rejects.toThrow();
    });
  });

  describe('conversation references', () => {
    it('round-trips a reference', async () => {
      const saved = reference('a:round-trip');
      await store.conversations.save('user:round-trip', saved);
      await expect(store.conversations.get('user:round-trip')).resolves.toEqual(saved);
      await expect(store.conversations.get('user:never-saved')).resolves.toBeUndefined();
    });

    it('upserts: a second save under the same key replaces the first', async () => {
      await store.conversations.save('user:upsert', reference('a:old'));
      await store.conversations.save('user:upsert', { ...reference('a:new'), activityId: 'act-2' });
      const found = await store.conversations.get('user:upsert');
      expect(found?.conversation?.id).toBe('a:new');
      expect(found?.activityId).toBe('act-2');
      const listed = await store.conversations.list({ keyPrefix: 'user:upsert' });
      expect(listed.map((entry) => entry.key)).toEqual(['user:upsert']);
    });

    it('refresh skips a write when only the activity id changed within a minute, and writes anything else', async () => {
      const key = 'user:refresh';
      await store.conversations.refresh(key, reference('a:refresh'));
      await store.conversations.refresh(key, { ...reference('a:refresh'), activityId: 'act-2' });
      // The second refresh wrote nothing: the stored activity id is still the first one.
      await expect(store.conversations.get(key)).resolves.toMatchObject({ activityId: 'act-1' });

      await store.conversations.refresh(key, { ...reference('a:refresh-new'), activityId: 'act-3' });
      await expect(store.conversations.get(key)).resolves.toMatchObject({ activityId: 'act-3', conversation: { id: 'a:refresh-new' } });

      await store.conversations.delete(key);
      await store.conversations.refresh(key, { ...reference('a:refresh-new'), activityId: 'act-4' });
      await expect(store.conversations.get(key)).resolves.toMatchObject({ activityId: 'act-4' });

      const now = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now + REFRESH_SKIP_MS);
      try {
        await store.conversations.refresh(key, { ...reference('a:refresh-new'), activityId: 'act-5' });
      } finally {
        clock.mockRestore();
      }
      await expect(store.conversations.get(key)).resolves.toMatchObject({ activityId: 'act-5' });
    });

    it('lists by literal key prefix and deletes', async () => {
      await store.conversations.save('list%_:1', reference('a:1'));
      await store.conversations.save('list%_:2', reference('a:2'));
      await store.conversations.save('listXY:3', reference('a:3'));
      const listed = await store.conversations.list({ keyPrefix: 'list%_:' });
      expect(listed.map((entry) => [entry.key, entry.reference.conversation?.id])).toEqual([
        ['list%_:1', 'a:1'],
        ['list%_:2', 'a:2'],
      ]);
      expect(listed[0]?.updatedAt).toBeInstanceOf(Date);
      await expect(store.conversations.delete('list%_:1')).resolves.toBe(true);
      await expect(store.conversations.delete('list%_:1')).resolves.toBe(false);
      await expect(store.conversations.get('list%_:1')).resolves.toBeUndefined();
    });

    it('treats a corrupt row as absent and reports it instead of crashing', async () => {
      await store.conversations.save('corrupt:json', reference('a:x'));
      await store.conversations.save('corrupt:shape', reference('a:y'));
      await store.conversations.save('corrupt:ok', reference('a:z'));
      await sql`update conversation_reference set reference = ${'{not json'} where key = ${'corrupt:json'}`.execute(store.db);
      await sql`update conversation_reference set reference = ${'{"serviceUrl":5,"conversation":{}}'} where key = ${'corrupt:shape'}`.execute(
        store.db,
      );

      await expect(store.conversations.get('corrupt:json')).resolves.toBeUndefined();
      await expect(store.conversations.get('corrupt:shape')).resolves.toBeUndefined();
      const listed = await store.conversations.list({ keyPrefix: 'corrupt:' });
      expect(listed.map((entry) => entry.key)).toEqual(['corrupt:ok']);
      expect(warnings.filter((w) => w.kind === 'corrupt-row').map((w) => (w.kind === 'corrupt-row' ? w.key : ''))).toEqual([
        'corrupt:json',
        'corrupt:shape',
        'corrupt:json',
        'corrupt:shape',
      ]);
    });
  });

  describe('audit log', () => {
    it('appends and lists newest first, with filters and a limit', async () => {
      const base = Date.parse('2030-01-01T00:00:00.000Z');
      const at = (minutes: number): Date => new Date(base + minutes * 60_000);
      const first = await store.audit.append({
        actor: 'oid-ada',
        actorName: 'Ada',
        action: 'invite.create',
        target: 'guest@partner.example',
        outcome: 'success',
        detail: { redeemUrl: 'https://example.invalid', groups: ['g1'], nested: { n: 1 } },
        at: at(0),
      });
      expect(first).toMatchObject({ actor: 'oid-ada', actorName: 'Ada', outcome: 'success', detail: { groups: ['g1'] } });
      expect(typeof first.id).toBe('number');
      await store.audit.append({ actor: 'oid-bob', action: 'request.approve', target: 'guest@partner.example', outcome: 'refused', at: at(1) });
      await store.audit.append({ actor: 'oid-ada', action: 'request.approve', target: 'other@partner.example', outcome: 'failed', at: at(2) });
      await store.audit.append({ actor: 'oid-ada', action: 'invite.create', target: 'third@partner.example', outcome: 'requested', at: at(2) });

      const newest = await store.audit.list({ limit: 4, since: at(0) });
      expect(newest.map((entry) => entry.target)).toEqual([
        'third@partner.example',
        'other@partner.example',
        'guest@partner.example',
        'guest@partner.example',
      ]);
      expect(newest[3]).toEqual(first);
      expect(newest[2]?.actorName).toBeUndefined();
      expect(newest[2]?.detail).toBeUndefined();
      expect(newest[0]?.at).toEqual(at(2));

      const byAda = await store.audit.list({ actor: 'oid-ada', since: at(0) });
      expect(byAda.map((entry) => entry.outcome)).toEqual(['requested', 'failed', 'success']);
      const onGuest = await store.audit.list({ target: 'guest@partner.example', action: 'request.approve' });
      expect(onGuest.map((entry) => entry.actor)).toEqual(['oid-bob']);
      await expect(store.audit.list({ since: at(2), limit: 1 })).resolves.toHaveLength(1);
      await expect(store.audit.list({ since: at(3) })).resolves.toEqual([]);
    });

    it('refuses UPDATE and DELETE at the database, not only in the API', async () => {
      const entry = await store.audit.append({ actor: 'oid-eve', action: 'invite.create', target: 'tamper', outcome: 'success' });
      // toHaveProperty, not toThrow: better-sqlite3 registers its error class once per process, so in a jest worker's later
      // test file its errors are not `instanceof` that file's Error, and toThrow would report "did not throw".
      const appendOnly = ['message', expect.stringMatching(/append-only/)] as const;
      await expect(sql`update audit_log set outcome = ${'refused'} where id = ${entry.id}`.execute(store.db)).rejects.toHaveProperty(...appendOnly);
      await expect(sql`delete from audit_log where id = ${entry.id}`.execute(store.db)).rejects.toHaveProperty(...appendOnly);
      await expect(sql`delete from audit_log`.execute(store.db)).rejects.toHaveProperty(...appendOnly);
      if (backend.dialect === 'postgres') {
        await expect(sql`truncate audit_log`.execute(store.db)).rejects.toHaveProperty(...appendOnly);
      }
      await expect(store.audit.list({ target: 'tamper' })).resolves.toEqual([entry]);
    });
  });

  describe('transactions', () => {
    it('rolls the audit row back with a failed change', async () => {
      const failure = new Error('Graph said no');
      await expect(
        store.transaction(async (tx) => {
          await tx.conversations.save('tx:rollback', reference('a:tx'));
          await tx.audit.append({ actor: 'oid-tx', action: 'invite.create', target: 'tx-rollback', outcome: 'success' });
          await expect(tx.audit.list({ target: 'tx-rollback' })).resolves.toHaveLength(1);
          throw failure;
        }),
      ).rejects.toBe(failure);
      await expect(store.audit.list({ target: 'tx-rollback' })).resolves.toEqual([]);
      await expect(store.conversations.get('tx:rollback')).resolves.toBeUndefined();
    });

    it('commits the change and its audit row together', async () => {
      const result = await store.transaction(async (tx) => {
        await tx.conversations.save('tx:commit', reference('a:tx'));
        await tx.storage.write({ 'tx:commit': { step: 1 } });
        return tx.audit.append({ actor: 'oid-tx', action: 'invite.create', target: 'tx-commit', outcome: 'success' });
      });
      await expect(store.audit.list({ target: 'tx-commit' })).resolves.toEqual([result]);
      await expect(store.conversations.get('tx:commit')).resolves.toBeDefined();
      await expect(store.storage.read(['tx:commit'])).resolves.toMatchObject({ 'tx:commit': { step: 1 } });
    });
  });

  describe('inbound dedupe', () => {
    it('lets only the first claim of a key win', async () => {
      await expect(store.dedupe.claim('activity-1')).resolves.toBe(true);
      await expect(store.dedupe.claim('activity-1')).resolves.toBe(false);
      await expect(peer.dedupe.claim('activity-1')).resolves.toBe(false);
      await expect(store.dedupe.claim('activity-2')).resolves.toBe(true);
    });

    it('gives exactly one of 20 concurrent claims the win', async () => {
      const claims = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : peer).dedupe.claim('activity-race'));
      const results = await Promise.all(claims);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('lets an expired claim be taken again, once, and purges expired claims', async () => {
      await expect(store.dedupe.claim('activity-expiring', 0.001)).resolves.toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const retaken = await Promise.all([store.dedupe.claim('activity-expiring', 60), peer.dedupe.claim('activity-expiring', 60)]);
      expect(retaken.filter(Boolean)).toHaveLength(1);

      await store.dedupe.claim('activity-purge', 60);
      const purged = await store.dedupe.purgeExpired(new Date(Date.now() + 120_000));
      expect(purged).toBeGreaterThanOrEqual(2);
      await expect(store.dedupe.claim('activity-purge')).resolves.toBe(true);
      await expect(store.dedupe.claim('activity-x', 0)).rejects.toThrow(RangeError);
    });
  });

  describe('botbuilder Storage', () => {
    it('follows MemoryStorage step for step (ported from botbuilder storage tests)', async () => {
      const expected = await storageScenario(new MemoryStorage(), 'scenario:');
      const durable = await storageScenario(store.storage, 'scenario:');
      expect(durable).toEqual(expected);
    });

    it('issues a fresh eTag on every write and refuses a stale one', async () => {
      await store.storage.write({ etag: { count: 1 } });
      const first = (await store.storage.read(['etag'])).etag;
      expect(typeof first?.eTag).toBe('string');
      await store.storage.write({ etag: { ...first, count: 2 } });
      const second = (await store.storage.read(['etag'])).etag;
      expect(second?.eTag).not.toBe(first?.eTag);
      await expect(store.storage.write({ etag: { ...first, count: 3 } })).rejects.toThrow(/eTag conflict/);
      await expect(peer.storage.read(['etag'])).resolves.toEqual({ etag: second });
    });

    it('lets one of two concurrent writers with the same eTag win; the other throws', async () => {
      await store.storage.write({ race: { winner: 'none' } });
      const seen = (await store.storage.read(['race'])).race;
      const outcomes = await Promise.allSettled([
        store.storage.write({ race: { ...seen, winner: 'a' } }),
        peer.storage.write({ race: { ...seen, winner: 'b' } }),
      ]);
      const won = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i === 0 ? 'a' : 'b'] : []));
      const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]?.status === 'rejected' && String(lost[0].reason)).toMatch(/eTag conflict/);
      await expect(store.storage.read(['race'])).resolves.toMatchObject({ race: { winner: won[0] } });
    });

    it('writes a batch all-or-nothing', async () => {
      await store.storage.write({ 'batch:a': { v: 1 }, 'batch:b': { v: 1 } });
      const stale = { eTag: 'stale', v: 2 };
      await expect(store.storage.write({ 'batch:a': { v: 2 }, 'batch:b': stale, 'batch:c': { v: 2 } })).rejects.toThrow(
        /"batch:b" due to eTag conflict/,
      );
      await expect(store.storage.read(['batch:a', 'batch:b', 'batch:c'])).resolves.toMatchObject({
        'batch:a': { v: 1 },
        'batch:b': { v: 1 },
      });
      await expect(store.storage.read(['batch:c'])).resolves.toEqual({});
    });

    it('skips and reports a corrupt state row', async () => {
      await store.storage.write({ 'state:corrupt': { ok: true } });
      await sql`update bot_state set document = ${'[1,2]'} where key = ${'state:corrupt'}`.execute(store.db);
      await expect(store.storage.read(['state:corrupt'])).resolves.toEqual({});
      expect(warnings).toEqual([expect.objectContaining({ kind: 'corrupt-row', table: 'bot_state', key: 'state:corrupt' })]);
    });

    it('carries ConversationState across turns', async () => {
      const conversationState = new ConversationState(store.storage);
      const counter = conversationState.createProperty<number>('counter');
      const turn = async (): Promise<number> => {
        const context = new TurnContext(new TestAdapter(), {
          type: ActivityTypes.Message,
          channelId: 'msteams',
          conversation: { id: 'a:state-turns', isGroup: false, conversationType: 'personal', name: '' },
          from: { id: '29:user', name: 'Ada' },
          recipient: { id: '28:bot', name: 'bot' },
          text: 'hi',
        });
        const next = (await counter.get(context, 0)) + 1;
        await counter.set(context, next);
        await conversationState.saveChanges(context);
        return next;
      };
      await expect(turn()).resolves.toBe(1);
      await expect(turn()).resolves.toBe(2);
    });
  });

  describe('compareAndSet', () => {
    let probe: Kysely<Database & { cas_probe: CasProbe }>;

    beforeAll(async () => {
      probe = store.db.withTables<{ cas_probe: CasProbe }>();
      await probe.schema
        .createTable('cas_probe')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('decided_by', 'text')
        .execute();
    });

    const insert = (id: string): Promise<unknown> =>
      probe.insertInto('cas_probe').values({ id, version: 1, status: 'pending', decided_by: null }).execute();
    const row = (id: string): Promise<CasProbe | undefined> => probe.selectFrom('cas_probe').selectAll().where('id', '=', id).executeTakeFirst();

    it('applies the change and bumps the version only from the expected version', async () => {
      await insert('req-1');
      await expect(compareAndSet(probe, 'cas_probe', 'req-1', 1, { status: 'approved', decided_by: 'oid-ada' })).resolves.toBe(true);
      await expect(row('req-1')).resolves.toEqual({ id: 'req-1', version: 2, status: 'approved', decided_by: 'oid-ada' });
      await expect(compareAndSet(probe, 'cas_probe', 'req-1', 1, { status: 'denied' })).resolves.toBe(false);
      await expect(compareAndSet(probe, 'cas_probe', 'missing', 1, { status: 'denied' })).resolves.toBe(false);
      await expect(row('req-1')).resolves.toMatchObject({ version: 2, status: 'approved' });
    });

    it('lets exactly one of 20 racing transitions win', async () => {
      await insert('req-race');
      const peerProbe = peer.db.withTables<{ cas_probe: CasProbe }>();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          compareAndSet(i % 2 === 0 ? probe : peerProbe, 'cas_probe', 'req-race', 1, { status: 'approved', decided_by: `oid-${i}` }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      await expect(row('req-race')).resolves.toEqual({ id: 'req-race', version: 2, status: 'approved', decided_by: `oid-${winner}` });
    });

    it('commits with its audit row, or neither: a double-click records one approval', async () => {
      await insert('req-click');
      const approve = (who: string): Promise<boolean> =>
        store.transaction(async (tx) => {
          const db: Kysely<Database & { cas_probe: CasProbe }> = tx.db.withTables<{ cas_probe: CasProbe }>();
          const won = await compareAndSet(db, 'cas_probe', 'req-click', 1, { status: 'approved', decided_by: who });
          await tx.audit.append({ actor: who, action: 'request.approve', target: 'req-click', outcome: won ? 'success' : 'refused' });
          if (who === 'oid-crash') throw new Error('crashed after the transition');
          return won;
        });
      await expect(approve('oid-crash')).rejects.toThrow('crashed');
      await expect(row('req-click')).resolves.toMatchObject({ version: 1, status: 'pending' });
      await expect(approve('oid-first')).resolves.toBe(true);
      await expect(approve('oid-second')).resolves.toBe(false);
      const audit = await store.audit.list({ target: 'req-click' });
      expect(audit.map((entry) => [entry.actor, entry.outcome])).toEqual([
        ['oid-second', 'refused'],
        ['oid-first', 'success'],
      ]);
    });
  });
}

/**
 * The sequence botbuilder's own storage tests put every provider through (create, read, update with and without eTags,
 * stale-eTag conflict, odd keys, batches, delete), recorded as plain outcomes so two providers can be compared.
 */
async function storageScenario(storage: Storage, prefix: string): Promise<unknown[]> {
  const trace: unknown[] = [];
  const strip = (items: StoreItems): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(items).map(([key, item]: [string, Record<string, unknown>]) => {
        const { eTag, ...rest } = item;
        return [key.slice(prefix.length), { ...rest, hasETag: typeof eTag === 'string' && eTag.length > 0 }];
      }),
    );
  const attempt = async (work: () => Promise<void>): Promise<string> => {
    try {
      await work();
      return 'ok';
    } catch (error) {
      return error instanceof Error && /eTag conflict/.test(error.message) ? 'conflict' : `error: ${String(error)}`;
    }
  };
  const k = (key: string): string => `${prefix}${key}`;
  const crazy = k('!@#$%^&*()~/\\><,.?\';"`~ üñíçødé');

  trace.push(strip(await storage.read([k('unknown')])));
  trace.push(await attempt(() => storage.write({ [k('a')]: { name: 'a', nested: { list: [1, 2], absent: undefined } }, [crazy]: { n: 1 } })));
  const created = await storage.read([k('a'), crazy, k('unknown')]);
  trace.push(strip(created));
  const etag = created[k('a')]?.eTag;

  trace.push(await attempt(() => storage.write({ [k('a')]: { ...created[k('a')], name: 'a2' } })));
  trace.push(await attempt(() => storage.write({ [k('a')]: { name: 'stale', eTag: etag } })));
  trace.push(await attempt(() => storage.write({ [k('a')]: { name: 'forced', eTag: '*' } })));
  trace.push(await attempt(() => storage.write({ [k('a')]: { name: 'no-etag' } })));
  trace.push(await attempt(() => storage.write({ [k('new')]: { name: 'new', eTag: 'never-issued' } })));
  trace.push(strip(await storage.read([k('a'), k('new')])));

  const current = await storage.read([k('a')]);
  trace.push(await attempt(() => storage.write({ [k('a')]: { ...current[k('a')], name: 'fresh' } })));
  trace.push(strip(await storage.read([k('a')])));

  trace.push(await attempt(() => storage.delete([k('a'), k('unknown')])));
  trace.push(strip(await storage.read([k('a'), crazy, k('new')])));
  trace.push(await attempt(() => storage.write({ [k('a')]: { name: 'reborn', eTag: etag } })));
  trace.push(strip(await storage.read([k('a')])));
  return trace;
}

describe('store on SQLite', () => {
  const backend = sqliteBackend();
  afterAll(() => backend.removeTempDirs());

  describe('contract', () => {
    storeContract(backend);
  });

  describe('specifics', () => {
    const dirs: string[] = [];
    afterAll(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    const tempDir = (): string => {
      const dir = mkdtempSync(join(tmpdir(), 'pab-store-'));
      dirs.push(dir);
      return dir;
    };

    it('uses WAL, a busy timeout and foreign keys', async () => {
      const store = await openStore({ dataDir: tempDir() });
      try {
        const pragma = async (name: string): Promise<unknown> => {
          const result = await sql<Record<string, unknown>>`select * from ${sql.raw(`pragma_${name}`)}`.execute(store.db);
          return Object.values(result.rows[0] ?? {})[0];
        };
        await expect(pragma('journal_mode')).resolves.toBe('wal');
        await expect(pragma('foreign_keys')).resolves.toBe(1);
        await expect(pragma('busy_timeout')).resolves.toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    });

    it('explains which file it could not open, and why', async () => {
      const blocker = join(tempDir(), 'not-a-directory');
      writeFileSync(blocker, '');
      const opening = openStore({ dataDir: blocker });
      await expect(opening).rejects.toBeInstanceOf(StoreOpenError);
      await expect(opening).rejects.toThrow(`Could not open the SQLite store at ${join(blocker, SQLITE_FILE_NAME)}: `);
    });
  });
});

describeWithService('PostgreSQL', postgresMissingReason(), 'store on PostgreSQL', () => {
  let started: TestPostgres | undefined;
  const server = (): TestPostgres => {
    if (!started) throw new Error('PostgreSQL was not started');
    return started;
  };
  beforeAll(async () => {
    started = await startPostgres();
  });
  afterAll(async () => {
    await started?.stop();
  });

  describe('contract', () => {
    storeContract(postgresBackend(server));
  });

  it('migrates once when two instances start together', async () => {
    const databaseUrl = await server().createDatabase();
    const stores = await Promise.all(Array.from({ length: 3 }, () => openStore({ databaseUrl, dataDir: '/unused' })));
    try {
      for (const store of stores) {
        const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(store.db);
        expect(applied.rows.map((row) => row.name)).toEqual(await migrationNames());
      }
    } finally {
      for (const store of stores) await store.close();
    }
  });

  it('redacts the password from its location', async () => {
    const url = new URL(await server().createDatabase());
    url.password = 'hunter2-s3cret';
    const store = await openStore({ databaseUrl: url.toString(), dataDir: '/unused' });
    try {
      expect(store.location).toContain(`${url.username}:***@${url.host}`);
      expect(store.location).not.toContain('hunter2');
    } finally {
      await store.close();
    }
  });

  it('explains which server it could not reach without leaking the password', async () => {
    const failure = await openStore({ databaseUrl: 'postgres://postgres:hunter2-s3cret@127.0.0.1:1/postgres', dataDir: '/unused' }).then(
      () => new Error('opened an unreachable server'),
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreOpenError);
    const message = String(failure instanceof Error ? failure.message : failure);
    expect(message).toMatch(/^Could not connect to the PostgreSQL store at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED/);
    expect(message).not.toContain('hunter2');
  });

  it('refuses a URL that is not PostgreSQL', async () => {
    await expect(openStore({ databaseUrl: 'mysql://root:pw@localhost/db', dataDir: '/unused' })).rejects.toThrow(
      'Could not open the PostgreSQL store at mysql://root:***@localhost/db: DATABASE_URL must start with postgres:// or postgresql://',
    );
  });
});
