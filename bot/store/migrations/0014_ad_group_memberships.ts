import type { Kysely, Migration } from 'kysely';

/**
 * One row per AD group a Kerberos grant puts its partner's account in (issue 10), written BEFORE the LDAP add, so that a
 * crash between the two is repeated, never forgotten. `state` says whose the membership is:
 * - `preExisting`: the account was already a member when the grant looked; ending the grant leaves it;
 * - `adding` → `added`: the bot is adding / has added it; ending the grant removes it;
 * - `removed`: ending the grant removed it; `handedOver`: another live grant needs the same membership and now owns it.
 * Moves are compare-and-set on `version`. `group_key` and `member_key` are the DNs lower-cased: AD compares DNs without case.
 */
export function adGroupMemberships(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('ad_group_membership')
        .addColumn('request_id', 'text', (col) => col.notNull())
        .addColumn('group_key', 'text', (col) => col.notNull())
        .addColumn('group_dn', 'text', (col) => col.notNull())
        .addColumn('member_dn', 'text', (col) => col.notNull())
        .addColumn('member_key', 'text', (col) => col.notNull())
        .addColumn('guest_object_id', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'text', (col) => col.notNull())
        .addPrimaryKeyConstraint('ad_group_membership_pk', ['request_id', 'group_key'])
        .execute();
      await db.schema.createIndex('ad_group_membership_member').on('ad_group_membership').columns(['member_key', 'group_key']).execute();
      await db.schema.createIndex('ad_group_membership_guest').on('ad_group_membership').column('guest_object_id').execute();
    },
  };
}
