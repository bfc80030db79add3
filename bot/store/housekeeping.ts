import type { Kysely } from 'kysely';
import { BulkRunRepository } from './bulkRuns';
import { SqlInboundDedupe } from './inboundDedupe';
import type { Database } from './schema';

export interface PurgeCounts {
  dedupeKeys: number;
  invitationDrafts: number;
  bulkDrafts: number;
}

/**
 * Deletes what nobody will ask for again: inbound de-duplication claims that have expired, and invitation and bulk drafts
 * whose confirm card was never clicked within `draftMaxAgeMs`. A click on such a card afterwards finds no draft and says so,
 * as it would for any unknown id.
 */
export async function purgeExpired(db: Kysely<Database>, now: Date, draftMaxAgeMs: number): Promise<PurgeCounts> {
  const before = new Date(now.getTime() - draftMaxAgeMs);
  const dedupeKeys = await new SqlInboundDedupe(db).purgeExpired(now);
  const invitations = await db.deleteFrom('invitation').where('state', '=', 'draft').where('created_at', '<', before.toISOString()).executeTakeFirst();
  const bulkDrafts = await new BulkRunRepository(db).purgeDrafts(before);
  return { dedupeKeys, invitationDrafts: Number(invitations.numDeletedRows), bulkDrafts };
}
