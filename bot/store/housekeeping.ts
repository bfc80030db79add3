import type { Kysely } from 'kysely';
import { BulkRunRepository } from './bulkRuns';
import { SqlInboundDedupe } from './inboundDedupe';
import type { ConfirmationRepository } from './confirmations';
import type { Database } from './schema';

export interface PurgeCounts {
  dedupeKeys: number;
  invitationDrafts: number;
  bulkDrafts: number;
  confirmations: number;
}

/**
 * Deletes what nobody will ask for again: inbound de-duplication claims that have expired, and invitation and bulk drafts
 * whose confirm card was never clicked within `draftMaxAgeMs`. A click on such a card afterwards finds no draft and says so,
 * as it would for any unknown id. Confirmations go once they expired longer ago than that: until then a second click on
 * Confirm still gets the recorded result, and the audit log keeps what was confirmed for good.
 */
export async function purgeExpired(db: Kysely<Database>, confirmationRows: ConfirmationRepository, now: Date, draftMaxAgeMs: number): Promise<PurgeCounts> {
  const before = new Date(now.getTime() - draftMaxAgeMs);
  const dedupeKeys = await new SqlInboundDedupe(db).purgeExpired(now);
  const invitations = await db.deleteFrom('invitation').where('state', '=', 'draft').where('created_at', '<', before.toISOString()).executeTakeFirst();
  const bulkDrafts = await new BulkRunRepository(db).purgeDrafts(before);
  const confirmations = await confirmationRows.purgeExpired(before);
  return { dedupeKeys, invitationDrafts: Number(invitations.numDeletedRows), bulkDrafts, confirmations };
}
