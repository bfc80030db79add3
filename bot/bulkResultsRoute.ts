import type { Request, Server } from 'restify';
import type { Logger } from './logger';
import type { BulkInvitationService } from './services/bulk/bulkRuns';
import type { LinkVerdict } from './services/bulk/resultsLink';

/** A file behind a signed, expiring link (services/bulk/resultsLink.ts): what the route needs to know of its owner. */
export interface SignedDownload {
  /** The restify route. */
  path: string;
  /** The link's subject from the request, or undefined when the request cannot name one (then the link is not valid). */
  subject(request: { params: Record<string, unknown>; query: URLSearchParams }): string | undefined;
  verifyLink(subject: string, expires: string, sig: string): LinkVerdict;
  /** Undefined: the subject is gone (404 with `notFound`). */
  file(subject: string): Promise<{ name: string; contentType: string; body: string } | undefined>;
  notFound: string;
  /** Where a fresh link comes from, for the 410 of an expired one. */
  freshLink: string;
  /** Sandbox mode without PUBLIC_BASE_URL: tells the owner the address the bot actually got, once it listens. */
  serveAt(ownBaseUrl: string): void;
}

/**
 * GET `download.path?…&expires=…&sig=…`. The link is HMAC-signed for its subject and expires, so it can be opened from a
 * card without a Teams token and cannot be guessed or reused for another subject.
 */
export function registerSignedDownload(server: Server, download: SignedDownload, log: Logger): void {
  // Sandbox mode without PUBLIC_BASE_URL: the links point here, on the address the bot actually got (tests use port 0).
  server.server.once('listening', () => {
    const address = server.address();
    const host = address.address === '0.0.0.0' || address.address === '::' || address.address === '' ? '127.0.0.1' : address.address;
    download.serveAt(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
  });
  server.get(download.path, async (req: Request, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const subject = download.subject({ params: (req.params ?? {}) as Record<string, unknown>, query: url.searchParams });
    const verdict = subject === undefined ? 'invalid' : download.verifyLink(subject, url.searchParams.get('expires') ?? '', url.searchParams.get('sig') ?? '');
    if (verdict !== 'ok' || subject === undefined) {
      log.warn({ subject: (subject ?? '').slice(0, 40), verdict }, 'download link refused');
      res.send(verdict === 'expired' ? 410 : 403, { error: verdict === 'expired' ? `This link has expired. ${download.freshLink}` : 'This link is not valid.' });
      return;
    }
    const file = await download.file(subject);
    if (file === undefined) {
      res.send(404, { error: download.notFound });
      return;
    }
    res.writeHead(200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.name}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(file.body);
  });
}

/** GET /bulk/{runId}/results.csv?expires=…&sig=…: a bulk run's per-row results. */
export function registerBulkResultsRoute(server: Server, bulk: BulkInvitationService, log: Logger): void {
  registerSignedDownload(
    server,
    {
      path: '/bulk/:runId/results.csv',
      subject: ({ params }) => {
        const runId = typeof params.runId === 'string' ? params.runId : '';
        return /^[0-9a-f-]{36}$/i.test(runId) ? runId : undefined;
      },
      verifyLink: (runId, expires, sig) => bulk.verifyLink(runId, expires, sig),
      file: async (runId) => {
        const csv = await bulk.resultsCsv(runId);
        return csv === undefined ? undefined : { name: `bulk-invite-results-${runId}.csv`, contentType: 'text/csv; charset=utf-8', body: `\uFEFF${csv}` };
      },
      notFound: 'No such run.',
      freshLink: 'Open the run card again for a fresh link.',
      serveAt: (base) => bulk.serveResultsAt(base),
    },
    log,
  );
}
