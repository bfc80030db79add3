import type { Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * Bot Framework redelivers an activity when the bot answers slowly, and several instances may receive the same one. The
 * first `claim` of a key wins; everyone else sees false until the claim expires.
 */
export interface InboundDedupe {
  /** True only for the first caller of `key` (race-safe across connections and instances); false while that claim lives. */
  claim(key: string, ttlSeconds?: number): Promise<boolean>;
  /** Deletes claims that expired at or before `now`; returns how many. */
  purgeExpired(now?: Date): Promise<number>;
}

/** Redeliveries come within minutes; a day leaves a wide margin and keeps the table small. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 24 * 60 * 60;

export class SqlInboundDedupe implements InboundDedupe {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async claim(key: string, ttlSeconds: number = DEFAULT_DEDUPE_TTL_SECONDS): Promise<boolean> {
    if (!(ttlSeconds > 0)) throw new RangeError(`ttlSeconds must be positive, got ${ttlSeconds}`);
    const now = this.now();
    const claimedAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    // One statement: a new key inserts; an expired claim is taken over; a live claim is left alone and reports 0 rows.
    // On PostgreSQL the conflicting insert waits for the other transaction and re-checks the WHERE, so exactly one wins.
    const result = await this.db
      .insertInto('inbound_dedupe')
      .values({ key, claimed_at: claimedAt, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ claimed_at: claimedAt, expires_at: expiresAt })
          .where('inbound_dedupe.expires_at', '<=', claimedAt),
      )
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async purgeExpired(now: Date = this.now()): Promise<number> {
    const result = await this.db.deleteFrom('inbound_dedupe').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
