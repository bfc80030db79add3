import { randomBytes } from 'node:crypto';
import { systemClock, type JobClock } from './clock';
import type { Config } from './config';
import { accessRequestMessages } from './presenters/access.presenter';
import { bulkMessages } from './presenters/bulk.presenter';
import { invitationMessages } from './presenters/invite.presenter';
import { accessEndMessages } from './presenters/revoke.presenter';
import { grantLifeMessages } from './presenters/grantLife.presenter';
import { RoleResolver, type GroupMembershipReader } from './identity/roles';
import type { Jobs } from './jobs';
import type { Logger } from './logger';
import type { ShadowAccounts } from './onprem/shadowAccounts';
import { parsePartnerAccountRef, type PartnerAccounts } from './onprem/partnerAccounts';
import type { PartnerMarkerWriter } from './onprem/partnerMarker';
import type { Services } from './services';
import { AccessRequestService, type AccessRequestDirectory, type PeopleDirectory, type SponsorDirectory, type SponsorList } from './services/accessRequests';
import { AccessRevocationService, type GuestFinder } from './services/accessRevocation';
import { AppAccessService, type AppDirectory } from './services/appAccess';
import { AdGroupGrants, type GroupDirectory, type OwnAccountFinder, type ResolvedGroupMapping } from './services/access/adGroups';
import { AuditTrailService } from './services/audit/auditTrail';
import { BulkInvitationService } from './services/bulk/bulkRuns';
import { HybridService } from './services/hybrid';
import { InvitationService, type InvitationDirectory } from './services/invitations';
import { LookupService, type UserDirectory } from './services/lookup';
import { SIGN_IN_WINDOW_DAYS } from './graph/doctorSignals';
import { DoctorService, type DoctorPorts } from './services/doctor/doctorService';
import { tenantedSignInUrl } from './services/hybrid/signin';
import { PartnerSyncService, type PartnerUserReader } from './services/partners/partnerSync';
import { PartnersService } from './services/partners/partnersService';
import type { Notifier } from './services/ports';
import { StaleService, type GuestHygieneReader } from './services/stale/staleService';
import { RealmService, type OwnDomainReader } from './services/realm';
import type { Clock, LoginEndpoints } from './services/realmPorts';
import type { RealmLookup } from './services/realmVerdict';
import type { FileDownloads } from './services/teamsFile';
import type { Store } from './store';

/**
 * What the services talk to: Graph, on-prem AD, the store, the notifier and the job queue. The app passes the real
 * adapters (bot/app.ts); tests pass in-memory ones (test/helpers/testServices.ts). Both then get their services from
 * buildServices, so the two cannot wire them differently.
 */
export interface ServicePorts {
  store: Store;
  notifier: Notifier;
  jobs: Jobs;
  /** Who is in the admin and manager groups. */
  groups: GroupMembershipReader;
  /** Users for whois and for telling partners from employees. */
  users: UserDirectory;
  /** Guests: invitations, and finding a guest to grant or revoke app access. */
  guests: InvitationDirectory & GuestFinder & AccessRequestDirectory;
  /** The App Proxy apps and their assignments. */
  apps: AppDirectory;
  /** On-prem AD for Kerberos apps' shadow accounts; undefined when ONPREM_* is not configured. */
  shadowAccounts?: ShadowAccounts;
  /** The AD groups Kerberos app roles map to, resolved at start-up; undefined when ONPREM_APP_ROLE_GROUPS is empty. */
  adGroups?: { directory: GroupDirectory; mappings: readonly ResolvedGroupMapping[]; ownAccounts?: OwnAccountFinder };
  /** Disables a cloud account (keeping one of two identities); undefined where the bot may not. */
  accounts?: { disable(objectId: string): Promise<'disabled' | 'missing'> };
  /** Writes the partner marker attribute for mark; undefined without ONPREM_* or without a marker attribute. */
  partnerMarker?: PartnerMarkerWriter;
  /** partners: the AD side (PartnerAccounts) and the Entra side (GraphPartnerUsers); both or neither, with ONPREM_*. */
  partnerAccounts?: PartnerAccounts;
  partnerUsers?: PartnerUserReader;
  /** stale: every guest with sign-in activity, and their sponsors; undefined where no Graph reader is wired. */
  guestHygiene?: GuestHygieneReader;
  /** The doctor's Conditional Access, group and sign-in log reads (one `$batch`); undefined: those rows say they were not read. */
  doctorSignals?: DoctorPorts['signals'];
  /** Home realm discovery: a RealmService (see realmService below) in the app, an in-memory lookup in tests. */
  realm: RealmLookup;
  /** Downloads a CSV attached in Teams. */
  files: FileDownloads;
  log: Logger;
  /**
   * The one clock of durable work (bot/clock.ts): the services' deadlines and job run times, which the job queue and
   * runner compare with the same clock. The store must be opened with the same one. The system clock by default.
   */
  clock?: JobClock;
}

/** The settings services read, in the very shape the app's Config has them. */
export type ServiceSettings = Pick<Config, 'roles' | 'partners' | 'invitations' | 'access'> &
  Partial<Pick<Config, 'realm' | 'tenantId' | 'hygiene'>> & {
  /** Sandbox mode only: attached files may come from a loopback http server. */
  allowLoopbackFiles: boolean;
};

/**
 * The one place services are built. Each is built after what it uses, so none needs a late-bound reference: access
 * requests exist before revocation, which tells them when approval cards changed.
 */
export function buildServices(ports: ServicePorts, settings: ServiceSettings): Services {
  const { store, notifier, jobs, realm, guests, apps, log } = ports;
  const clock = ports.clock ?? systemClock;
  const { now } = clock;
  const adminGroupId = settings.roles.adminGroupId;
  const appAccess = new AppAccessService(apps, ports.shadowAccounts, ports.adGroups ? new AdGroupGrants({ store, ...ports.adGroups }) : undefined);
  // One secret for every signed download link (bulk results, partners and audit exports), random per process when none is configured.
  const linkSecret = settings.invitations.linkSecret ?? randomBytes(32).toString('hex');
  const accessRequests = new AccessRequestService({
    store,
    apps,
    appAccess,
    directory: guests,
    notifier,
    jobs,
    realm,
    settings: { ...settings.access, adminGroupId },
    messages: accessRequestMessages,
    lifeMessages: grantLifeMessages,
    sponsors: sponsorsFrom(ports.users),
    people: peopleFrom(ports.users),
    log: log.child({ component: 'access-requests' }),
    now,
  });
  const lookup = new LookupService(ports.users, realm, settings.partners, settings.realm ? { answerMs: settings.realm.answerMs } : {});
  return {
    clock,
    store,
    roles: new RoleResolver(ports.groups, settings.roles, settings.roles.cacheSeconds * 1000),
    notifier,
    realm,
    lookup,
    invitations: new InvitationService({
      store,
      directory: guests,
      notifier,
      jobs,
      settings: { ...settings.invitations, adminGroupId },
      messages: invitationMessages,
      realm,
      log: log.child({ component: 'invitations' }),
      now,
    }),
    bulkInvitations: new BulkInvitationService({
      store,
      directory: guests,
      notifier,
      jobs,
      files: ports.files,
      settings: {
        ...settings.invitations,
        ...settings.invitations.bulk,
        adminGroupId,
        linkSecret,
        allowLoopbackFiles: settings.allowLoopbackFiles,
      },
      messages: bulkMessages,
      log: log.child({ component: 'bulk-invitations' }),
      now,
    }),
    appAccess,
    accessRevocation: new AccessRevocationService({
      store,
      appAccess,
      apps,
      guests,
      notifier,
      messages: accessEndMessages,
      cardsChanged: (record) => accessRequests.updateApprovalCards(record),
      jobs,
      now,
    }),
    accessRequests,
    hybrid: new HybridService({
      lookup,
      realm,
      apps,
      invitations: guests,
      store,
      redirectUrl: settings.invitations.redirectUrl,
      ...(settings.tenantId ? { tenantId: settings.tenantId } : {}),
      ...(ports.accounts ? { accounts: ports.accounts } : {}),
      ...(ports.partnerAccounts && ports.partnerMarker ? { marking: markingPorts(ports.partnerAccounts, ports.partnerMarker, settings.partners) } : {}),
    }),
    doctor: new DoctorService({
      lookup,
      apps,
      grants: store.accessRequests,
      ...(ports.shadowAccounts ? { shadowAccounts: ports.shadowAccounts } : {}),
      ...(ports.doctorSignals ? { signals: ports.doctorSignals, signInWindowDays: SIGN_IN_WINDOW_DAYS } : {}),
      signInUrl: settings.tenantId ? tenantedSignInUrl(settings.tenantId) : settings.invitations.redirectUrl,
      now,
    }),
    auditTrail: new AuditTrailService({
      store,
      users: ports.users,
      apps,
      links: {
        linkSecret,
        linkLifetimeMs: settings.invitations.linkLifetimeMs,
        ...(settings.invitations.publicBaseUrl ? { publicBaseUrl: settings.invitations.publicBaseUrl } : {}),
        ...(settings.invitations.resultsOnOwnAddress ? { resultsOnOwnAddress: true } : {}),
      },
    }),
    ...(ports.guestHygiene
      ? {
          stale: new StaleService({
            reader: ports.guestHygiene,
            invitations: store.invitations,
            unredeemedDays: settings.hygiene?.unredeemedDays ?? 30,
            links: { ...settings.invitations, linkSecret },
            now,
          }),
        }
      : {}),
    ...(ports.partnerAccounts && ports.partnerUsers
      ? { partners: new PartnersService(new PartnerSyncService(ports.partnerAccounts, ports.partnerUsers, settings.partners), { ...settings.invitations, linkSecret }) }
      : {}),
  };
}

/** Forward to…'s people lookup: whois's one user read, asking for nothing beyond who they are. */
function peopleFrom(users: UserDirectory): PeopleDirectory {
  return {
    async find(query) {
      const found = await users.whois(query, { sponsors: false, lastSignIn: false, appAccess: { scope: 'none' } });
      return found.users.map((u) => ({
        id: u.id.toLowerCase(),
        displayName: u.displayName ?? u.userPrincipalName ?? u.id,
        ...(u.mail ? { mail: u.mail } : {}),
        ...(u.userPrincipalName ? { userPrincipalName: u.userPrincipalName } : {}),
      }));
    },
  };
}

/** The partner's sponsors from the same one-round-trip user read whois makes, asking for the sponsors only. */
function sponsorsFrom(users: UserDirectory): SponsorDirectory {
  const sponsorListOf = async (guestObjectId: string): Promise<SponsorList> => {
    const found = await users.whois({ kind: 'objectId', value: guestObjectId }, { sponsors: true, lastSignIn: false, appAccess: { scope: 'none' } });
    const sponsors = found.users[0]?.sponsors ?? [];
    return { users: sponsors.filter((s) => !s.isGroup).map((s) => s.id), groups: sponsors.filter((s) => s.isGroup).map((s) => s.id) };
  };
  return {
    async sponsorsOf(guestObjectId) {
      return (await sponsorListOf(guestObjectId)).users;
    },
    sponsorListOf,
  };
}

/** Home realm discovery over our own domains (Graph) and Entra's login endpoints, its problems logged for the operator. */
export function realmService(domains: OwnDomainReader, login: LoginEndpoints, settings: Config['realm'], log: Logger, clock?: Clock): RealmService {
  const realmLog = log.child({ component: 'realm' });
  return new RealmService(domains, login, {
    cacheMs: settings.cacheMs,
    answerMs: settings.answerMs,
    onProblem: (part, detail) => realmLog.warn({ part, detail }, 'home realm discovery incomplete'),
    ...(clock ? { clock } : {}),
  });
}

/** mark's on-prem side: the lookup by what was typed (its parse error is the answer) and the one-attribute writer. */
function markingPorts(accounts: PartnerAccounts, writer: PartnerMarkerWriter, rules: ServiceSettings['partners']) {
  return { accounts: { findByText: (text: string) => accounts.find(parsePartnerAccountRef(text)) }, writer, rules };
}
