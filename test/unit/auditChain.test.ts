import { canonicalRow, ChainWalker, describeBreak, GENESIS_HASH, rowHash, type ChainedColumns, type StoredChainRow } from '../../bot/store/auditChain';

// Expected values were computed outside this code base, with Python's json.dumps(row, separators=(',', ':'),
// ensure_ascii=False) and hashlib.sha256: the serialization is a documented format, not whatever this code happens to do.
const VECTOR: ChainedColumns = {
  seq: 7,
  prev_hash: 'a'.repeat(64),
  at: '2030-01-02T03:04:05.678Z',
  actor: '00000000-0000-4000-8000-00000000000a',
  actor_name: 'Ada "Admin"\n\u001f\\ Ångström 😀',
  action: 'access.grant',
  target: 'ana_fabrikam.com#EXT#@contoso.onmicrosoft.com',
  outcome: 'success',
  detail: '{"request":"r1","note":"line1\\nline2"}',
};

describe('the audit chain serialization', () => {
  it('is the documented JSON array, byte for byte', () => {
    expect(canonicalRow(VECTOR)).toBe(
      '["pab-audit-v1",7,"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","2030-01-02T03:04:05.678Z",' +
        '"00000000-0000-4000-8000-00000000000a","Ada \\"Admin\\"\\n\\u001f\\\\ Ångström 😀","access.grant",' +
        '"ana_fabrikam.com#EXT#@contoso.onmicrosoft.com","success","{\\"request\\":\\"r1\\",\\"note\\":\\"line1\\\\nline2\\"}"]',
    );
    expect(rowHash(VECTOR)).toBe('5712ca2b6c55d9ac0aa68478ca8ccfe5a68e67ba8ee5897699ee77892a528c2a');
  });

  it('writes absent values as null, and the first row links to 64 zeros', () => {
    const first: ChainedColumns = { seq: 1, prev_hash: GENESIS_HASH, at: '2030-01-01T00:00:00.000Z', actor: 'system:job', actor_name: null, action: 'access.expire', target: 'x', outcome: 'success', detail: null };
    expect(canonicalRow(first)).toBe(`["pab-audit-v1",1,"${'0'.repeat(64)}","2030-01-01T00:00:00.000Z","system:job",null,"access.expire","x","success",null]`);
    expect(rowHash(first)).toBe('c228a21272cd9e11bfcd5d8dbd75f68c8f09070e7ca50fc90f8ea16fdee53ad9');
  });

  it('changes with every covered column, the position and the link included', () => {
    const base = rowHash(VECTOR);
    const changes: Partial<ChainedColumns>[] = [
      { seq: 8 },
      { prev_hash: 'b'.repeat(64) },
      { at: '2030-01-02T03:04:05.679Z' },
      { actor: 'someone-else' },
      { actor_name: null },
      { action: 'access.revoke' },
      { target: 'other' },
      { outcome: 'failed' },
      { detail: '{"request":"r2","note":"line1\\nline2"}' },
      { detail: null },
    ];
    for (const change of changes) expect(rowHash({ ...VECTOR, ...change })).not.toBe(base);
  });

  it('keeps null and the text "null" apart', () => {
    expect(rowHash({ ...VECTOR, actor_name: null })).not.toBe(rowHash({ ...VECTOR, actor_name: 'null' }));
  });
});

function chain(count: number): StoredChainRow[] {
  const rows: StoredChainRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq += 1) {
    const columns: ChainedColumns = { seq, prev_hash: prev, at: `2030-01-01T00:00:0${seq % 10}.000Z`, actor: 'oid', actor_name: null, action: 'invite.create', target: `p${seq}@x.example`, outcome: 'success', detail: null };
    const hash = rowHash(columns);
    rows.push({ ...columns, id: seq * 10, hash });
    prev = hash;
  }
  return rows;
}

function walk(rows: StoredChainRow[], head?: { seq: number; hash: string }) {
  const walker = new ChainWalker();
  for (const row of rows) walker.add(row);
  const last = rows.at(-1);
  const stored = head ?? (last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH });
  return walker.finish({ before: stored, after: stored });
}

describe('walking the chain', () => {
  it('finds nothing wrong in an intact chain, or an empty one', () => {
    expect(walk(chain(6))).toEqual([]);
    expect(walk([])).toEqual([]);
  });

  it('names an edited row', () => {
    const rows = chain(6);
    rows[2] = { ...rows[2]!, outcome: 'refused' };
    expect(walk(rows)).toEqual([{ kind: 'edited', seq: 3, id: 30 }]);
  });

  it('names a row edited with its hash recomputed by the row after it', () => {
    const rows = chain(6);
    const forged = { ...rows[2]!, outcome: 'refused' };
    rows[2] = { ...forged, hash: rowHash(forged) };
    expect(walk(rows)).toEqual([{ kind: 'unlinked', seq: 4, id: 40 }]);
  });

  it('names the deleted rows, in the middle and at the end', () => {
    const rows = chain(8);
    const head = { seq: 8, hash: rows[7]!.hash };
    const kept = rows.filter((row) => row.seq !== 3 && row.seq !== 4 && row.seq !== 8);
    expect(walk(kept, head)).toEqual([
      { kind: 'deleted', fromSeq: 3, toSeq: 4 },
      { kind: 'truncated', lastSeq: 7, headSeq: 8 },
    ]);
  });

  it('names two swapped rows as moved, with the place each was written at', () => {
    const rows = chain(6);
    const fourth = rows[3]!;
    const fifth = rows[4]!;
    rows[3] = { ...fifth, seq: 4 };
    rows[4] = { ...fourth, seq: 5 };
    expect(walk(rows)).toEqual([
      { kind: 'moved', seq: 4, id: 50, writtenAs: 5 },
      { kind: 'moved', seq: 5, id: 40, writtenAs: 4 },
    ]);
  });

  it('names a row added at the end outside the bot', () => {
    const rows = chain(4);
    const head = { seq: 4, hash: rows[3]!.hash };
    const extra: ChainedColumns = { seq: 5, prev_hash: rows[3]!.hash, at: '2030-01-01T00:00:09.000Z', actor: 'x', actor_name: null, action: 'a', target: 't', outcome: 'success', detail: null };
    expect(walk([...rows, { ...extra, id: 99, hash: rowHash(extra) }], head)).toEqual([{ kind: 'beyondHead', lastSeq: 5, headSeq: 4 }]);
  });

  it('takes rows appended during the walk for what they are, and still sees rows cut off before it', () => {
    const rows = chain(6);
    const walker = new ChainWalker();
    for (const row of rows) walker.add(row);
    // The head was at #4 when the walk began; #5 and #6 were appended while it read.
    expect(walker.finish({ before: { seq: 4, hash: rows[3]!.hash }, after: { seq: 6, hash: rows[5]!.hash } })).toEqual([]);
    const cut = new ChainWalker();
    for (const row of rows.slice(0, 3)) cut.add(row);
    expect(cut.finish({ before: { seq: 4, hash: rows[3]!.hash }, after: { seq: 6, hash: rows[5]!.hash } })).toEqual([{ kind: 'truncated', lastSeq: 3, headSeq: 4 }]);
  });

  it('says each break in a sentence that names the row', () => {
    expect(describeBreak({ kind: 'edited', seq: 3, id: 30 })).toMatch(/#3 was changed/);
    expect(describeBreak({ kind: 'deleted', fromSeq: 3, toSeq: 4 })).toMatch(/#3–#4 are missing/);
    expect(describeBreak({ kind: 'moved', seq: 4, id: 50, writtenAs: 5 })).toMatch(/#4 was written as row #5/);
  });
});
