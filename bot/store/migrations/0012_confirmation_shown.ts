import type { Kysely, Migration } from 'kysely';

/**
 * What a confirmation card showed (its title, consequence and facts, as JSON), so that Confirm can check the facts still
 * hold before anything runs: a value changed since the card was sent is not silently overwritten. Null on rows written
 * before this column, which expire within minutes.
 */
export function confirmationShown(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('confirmation').addColumn('shown', 'text').execute();
    },
  };
}
