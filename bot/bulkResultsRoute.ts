import type { Server } from 'restify';
import type { Logger } from './logger';
import type { LinkVerdict } from './services/bulk/resultsLink';
import type { BulkInvitationService } from './services/bulk/bulkRuns';

/** A signed, expiring CSV download: how to check its link, build its file, and tell the links where the bot listens. */
export interface SignedCsvRoute {
  /** e.g. `bulk` for GET /bulk/{id}/results.csv. */
  prefix: string;
  /** Sandbox mode without PUBLIC_BASE_URL: the links point at the address the bot actually got (tests use port 0). */
  serveAt(ownBaseUrl: string): void;
  verify(id: string, expires: string, sig: string): LinkVerdict;
  /** The file; undefined when the id names nothing (404). */
  csv(id: string): Promise<string | undefined>;
  filename(id: string): string;
  /** Said on a 410: where to get a fresh link. */
  expiredHint: string;
}

/**
 * GET /{prefix}/{id}/results.csv?expires=…&sig=…: the HMAC-signed link covers the id, the expiry and the kind of download,
 * so it can be opened from a card without a Teams token and cannot be guessed or reused for another id or kind.
 */
export function registerSignedCsvRoute(server: Server, route: SignedCsvRoute, log: Logger): void {
  server.server.once('listening', () => {
    const address = server.address();
    const host = address.address === '0.0.0.0' || address.address === '::' || address.address === '' ? '127.0.0.1' : address.address;
    route.serveAt(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
  });
  server.get(`/${route.prefix}/:id/results.csv`, async (req, res) => {
    const id = String(req.params?.id ?? '');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verdict = /^[0-9a-f-]{36}$/i.test(id) ? route.verify(id, url.searchParams.get('expires') ?? '', url.searchParams.get('sig') ?? '') : 'invalid';
    if (verdict !== 'ok') {
      log.warn({ id: id.slice(0, 40), verdict }, `${route.prefix} results link refused`);
      res.send(verdict === 'expired' ? 410 : 403, { error: verdict === 'expired' ? `This link has expired. ${route.expiredHint}` : 'This link is not valid.' });
      return;
    }
    let csv: string | undefined;
    try {
      csv = await route.csv(id);
    } catch (error) {
      log.error({ err: error }, `${route.prefix} results could not be built`);
      res.send(503, { error: 'The results could not be read just now. Try the link again in a minute.' });
      return;
    }
    if (csv === undefined) {
      res.send(404, { error: 'No such run.' });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${route.filename(id)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(`\uFEFF${csv}`);
  });
}

/** GET /bulk/{runId}/results.csv: a bulk run's per-row results. */
export function registerBulkResultsRoute(server: Server, bulk: BulkInvitationService, log: Logger): void {
  registerSignedCsvRoute(
    server,
    {
      prefix: 'bulk',
      serveAt: (url) => bulk.serveResultsAt(url),
      verify: (id, expires, sig) => bulk.verifyLink(id, expires, sig),
      csv: (id) => bulk.resultsCsv(id),
      filename: (id) => `bulk-invite-results-${id}.csv`,
      expiredHint: 'Open the run card again for a fresh link.',
    },
    log,
  );
}
