import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkVerdict = 'ok' | 'expired' | 'invalid';

/**
 * What a link opens: the scope the HMAC covers (so a link made for one kind of download never opens another) and the path
 * for a subject. The subject must already be safe in a URL.
 */
export interface LinkKind {
  scope: string;
  path(subject: string): string;
}

export const BULK_RESULTS_LINK: LinkKind = { scope: 'bulk-results', path: (runId) => `/bulk/${runId}/results.csv` };

/**
 * Signed, expiring links to a download: a bulk run's results CSV by default, an audit export with its own kind. The HMAC
 * covers the kind, the subject (the run id, the export's filter) and the expiry, so a link opens from a card without a
 * Teams token and cannot be guessed, extended or reused for another subject.
 */
export class ResultsLinks {
  constructor(
    private readonly settings: { publicBaseUrl?: string; linkSecret: string; linkLifetimeMs: number },
    private readonly now: () => Date,
    private readonly kind: LinkKind = BULK_RESULTS_LINK,
  ) {}

  /** Undefined when no public base URL is configured: there is nowhere to link to. */
  url(subject: string): string | undefined {
    const base = this.settings.publicBaseUrl;
    if (!base) return undefined;
    const expires = Math.floor((this.now().getTime() + this.settings.linkLifetimeMs) / 1000);
    const path = this.kind.path(subject);
    return `${base}${path}${path.includes('?') ? '&' : '?'}expires=${expires}&sig=${this.signature(subject, expires)}`;
  }

  verify(subject: string, expires: string, sig: string): LinkVerdict {
    const at = Number(expires);
    if (!Number.isInteger(at)) return 'invalid';
    const expected = Buffer.from(this.signature(subject, at));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return at * 1000 < this.now().getTime() ? 'expired' : 'ok';
  }

  private signature(subject: string, expires: number): string {
    return createHmac('sha256', this.settings.linkSecret).update(`${this.kind.scope}:${subject}:${expires}`).digest('base64url');
  }
}
