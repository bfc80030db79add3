import type { Migration, MigrationProvider } from 'kysely';
import type { StoreDialect } from '../dialect';
import { foundation } from './0001_foundation';
import { jobs } from './0002_jobs';
import { invitations } from './0003_invitations';
import { bulkInvitations } from './0004_bulk_invitations';
import { accessRequests } from './0005_access_requests';
import { invitePacing } from './0006_invite_pacing';
import { singularTableNames } from './0007_singular_table_names';
import { confirmations } from './0008_confirmations';
import { accessEscalation } from './0009_access_escalation';
import { grantLife } from './0010_grant_life';
import { auditChain } from './0011_audit_chain';
import { confirmationShown } from './0012_confirmation_shown';
import { accessForwards } from './0013_access_forwards';
import { adGroupMemberships } from './0014_ad_group_memberships';

/**
 * The single migration history for both dialects, defined in code so the build output needs no migration files on disk.
 * Names sort lexically, and Kysely refuses to run a history whose applied names are not a prefix of this list.
 */
export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_foundation': foundation(dialect),
    '0002_jobs': jobs(),
    '0003_invitations': invitations(),
    '0004_bulk_invitations': bulkInvitations(),
    '0005_access_requests': accessRequests(),
    '0006_invite_pacing': invitePacing(),
    '0007_singular_table_names': singularTableNames(),
    '0008_confirmations': confirmations(),
    '0009_access_escalation': accessEscalation(),
    '0010_grant_life': grantLife(),
    '0011_audit_chain': auditChain(dialect),
    '0012_confirmation_shown': confirmationShown(),
    '0013_access_forwards': accessForwards(),
    '0014_ad_group_memberships': adGroupMemberships(),
  };
  return { getMigrations: () => Promise.resolve(migrations) };
}
