import { sql, type Kysely, type Migration } from 'kysely';

/**
 * What a grant's life between granted and ended needs on its request row (issue 11):
 * - `extends_request_id`: this request asks to move the end of that live grant; approved, it moves that grant's end
 *   date and becomes `extended`, without a second assignment. A grant has at most one open extension at a time.
 * - `extends_from`: the end date the extension was asked against. Applying it is a compare-and-set on that date, so an
 *   extension approved after the grant was shortened (or extended otherwise) fails instead of undoing that change.
 * - `let_end_by` / `let_end_at`: someone chose Let it end on an expiry notice: no more notices for this grant.
 * The one-live-request index now ignores extensions, which live beside the grant they extend by design.
 */
export function grantLife(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('access_request').addColumn('extends_request_id', 'text').execute();
      await db.schema.alterTable('access_request').addColumn('extends_from', 'text').execute();
      await db.schema.alterTable('access_request').addColumn('let_end_by', 'text').execute();
      await db.schema.alterTable('access_request').addColumn('let_end_at', 'text').execute();
      await sql`drop index access_requests_one_live`.execute(db);
      await sql`create unique index access_request_one_live on access_request (guest_object_id, service_principal_id, app_role_id) where state in ('pending', 'approved', 'granted') and extends_request_id is null`.execute(
        db,
      );
      // Two Extend clicks, or two people extending at once, make one open extension of a grant.
      await sql`create unique index access_request_one_extension on access_request (extends_request_id) where state in ('pending', 'approved') and extends_request_id is not null`.execute(
        db,
      );
      await db.schema.createIndex('access_request_expires_at').on('access_request').columns(['state', 'expires_at']).execute();
    },
  };
}
