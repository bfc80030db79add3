/**
 * A small time-bounded, size-bounded map. An entry lives `ttlMs` from when it was stored; past `maxEntries` the least
 * recently used entry goes first, so a tenant with more apps than the bound costs reads again, never unbounded memory.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0 && this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: moving the entry to the end makes the first one the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

export interface AppProxyCacheOptions {
  /** How long an app's App Proxy settings and the on-prem app listing are reused; 0 turns the cache off. */
  ttlMs: number;
  /** How many apps' settings are kept at most. */
  maxApps: number;
  now?: () => number;
}

/** One answer from Graph as a `$batch` item carries it. */
export interface CachedBatchItem {
  status: number;
  body?: unknown;
}

/**
 * What the bot reads about App Proxy apps again and again although it rarely changes: each app's onPremisesPublishing
 * settings (one beta read per app, so `apps` cost 1 + N calls) and the on-prem app listing that names the apps in every
 * `whois`. Only successful answers are kept, so a throttled or refused read is tried again on the next command. The
 * write paths do not trust it: reading one app (`getApp`, used by request, approve and revoke) always asks Graph and
 * refreshes the entry, so a grant never acts on settings older than the read that precedes it.
 */
export class AppProxyCache {
  /** onPremisesPublishing by appId (lower case), as Graph returned it (it may be null). */
  readonly publishing: TtlCache<string, unknown>;
  /** The `$batch` answer of the on-prem app listing (id, displayName, appRoles) used by whois. */
  readonly onPremListing: TtlCache<'onPremApps', CachedBatchItem>;

  constructor(options: AppProxyCacheOptions) {
    this.publishing = new TtlCache(options.ttlMs, options.maxApps, options.now);
    this.onPremListing = new TtlCache(options.ttlMs, 1, options.now);
  }

  clear(): void {
    this.publishing.clear();
    this.onPremListing.clear();
  }
}
