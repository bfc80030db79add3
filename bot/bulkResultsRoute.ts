import type { Server } from 'restify';
import type { Logger } from './logger';
import type { BulkInvitationService } from './services/bulk/bulkRuns';

/**
 * GET /bulk/{runId}/results.csv?expires=…&sig=…: a bulk run's per-row results. The link is HMAC-signed for that run and
 * expires, so it can be opened from a card without a Teams token and cannot be guessed or reused for another run.
 */
export function registerBulkResultsRoute(server: Server, bulk: BulkInvitationService, log: Logger): void {
  // Sandbox mode without PUBLIC_BASE_URL: the links point here, on the address the bot actually got (tests use port 0).
  server.server.once('listening', () => {
    const address = server.address();
    const host = address.address === '0.0.0.0' || address.address === '::' || address.address === '' ? '127.0.0.1' : address.address;
    bulk.serveResultsAt(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
  });
  server.get('/bulk/:runId/results.csv', async (req, res) => {
    const runId = String(req.params?.runId ?? '');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verdict = /^[0-9a-f-]{36}$/i.test(runId) ? bulk.verifyLink(runId, url.searchParams.get('expires') ?? '', url.searchParams.get('sig') ?? '') : 'invalid';
    if (verdict !== 'ok') {
      log.warn({ runId: runId.slice(0, 40), verdict }, 'bulk results link refused');
      res.send(verdict === 'expired' ? 410 : 403, { error: verdict === 'expired' ? 'This link has expired. Open the run card again for a fresh link.' : 'This link is not valid.' });
      return;
    }
    const csv = await bulk.resultsCsv(runId);
    if (csv === undefined) {
      res.send(404, { error: 'No such run.' });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="bulk-invite-results-${runId}.csv"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(`\uFEFF${csv}`);
  });
}
