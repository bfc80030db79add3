import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Server } from 'restify';
import { actions } from './actions';
import { commands } from './commands';
import { describeProblems, type Config } from './config';
import { createGraphClient, createGraphCredential, GRAPH_SCOPE } from './graph/client';
import { GraphDirectory } from './graph/graphDirectory';
import { GraphDomains } from './graph/domains';
import { GraphDoctorSignals } from './graph/doctorSignals';
import { HttpLoginEndpoints } from './adapters/loginEndpoints';
import { GraphInvitations } from './graph/graphInvitations';
import { HttpFileDownloads } from './adapters/teamsFileDownloads';
import { registerAuditExportRoute } from './auditExportRoute';
import { registerBulkResultsRoute } from './bulkResultsRoute';
import { systemClock, TestClock } from './clock';
import { registerTestClockRoute } from './testClockRoute';
import { GraphUsers } from './graph/users';
import { GraphAppProxy } from './graph/appProxy';
import { AppProxyCache } from './graph/appProxyCache';
import { ShadowAccounts } from './onprem/shadowAccounts';
import { PartnerAccounts } from './onprem/partnerAccounts';
import { AdGroupMembership } from './onprem/adGroups';
import { resolveGroupMappings, SyncedOwnAccounts } from './services/access/adGroups';
import { GraphAccountState } from './graph/accountState';
import { PartnerMarkerWriter } from './onprem/partnerMarker';
import { GraphPartnerUsers } from './graph/partnerUsers';
import { registerPartnersExportRoute } from './partnersExportRoute';
import { registerStaleExportRoute } from './staleExportRoute';
import { GraphGuestHygiene } from './graph/guestHygiene';
import { JobQueue, JobRunner, Jobs } from './jobs';
import { jobHandlers } from './jobs/handlers';
import { scheduleHousekeeping } from './jobs/housekeeping.job';
import { BotConnectorNotifier } from './notify/notifier';
import type { Logger } from './logger';
import { ActionRouter } from './routing/actionRouter';
import { CommandRouter } from './routing/commandRouter';
import { failureCard } from './routing/replies';
import { createServer } from './server';
import { openStore } from './store';
import { TeamsBot } from './teamsBot';
import { Conversations } from '../dialogs/conversations';
import { buildServices, realmService } from './wiring';

import type { Services } from './services';

export interface RunningBot {
  url: string;
  port: number;
  services: Services;
  /** The durable job queue, which only the composition root and the job runner touch (and tests, to look at jobs). */
  jobs: Jobs;
  adapter: CloudAdapter;
  runner: JobRunner;
  close(): Promise<void>;
}

/**
 * The public Bot Framework cloud's endpoints (botframework-connector's AuthenticationConstants). botbuilder takes a custom
 * channel authority only as a full parameter set, so the rest is spelled out when one is configured.
 */
export const PUBLIC_BOT_FRAMEWORK = {
  ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: 'urn:botframework:azure',
} as const;

function botAuthentication(config: Config): ConfigurationBotFrameworkAuthentication {
  if (!config.bot) return new ConfigurationBotFrameworkAuthentication({});
  const { channelAuthority } = config.bot;
  return new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.appTenantId,
    ...(channelAuthority
      ? {
          ...PUBLIC_BOT_FRAMEWORK,
          ToBotFromChannelOpenIdMetadataUrl: channelAuthority.openIdMetadataUrl,
          ToBotFromChannelTokenIssuer: channelAuthority.tokenIssuer,
        }
      : {}),
  });
}

/**
 * ONPREM_APP_ROLE_GROUPS checked against Graph (the app and role exist, the app is Kerberos) and AD (each DN is a group),
 * the way a bad setting is: start-up stops with one message that names every bad entry and what is wrong with it. A
 * mapping that silently did nothing would grant access the app then refuses, or worse, a group nobody meant.
 */
async function adGroupPorts(config: Config, apps: GraphAppProxy, accounts: PartnerAccounts | undefined, users: GraphPartnerUsers | undefined) {
  if (!config.onprem || config.adGroups.length === 0) return undefined;
  const directory = new AdGroupMembership(config.onprem);
  const { resolved, problems } = await resolveGroupMappings(config.adGroups, await apps.listApps(), directory);
  if (problems.length > 0) throw new Error(describeProblems(problems));
  return { directory, mappings: resolved, ...(accounts && users ? { ownAccounts: new SyncedOwnAccounts(users, accounts) } : {}) };
}

/** The composition root: config → store → Graph → services → bot → server, listening on config.host:config.port. */
export async function startBot(config: Config, log: Logger): Promise<RunningBot> {
  const testClock = config.testClock ? new TestClock() : undefined;
  const clock = testClock ?? systemClock;
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, clock });
  const credential = createGraphCredential(config.graph);
  const graph = createGraphClient(config.graph, credential);
  const directory = new GraphDirectory(graph);
  const appCache = new AppProxyCache(config.appCache);
  const adapter = new CloudAdapter(botAuthentication(config));
  const notifier = new BotConnectorNotifier(adapter, config.bot?.appId ?? '', store.conversations, log.child({ component: 'notifier' }));
  if (config.onprem?.tlsInsecure) {
    log.warn(
      { component: 'onprem', url: config.onprem.url },
      'ONPREM_TLS_INSECURE=true: the on-prem DC certificate is NOT verified, so anyone on the path can read the service account password. Use only in tests; set ONPREM_CA_FILE instead.',
    );
  }
  const jobs = new Jobs(new JobQueue(store.db, clock.now));
  const proxyApps = new GraphAppProxy(graph, appCache);
  const partnerAccounts = config.onprem ? new PartnerAccounts(config.onprem, config.partners) : undefined;
  const partnerUsers = config.onprem ? new GraphPartnerUsers(graph) : undefined;
  const adGroups = await adGroupPorts(config, proxyApps, partnerAccounts, partnerUsers).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });
  if (adGroups) log.info({ component: 'onprem', mappings: adGroups.mappings.length }, 'ONPREM_APP_ROLE_GROUPS: every app, role and group was found');
  const services = buildServices(
    {
      store,
      notifier,
      jobs,
      groups: directory,
      users: new GraphUsers(graph, appCache.onPremListing),
      guests: new GraphInvitations(graph),
      apps: proxyApps,
      ...(adGroups ? { adGroups } : {}),
      shadowAccounts: config.onprem ? new ShadowAccounts(config.onprem) : undefined,
      accounts: new GraphAccountState(graph),
      partnerAccounts,
      partnerMarker: config.onprem && config.partners.markerAttribute ? new PartnerMarkerWriter(config.onprem, config.partners.markerAttribute) : undefined,
      partnerUsers,
      guestHygiene: new GraphGuestHygiene(graph),
      doctorSignals: new GraphDoctorSignals(graph, clock.now),
      realm: realmService(new GraphDomains(graph), new HttpLoginEndpoints({ loginBaseUrl: config.graph.loginBaseUrl }), config.realm, log),
      files: new HttpFileDownloads(),
      log,
      clock,
    },
    { ...config, allowLoopbackFiles: config.mode === 'sandbox' },
  );
  const runner = new JobRunner(jobs.queue, jobHandlers(services), log.child({ component: 'jobs' }), { ...config.jobs, clock });
  jobs.attach(runner);

  adapter.onTurnError = async (context, error) => {
    const incident = randomUUID();
    log.error({ err: error, incident, activityId: context.activity.id }, 'unhandled turn error');
    if (context.activity.type === 'message') {
      await context.sendActivity({ attachments: [failureCard(error, incident)] }).catch((sendError: unknown) => {
        log.error({ err: sendError, incident }, 'could not tell the user about the failure');
      });
    }
  };

  const bot = new TeamsBot({
    tenantId: config.tenantId,
    services,
    commandRouter: new CommandRouter(commands),
    actionRouter: new ActionRouter(actions, commands),
    log,
    turnBudget: { budgetMs: config.turnBudgetMs },
    conversations: new Conversations({ storage: store.storage, commandWords: commands.flatMap((c) => [c.name, ...c.aliases]), idleMinutes: config.dialogIdleMinutes }),
  });

  const server: Server = createServer({
    routes: [
      (s) => registerBulkResultsRoute(s, services.bulkInvitations, log.child({ component: 'bulk-results' })),
      (s) => registerAuditExportRoute(s, services.auditTrail, log.child({ component: 'audit-export' })),
      ...(services.stale ? [(s: Server) => registerStaleExportRoute(s, services.stale, log.child({ component: 'stale-export' }))] : []),
      ...(services.partners ? [(s: Server) => registerPartnersExportRoute(s, services.partners, log.child({ component: 'partners-export' }))] : []),
      ...(testClock ? [(s: Server) => registerTestClockRoute(s, testClock, runner, log.child({ component: 'test-clock' }))] : []),
    ],
    adapter,
    bot,
    log,
    readiness: [
      { name: 'store', check: () => store.ping() },
      {
        name: 'graph-token',
        check: async () => {
          await credential.getToken(GRAPH_SCOPE);
        },
      },
    ],
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  await scheduleHousekeeping(jobs);
  runner.start();
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;

  return {
    url: `http://${host}:${port}`,
    port,
    services,
    jobs,
    adapter,
    runner,
    async close() {
      await runner.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await bot.idle();
      await store.close();
    },
  };
}
