import type { Server } from 'restify';
import { registerSignedDownload } from './bulkResultsRoute';
import type { Logger } from './logger';
import type { StaleService } from './services/stale/staleService';

/** GET /stale/{scanId}/results.csv: the whole `stale` list as CSV, through the same signed-link route as bulk results. */
export function registerStaleExportRoute(server: Server, stale: StaleService | undefined, log: Logger): void {
  if (!stale) return;
  registerSignedDownload(
    server,
    {
      path: '/stale/:scanId/results.csv',
      subject: ({ params }) => {
        const scanId = typeof params.scanId === 'string' ? params.scanId : '';
        return /^[0-9a-f-]{36}$/i.test(scanId) ? scanId : undefined;
      },
      verifyLink: (scanId, expires, sig) => stale.verifyExportLink(scanId, expires, sig),
      file: (scanId) => {
        const csv = stale.exportCsv(scanId);
        return Promise.resolve(csv === undefined ? undefined : { name: `stale-guests-${scanId}.csv`, contentType: 'text/csv; charset=utf-8', body: `\uFEFF${csv}` });
      },
      notFound: 'This list is no longer kept (10 minutes, on the instance that made it). Run stale again for a fresh one.',
      freshLink: 'Run stale again for a fresh link.',
      serveAt: (base) => stale.serveExportAt(base),
    },
    log,
  );
}
