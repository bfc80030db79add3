import type { Server } from 'restify';
import { registerSignedDownload } from './bulkResultsRoute';
import type { Logger } from './logger';
import type { AuditTrailService } from './services/audit/auditTrail';

/** GET /audit/export?f=…&expires=…&sig=…: the audit rows of a signed filter, as CSV or JSON lines (audit export). */
export function registerAuditExportRoute(server: Server, trail: AuditTrailService, log: Logger): void {
  registerSignedDownload(
    server,
    {
      path: '/audit/export',
      subject: ({ query }) => {
        const f = query.get('f') ?? '';
        return /^(csv|jsonl)\.[A-Za-z0-9_-]{0,4000}$/.test(f) ? f : undefined;
      },
      verifyLink: (subject, expires, sig) => trail.verifyExportLink(subject, expires, sig),
      file: (subject) => trail.exportFile(subject),
      notFound: 'This export is not known.',
      freshLink: 'Send "audit export" again for a fresh link.',
      serveAt: (base) => trail.serveExportsAt(base),
    },
    log,
  );
}
