import { z } from 'zod';

/**
 * Identity-and-access throttling as Graph documents it: a token bucket of resource units per app+tenant that refills over
 * 10 seconds, and a bucket of writes that refills over 150 seconds. Graph's own defaults (3,500 to 8,000 RU) are far above
 * anything a test reaches, so tests set small limits to see 429s.
 */
export const ThrottleOptionsSchema = z.strictObject({
  /** Bucket size and refill per 10 s, in resource units. */
  resourceUnitsPer10Seconds: z.number().positive(),
  /** Bucket size and refill per 150 s, in write requests. Unlimited when absent. */
  writesPer150Seconds: z.number().positive().optional(),
  /**
   * Report Retry-After with one decimal (e.g. "0.4") instead of whole seconds rounded up. Graph sends whole seconds; this
   * keeps tests that wait for the bucket fast.
   */
  fractionalRetryAfter: z.boolean().optional(),
});

export type ThrottleOptions = z.infer<typeof ThrottleOptionsSchema>;

export type ThrottleDecision =
  | { allowed: true; usedFraction: number }
  | { allowed: false; retryAfterSeconds: number; retryAfterHeader: string; reason: 'ResourceUnitLimitExceeded' | 'WriteLimitExceeded' };

interface Bucket {
  ru: number;
  writes: number;
  at: number;
}

export class TokenBucketThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly options: ThrottleOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private bucket(key: string): Bucket {
    const t = this.now();
    const ruCap = this.options.resourceUnitsPer10Seconds;
    const writeCap = this.options.writesPer150Seconds ?? Number.POSITIVE_INFINITY;
    let b = this.buckets.get(key);
    if (!b) {
      b = { ru: ruCap, writes: writeCap, at: t };
      this.buckets.set(key, b);
      return b;
    }
    const elapsed = (t - b.at) / 1000;
    b.ru = Math.min(ruCap, b.ru + (elapsed * ruCap) / 10);
    if (Number.isFinite(writeCap)) b.writes = Math.min(writeCap, b.writes + (elapsed * writeCap) / 150);
    b.at = t;
    return b;
  }

  /** Charges the request to the bucket, or refuses it without charging and says how long until it would fit. */
  take(key: string, ru: number, writes: number): ThrottleDecision {
    const b = this.bucket(key);
    const ruCap = this.options.resourceUnitsPer10Seconds;
    const writeCap = this.options.writesPer150Seconds;
    const needRu = Math.min(ru, ruCap);
    const ruWait = b.ru >= needRu ? 0 : ((needRu - b.ru) * 10) / ruCap;
    const writeWait = writeCap === undefined || writes === 0 || b.writes >= writes ? 0 : ((Math.min(writes, writeCap) - b.writes) * 150) / writeCap;
    if (ruWait > 0 || writeWait > 0) {
      const wait = Math.max(ruWait, writeWait);
      const seconds = this.options.fractionalRetryAfter ? Math.max(0.1, Math.ceil(wait * 10) / 10) : Math.max(1, Math.ceil(wait));
      return {
        allowed: false,
        retryAfterSeconds: seconds,
        retryAfterHeader: this.options.fractionalRetryAfter ? seconds.toFixed(1) : String(seconds),
        reason: writeWait > ruWait ? 'WriteLimitExceeded' : 'ResourceUnitLimitExceeded',
      };
    }
    b.ru -= needRu;
    if (writeCap !== undefined) b.writes -= writes;
    return { allowed: true, usedFraction: 1 - b.ru / ruCap };
  }
}
