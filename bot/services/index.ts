import type { JobClock } from '../clock';
import type { RoleResolver } from '../identity/roles';
import type { Notifier } from './ports';
import type { Store } from '../store';
import type { AccessRequestService } from './accessRequests';
import type { AccessRevocationService } from './accessRevocation';
import type { AppAccessService } from './appAccess';
import type { AuditTrailService } from './audit/auditTrail';
import type { BulkInvitationService } from './bulk/bulkRuns';
import type { HybridService } from './hybrid';
import type { InvitationService } from './invitations';
import type { LookupService } from './lookup';
import type { RealmLookup } from './realmVerdict';
import type { PartnersService } from './partners/partnersService';
import type { DoctorService } from './doctor/doctorService';
import type { StaleService } from './stale/staleService';

/** Everything commands, actions and jobs may call. Built once in the composition root; replaced by in-memory doubles in tests. */
export interface Services {
  /** The clock every job and deadline reads (bot/clock.ts): a test clock in tests and TEST_JOB_CLOCK sandboxes. */
  clock: JobClock;
  roles: RoleResolver;
  store: Store;
  notifier: Notifier;
  /** Home realm discovery for an address or domain; the invite flow uses it for its sign-in preview. */
  realm: RealmLookup;
  /** whois and realm: who someone is in our directory, and where their sign-in goes. */
  lookup: LookupService;
  /** invite and resend: pre-checks, policy, approval and the keyed write. */
  invitations: InvitationService;
  /** invite with a list or CSV: validated rows, second-admin approval when large, a paced durable run. */
  bulkInvitations: BulkInvitationService;
  /** apps: the on-prem apps published through application proxy, and a user's assignments to them. */
  appAccess: AppAccessService;
  /** revoke and the expiry job: end a partner's app access, on-prem shadow account included. */
  accessRevocation: AccessRevocationService;
  /** request, requests, pending: access requests, their approval by the app's owners (or the admins) and the grant job. */
  accessRequests: AccessRequestService;
  /** signin, convert and mark: the AD-to-cloud half of hybrid B2B, where the bot fixes what disagrees. */
  hybrid: HybridService;
  /** history and audit: the audit log read back, filtered and paged, its hash chain checked, exported through a signed link. */
  auditTrail: AuditTrailService;
  /** doctor: every link from a partner's account to an app's sign-in checked, each with its fact and its fix. */
  doctor: DoctorService;
  /** partners: on-prem AD partner accounts and Entra seen together; undefined when ONPREM_* is not configured. */
  partners?: PartnersService;
  /** stale: guests with no sign-in, unredeemed invitations, guests without a live sponsor; undefined without a Graph reader. */
  stale?: StaleService;
}
