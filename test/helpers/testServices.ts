import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConversationReference } from 'botbuilder';
import type { GroupMembershipReader } from '../../bot/identity/roles';
import { systemClock, type JobClock } from '../../bot/clock';
import { JobQueue, Jobs } from '../../bot/jobs';
import type { Notifier, OutgoingMessage, SentMessage } from '../../bot/notify/notifier';
import type { Services } from '../../bot/services';
import { openStore, type Store, type StoreOptions } from '../../bot/store';
import type { UserAppAccessFacts } from '../../bot/graph/userAppAccess';
import type { AddressOwner, DirectoryUser, UserLookup, UserQuery } from '../../bot/graph/users';
import type { UserDirectory } from '../../bot/services/lookup';
import type { RealmLookup, RealmVerdict } from '../../bot/services/realmVerdict';
import { InMemoryInvitationDirectory } from './inMemoryInvitations';
import { HttpFileDownloads } from '../../bot/adapters/teamsFileDownloads';
import { InMemoryAppDirectory } from './inMemoryApps';
import { createLogger } from '../../bot/logger';
import { buildServices, type ServiceSettings } from '../../bot/wiring';

/** Records proactive messages instead of sending them. */
export class InMemoryNotifier implements Notifier {
  readonly sent: { to: string; message: OutgoingMessage; activityId: string }[] = [];
  readonly updates: { activityId: string; message: OutgoingMessage }[] = [];
  private next = 1;

  async sendToUser(aadObjectId: string, message: OutgoingMessage): Promise<SentMessage | undefined> {
    return this.sendToConversation({ conversation: { id: `personal:${aadObjectId}` } as ConversationReference['conversation'] }, message);
  }

  async sendToConversation(reference: Partial<ConversationReference>, message: OutgoingMessage): Promise<SentMessage> {
    const activityId = `proactive-${this.next++}`;
    this.sent.push({ to: reference.conversation?.id ?? '', message, activityId });
    return { reference, activityId };
  }

  async update(sent: SentMessage, message: OutgoingMessage): Promise<SentMessage> {
    this.updates.push({ activityId: sent.activityId, message });
    return sent;
  }
}

export class InMemoryGroupMembership implements GroupMembershipReader {
  constructor(private readonly memberships: Record<string, string[]> = {}) {}
  async checkMemberGroups(userObjectId: string, groupIds: string[]): Promise<string[]> {
    return (this.memberships[userObjectId] ?? []).filter((g) => groupIds.includes(g));
  }
}

/** Realm verdicts by domain; any other domain is answered as a consumer or unknown domain. */
export class InMemoryRealmLookup implements RealmLookup {
  readonly asked: string[] = [];
  constructor(readonly verdicts: Record<string, Omit<RealmVerdict, 'domain'>> = {}) {}
  async resolve(emailOrDomain: string): Promise<RealmVerdict> {
    this.asked.push(emailOrDomain);
    const domain = emailOrDomain.slice(emailOrDomain.lastIndexOf('@') + 1).toLowerCase();
    const known = this.verdicts[domain];
    if (known) return { domain, ...known };
    return { domain, kind: 'consumerOrUnknown', sentence: `${domain} has no Microsoft Entra organization of its own.`, missing: [] };
  }
}

/** Users by id; lookups by email match UPN or mail, display names match from the start. No sign-in activity. */
export class InMemoryUserDirectory implements UserDirectory {
  constructor(readonly users: DirectoryUser[] = []) {}
  async whois(q: UserQuery): Promise<UserLookup> {
    const v = q.value.toLowerCase();
    const found = this.users.filter((u) => {
      if (q.kind === 'objectId') return u.id.toLowerCase() === v;
      if (q.kind === 'displayName') return (u.displayName ?? '').toLowerCase().startsWith(v);
      return (u.userPrincipalName ?? '').toLowerCase() === v || (u.mail ?? '').toLowerCase() === v;
    });
    return { users: found, signIn: new Map(), ...(found.length === 1 ? { appAccess: this.appAccess } : {}) };
  }
  /** What every user's on-prem app access reads as; tests set it to see the card's section. */
  appAccess: UserAppAccessFacts = { available: true, apps: [], more: false };
  async ownersOfAddress(address: string): Promise<AddressOwner[]> {
    return this.users
      .filter((u) => (u.mail ?? '').toLowerCase() === address.toLowerCase())
      .map((u) => ({ id: u.id, displayName: u.displayName, userPrincipalName: u.userPrincipalName, userType: u.userType, onPremisesSyncEnabled: u.onPremisesSyncEnabled }));
  }
}

export interface TestServices extends Services {
  /** The job queue, as the composition root holds it beside the services. */
  jobs: Jobs;
  notifier: InMemoryNotifier;
  realm: InMemoryRealmLookup;
  /** The Graph side of invitations, in memory. */
  invitationDirectory: InMemoryInvitationDirectory;
  /** The Graph side of app access, in memory. */
  appDirectory: InMemoryAppDirectory;
  dispose(): Promise<void>;
}

/** The settings the tests run with, in the app's own Config shape. */
export const testSettings: ServiceSettings = {
  roles: { adminGroupId: 'admins', managerGroupId: 'managers', cacheSeconds: 60 },
  partners: { markerAttribute: 'extensionAttribute1', markerValue: 'Partner', upnSuffixes: [] },
  invitations: {
    redirectUrl: 'https://myapps.microsoft.com',
    allowDomains: [],
    blockDomains: ['mailinator.com'],
    bulk: { perMinute: 600, approvalThreshold: 50, maxRows: 1000, progressIntervalMs: 1000 },
    publicBaseUrl: undefined,
    linkSecret: 'test-secret-test-secret-test-secret',
    linkLifetimeMs: 3600_000,
    fanoutCheckSeconds: 60,
  },
  access: { defaultDays: 30, maxDays: 90, requestTimeoutDays: 7, expiryNoticeDays: [7, 1], fanoutCheckSeconds: 60, approvalsConversationId: undefined },
  allowLoopbackFiles: false,
};

/**
 * Services over a fresh SQLite store in a temp dir, for command and action tests that need no Graph: the app's own
 * buildServices over in-memory ports, so the tests run the wiring production runs.
 */
export async function testServices(
  memberships: Record<string, string[]> = {},
  options: { clock?: JobClock; access?: Partial<ServiceSettings['access']>; store?: StoreOptions } = {},
): Promise<TestServices> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-services-'));
  const clock = options.clock ?? systemClock;
  // Another backend (a PostgreSQL database that several instances share), or SQLite in the temp dir.
  const store: Store = await openStore({ dataDir: dir, ...options.store, clock });
  const realm = new InMemoryRealmLookup();
  const notifier = new InMemoryNotifier();
  const invitationDirectory = new InMemoryInvitationDirectory();
  const appDirectory = new InMemoryAppDirectory();
  const jobs = new Jobs(new JobQueue(store.db, clock.now));
  const services = buildServices(
    {
      store,
      notifier,
      jobs,
      groups: new InMemoryGroupMembership(memberships),
      users: new InMemoryUserDirectory(),
      guests: invitationDirectory,
      apps: appDirectory,
      realm,
      files: new HttpFileDownloads(),
      log: createLogger('silent'),
      clock,
    },
    options.access ? { ...testSettings, access: { ...testSettings.access, ...options.access } } : testSettings,
  );
  return {
    ...services,
    jobs,
    notifier,
    realm,
    invitationDirectory,
    appDirectory,
    async dispose() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
