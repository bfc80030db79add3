import { createHash } from 'node:crypto';

/** The `prev_hash` of the first row: 64 zeros, so every row, the first included, names the hash before it. */
export const GENESIS_HASH = '0'.repeat(64);

/** Names the serialization below; a future change of it gets a new tag, and old rows keep verifying under theirs. */
export const CHAIN_FORMAT = 'pab-audit-v1';

/** The columns of one audit row that its hash covers, exactly as stored (text columns as text, absent values as null). */
export interface ChainedColumns {
  seq: number;
  prev_hash: string;
  at: string;
  actor: string;
  actor_name: string | null;
  action: string;
  target: string;
  outcome: string;
  /** The stored JSON text, not a re-serialized object: key order and spacing are part of what was written. */
  detail: string | null;
}

/**
 * The canonical serialization of a row: ECMAScript `JSON.stringify` of the array
 * `["pab-audit-v1", seq, prev_hash, at, actor, actor_name, action, target, outcome, detail]`. That output is fixed by the
 * language standard: no whitespace, the integer in decimal, strings in double quotes with only `"`, `\` and U+0000–U+001F
 * escaped (`\b \f \n \r \t`, otherwise `\u00xx` in lower-case hex) and lone surrogates as `\udxxx`; every other character
 * as itself. Any tool that writes the same bytes can check the chain without this code.
 *
 * The row's `id` is left out on purpose: it is the storage key, assigned by the database after the hash is computed, and an
 * append-only table cannot be updated to add it afterwards. `seq` is the row's place in the chain.
 */
export function canonicalRow(row: ChainedColumns): string {
  return JSON.stringify([CHAIN_FORMAT, row.seq, row.prev_hash, row.at, row.actor, row.actor_name, row.action, row.target, row.outcome, row.detail]);
}

/** SHA-256 of the UTF-8 bytes of `canonicalRow`, as 64 lower-case hex digits. */
export function rowHash(row: ChainedColumns): string {
  return createHash('sha256').update(canonicalRow(row), 'utf8').digest('hex');
}

/** A stored row as the verifier reads it: the chained columns plus the stored hash and id. */
export interface StoredChainRow extends ChainedColumns {
  id: number;
  hash: string;
}

/** Where and how the chain breaks. `seq` is the position the problem is seen at. */
export type ChainBreak =
  /** The row's content no longer matches its hash: a column was changed after it was written. */
  | { kind: 'edited'; seq: number; id: number }
  /** Rows with these positions are gone (`to` inclusive). */
  | { kind: 'deleted'; fromSeq: number; toSeq: number }
  /** The row is intact but sits at another position than the one it was written at. */
  | { kind: 'moved'; seq: number; id: number; writtenAs: number }
  /** The row is intact in itself but does not follow the row before it (added outside the bot, or the one before it changed). */
  | { kind: 'unlinked'; seq: number; id: number }
  /** The newest rows are gone: the chain head, kept beside the log, is further on than the last row. */
  | { kind: 'truncated'; lastSeq: number; headSeq: number }
  /** The head says less than the log holds: rows were added past the head, outside the bot. */
  | { kind: 'beyondHead'; lastSeq: number; headSeq: number };

/**
 * Walks rows in `seq` order and says where the chain breaks. Feed it pages in order, then call `finish` with the stored
 * head. It keeps the previous row and, for every row, its hash, its link and whether it is intact (a few hundred bytes a
 * row): telling a moved row from an edited one needs rows that come later.
 */
export class ChainWalker {
  private previous: { seq: number; id: number; hash: string; intact: boolean } | undefined;
  private readonly byHash = new Map<string, { prevHash: string; seq: number; intact: boolean }>();
  private readonly damaged: StoredChainRow[] = [];
  private readonly found: ChainBreak[] = [];
  private checked = 0;

  get rows(): number {
    return this.checked;
  }

  get lastSeq(): number {
    return this.previous?.seq ?? 0;
  }

  get lastHash(): string {
    return this.previous?.hash ?? GENESIS_HASH;
  }

  add(row: StoredChainRow): void {
    this.checked += 1;
    const expectedSeq = (this.previous?.seq ?? 0) + 1;
    const expectedPrev = this.previous?.hash ?? GENESIS_HASH;
    if (row.seq > expectedSeq) this.found.push({ kind: 'deleted', fromSeq: expectedSeq, toSeq: row.seq - 1 });
    const intact = rowHash(row) === row.hash;
    if (!intact) this.damaged.push(row);
    // After a damaged row the link is already reported there; after a gap, the gap is the break.
    else if (row.prev_hash !== expectedPrev && row.seq === expectedSeq && this.previous?.intact !== false) {
      this.found.push({ kind: 'unlinked', seq: row.seq, id: row.id });
    }
    this.byHash.set(row.hash, { prevHash: row.prev_hash, seq: row.seq, intact });
    this.previous = { seq: row.seq, id: row.id, hash: row.hash, intact };
  }

  /**
   * Ends the walk and returns every break, by position. `head` is the head row kept beside the log, read before the walk
   * and again after it (undefined when it is missing): appends committed during the walk move the head on, and since rows
   * commit in `seq` order they can only add rows at the end. So rows are missing at the end only when the head before the
   * walk is past the last row read, and rows were added outside the bot only when the last row is past the head after it.
   * A damaged row whose hash verifies at the position its link implies was moved there; any other damaged row was edited.
   */
  finish(head: { before: { seq: number; hash: string } | undefined; after: { seq: number; hash: string } | undefined }): ChainBreak[] {
    for (const row of this.damaged) {
      const writtenAs = this.positionWritten(row.prev_hash);
      if (writtenAs !== undefined && writtenAs !== row.seq && rowHash({ ...row, seq: writtenAs }) === row.hash) {
        this.found.push({ kind: 'moved', seq: row.seq, id: row.id, writtenAs });
      } else {
        this.found.push({ kind: 'edited', seq: row.seq, id: row.id });
      }
    }
    const lastSeq = this.lastSeq;
    const before = head.before?.seq ?? 0;
    const after = head.after?.seq ?? 0;
    if (before > lastSeq) this.found.push({ kind: 'truncated', lastSeq, headSeq: before });
    else if (lastSeq > after) this.found.push({ kind: 'beyondHead', lastSeq, headSeq: after });
    else if (lastSeq === after && head.after && this.previous?.intact && head.after.hash !== this.previous.hash) {
      this.found.push({ kind: 'edited', seq: this.previous.seq, id: this.previous.id });
    }
    return [...this.found].sort((a, b) => breakPosition(a) - breakPosition(b));
  }

  /** The position the row after `prevHash` was written at: one past the intact row holding that hash, followed back. */
  private positionWritten(prevHash: string): number | undefined {
    let steps = 1;
    let hash = prevHash;
    for (let guard = 0; guard <= this.checked; guard += 1) {
      if (hash === GENESIS_HASH) return steps;
      const row = this.byHash.get(hash);
      if (!row) return undefined;
      if (row.intact) return row.seq + steps;
      steps += 1;
      hash = row.prevHash;
    }
    return undefined;
  }
}

function breakPosition(problem: ChainBreak): number {
  switch (problem.kind) {
    case 'deleted':
      return problem.fromSeq;
    case 'truncated':
    case 'beyondHead':
      return problem.lastSeq + 0.5;
    case 'edited':
    case 'moved':
    case 'unlinked':
      return problem.seq;
  }
}

/** One sentence per break, for `audit verify`. */
export function describeBreak(problem: ChainBreak): string {
  switch (problem.kind) {
    case 'edited':
      return `Row #${problem.seq} was changed after it was written: its content no longer matches its hash.`;
    case 'deleted':
      return problem.fromSeq === problem.toSeq
        ? `Row #${problem.fromSeq} is missing: it was deleted.`
        : `Rows #${problem.fromSeq}–#${problem.toSeq} are missing: they were deleted.`;
    case 'moved':
      return `Row #${problem.seq} was written as row #${problem.writtenAs}: the rows were reordered.`;
    case 'unlinked':
      return `Row #${problem.seq} does not follow row #${problem.seq - 1}: it was added outside the bot, or the row before it was replaced.`;
    case 'truncated':
      return `The newest rows are missing: the log ends at #${problem.lastSeq}, but #${problem.headSeq} was written.`;
    case 'beyondHead':
      return `Rows after #${problem.headSeq} (up to #${problem.lastSeq}) were added outside the bot.`;
  }
}
