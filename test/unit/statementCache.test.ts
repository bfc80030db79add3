import BetterSqlite3 from 'better-sqlite3';
import { withStatementCache } from '../../bot/store/statementCache';

function openCounted(): { database: BetterSqlite3.Database; prepared: string[] } {
  const database = new BetterSqlite3(':memory:');
  database.exec('create table t (id integer primary key, name text)');
  const prepared: string[] = [];
  const prepare = database.prepare.bind(database);
  database.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof database.prepare;
  return { database, prepared };
}

describe('withStatementCache', () => {
  it('prepares each SQL text once and binds parameters as Kysely does', () => {
    const { database, prepared } = openCounted();
    const cached = withStatementCache(database);
    for (let id = 1; id <= 3; id += 1) cached.prepare('insert into t (id, name) values (?, ?)').run([id, `n${id}`]);
    expect(cached.prepare('select name from t where id > ? order by id').all([1])).toEqual([{ name: 'n2' }, { name: 'n3' }]);
    expect(cached.prepare('select name from t where id > ? order by id').reader).toBe(true);
    expect(prepared).toEqual(['insert into t (id, name) values (?, ?)', 'select name from t where id > ? order by id']);
    cached.close();
  });

  it('drops the least recently used statement past its capacity', () => {
    const { database, prepared } = openCounted();
    const cached = withStatementCache(database, 2);
    cached.prepare('select 1').all([]);
    cached.prepare('select 2').all([]);
    cached.prepare('select 1').all([]);
    cached.prepare('select 3').all([]); // evicts "select 2", the least recently used
    cached.prepare('select 1').all([]);
    cached.prepare('select 2').all([]);
    expect(prepared).toEqual(['select 1', 'select 2', 'select 3', 'select 2']);
    cached.close();
  });

  it('gives a stream its own statement, so the same query can run while the stream is open', () => {
    const { database } = openCounted();
    const cached = withStatementCache(database);
    cached.prepare('insert into t (id, name) values (?, ?)').run([1, 'a']);
    cached.prepare('insert into t (id, name) values (?, ?)').run([2, 'b']);
    const sql = 'select name from t order by id';
    const stream = cached.prepare(sql).iterate([]);
    expect(stream.next().value).toEqual({ name: 'a' });
    expect(cached.prepare(sql).all([])).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(stream.next().value).toEqual({ name: 'b' });
    expect(stream.next().done).toBe(true);
    cached.close();
  });

  it('closes the database and refuses a capacity that is not a positive integer', () => {
    const { database } = openCounted();
    withStatementCache(database).close();
    expect(database.open).toBe(false);
    expect(() => withStatementCache(new BetterSqlite3(':memory:'), 0)).toThrow(RangeError);
  });
});
