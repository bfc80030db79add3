import type { Server } from 'restify';
import { registerSignedCsvRoute } from './bulkResultsRoute';
import type { Logger } from './logger';
import type { PartnersService } from './services/partners/partnersService';

/** GET /partners/{scanId}/results.csv: the whole `partners` list as CSV, through the same signed-link route as bulk results. */
export function registerPartnersExportRoute(server: Server, partners: PartnersService | undefined, log: Logger): void {
  if (!partners) return;
  registerSignedCsvRoute(
    server,
    {
      prefix: 'partners',
      serveAt: (url) => partners.serveExportAt(url),
      verify: (id, expires, sig) => partners.verifyExportLink(id, expires, sig),
      csv: (id) => partners.exportCsv(id),
      filename: (id) => `partners-${id}.csv`,
      expiredHint: 'Run partners again for a fresh link.',
    },
    log,
  );
}
