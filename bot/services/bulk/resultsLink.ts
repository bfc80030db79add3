import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkVerdict = 'ok' | 'expired' | 'invalid';

/** What a link downloads: a bulk run's results, or a `partners` export. The kind is signed, so one cannot open the other. */
export type LinkKind = 'bulk' | 'partners';

/**
 * Signed, expiring links to a results CSV (a bulk run's, or a partners export). The HMAC covers the run id and the expiry, so a link opens from a card
 * without a Teams token and cannot be guessed, extended or reused for another run.
 */
export class ResultsLinks {
  constructor(
    private readonly settings: { publicBaseUrl?: string; linkSecret: string; linkLifetimeMs: number },
    private readonly now: () => Date,
  ) {}

  /** Undefined when no public base URL is configured: there is nowhere to link to. */
  url(runId: string, kind: LinkKind = 'bulk'): string | undefined {
    const base = this.settings.publicBaseUrl;
    if (!base) return undefined;
    const expires = Math.floor((this.now().getTime() + this.settings.linkLifetimeMs) / 1000);
    return `${base}/${kind}/${runId}/results.csv?expires=${expires}&sig=${this.signature(runId, expires, kind)}`;
  }

  verify(runId: string, expires: string, sig: string, kind: LinkKind = 'bulk'): LinkVerdict {
    const at = Number(expires);
    if (!Number.isInteger(at)) return 'invalid';
    const expected = Buffer.from(this.signature(runId, at, kind));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return at * 1000 < this.now().getTime() ? 'expired' : 'ok';
  }

  private signature(runId: string, expires: number, kind: LinkKind): string {
    return createHmac('sha256', this.settings.linkSecret).update(`${kind}-results:${runId}:${expires}`).digest('base64url');
  }
}
