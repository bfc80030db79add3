import type { Server } from 'restify';
import { registerSignedDownload } from './bulkResultsRoute';
import type { Logger } from './logger';
import type { PartnersService } from './services/partners/partnersService';

/** GET /partners/{scanId}/results.csv: the whole `partners` list as CSV, through the same signed-link route as bulk results. */
export function registerPartnersExportRoute(server: Server, partners: PartnersService | undefined, log: Logger): void {
  if (!partners) return;
  registerSignedDownload(
    server,
    {
      path: '/partners/:scanId/results.csv',
      subject: ({ params }) => {
        const scanId = typeof params.scanId === 'string' ? params.scanId : '';
        return /^[0-9a-f-]{36}$/i.test(scanId) ? scanId : undefined;
      },
      verifyLink: (scanId, expires, sig) => partners.verifyExportLink(scanId, expires, sig),
      file: async (scanId) => {
        const csv = await partners.exportCsv(scanId);
        return csv === undefined ? undefined : { name: `partners-${scanId}.csv`, contentType: 'text/csv; charset=utf-8', body: `\uFEFF${csv}` };
      },
      notFound: 'No such export.',
      freshLink: 'Run partners again for a fresh link.',
      serveAt: (base) => partners.serveExportAt(base),
    },
    log,
  );
}
