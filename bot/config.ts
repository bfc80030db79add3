import fs from 'node:fs';
import path from 'node:path';
import { domainToASCII } from 'node:url';
import { z } from 'zod';

/**
 * The only reader of process.env. Every setting is parsed once, here, and every problem is reported together so an
 * operator fixes a bad deployment in one pass instead of one restart per mistake.
 */

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const guid = z.guid({ message: 'must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47' });
const optionalGuid = optionalString.pipe(guid.optional());

const httpsUrl = z
  .url({ message: 'must be an absolute URL' })
  .refine((u) => u.startsWith('https://'), { message: 'must use https://' })
  .transform((u) => u.replace(/\/+$/, ''));

const positiveInt = (fallback: number) =>
  optionalString.transform((value, ctx) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n > 0) return n;
    ctx.addIssue({ code: 'custom', message: `must be a positive whole number, not "${value}"` });
    return z.NEVER;
  });

/** Days before a grant ends when its expiry notices go out: distinct whole numbers, at least 1, most first ("7,1"). */
const noticeDays = (fallback: readonly number[]) =>
  optionalString.transform((value, ctx) => {
    if (value === undefined) return [...fallback];
    const parts = value.split(',').map((p) => p.trim());
    const days = parts.map(Number);
    if (parts.some((p) => !/^\d+$/.test(p)) || days.some((d) => d < 1)) {
      ctx.addIssue({ code: 'custom', message: `must be whole numbers of days of at least 1, separated by commas (like "7,1"), not "${value}"` });
      return z.NEVER;
    }
    return [...new Set(days)].sort((a, b) => b - a);
  });

const wholeNumber = (fallback: number) =>
  optionalString.transform((value, ctx) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0) return n;
    ctx.addIssue({ code: 'custom', message: `must be a whole number (0 or more), not "${value}"` });
    return z.NEVER;
  });

/** A DNS name with at least two labels, in Unicode or punycode (node:url rejects what a resolver would). */
function isDomainName(value: string): boolean {
  const ascii = domainToASCII(value);
  return ascii !== '' && ascii.includes('.') && /^[a-z0-9.-]+$/.test(ascii) && !ascii.split('.').some((label) => label === '' || label.startsWith('-') || label.endsWith('-'));
}

const EXTENSION_ATTRIBUTES = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

/** A comma-separated list of domains (`*.` prefixes allowed), stored lower-case in ASCII (punycode) form. */
const domainList = optionalString.transform((value, ctx) => {
  const domains: string[] = [];
  for (const part of (value ?? '').split(',').map((p) => p.trim().replace(/^\*\./, '').toLowerCase()).filter((p) => p.length > 0)) {
    if (!isDomainName(part)) {
      ctx.addIssue({ code: 'custom', message: `"${part}" is not a domain name; give domains such as fabrikam.com, separated by commas` });
      continue;
    }
    domains.push(domainToASCII(part));
  }
  return domains;
});

const RawEnv = z.object({
  PORT: positiveInt(3978),
  HOST: optionalString,
  LOG_LEVEL: optionalString.pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  DATA_DIR: optionalString,
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
  ),

  MicrosoftAppId: optionalGuid,
  MicrosoftAppPassword: optionalString,
  MicrosoftAppType: optionalString.pipe(
    z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(['multitenant', 'singletenant', 'userassignedmsi'], { message: 'must be MultiTenant, SingleTenant or UserAssignedMsi' }))
      .optional(),
  ),
  MicrosoftAppTenantId: optionalGuid,
  ToBotFromChannelOpenIdMetadataUrl: optionalString.pipe(httpsUrl.optional()),
  ToBotFromChannelTokenIssuer: optionalString,

  AZURE_TENANT_ID: optionalGuid,
  AZURE_CLIENT_ID: optionalGuid,
  AZURE_CLIENT_SECRET: optionalString,
  AZURE_CLIENT_CERTIFICATE_PATH: optionalString,
  AZURE_CLIENT_CERTIFICATE_PASSWORD: optionalString,

  TENANT_ID: optionalGuid,
  ADMIN_GROUP_ID: optionalGuid,
  MANAGER_GROUP_ID: optionalGuid,
  ROLE_CACHE_SECONDS: positiveInt(60),
  JOB_POLL_MS: positiveInt(2000),
  APP_CACHE_SECONDS: wholeNumber(600),
  APP_CACHE_MAX_APPS: positiveInt(5000),
  JOB_LEASE_SECONDS: positiveInt(120),
  TURN_BUDGET_MS: positiveInt(2000),
  TEST_JOB_CLOCK: optionalString.pipe(z.enum(['on', 'off'], { message: 'must be on or off' }).optional()),
  DIALOG_IDLE_MINUTES: positiveInt(30),

  GRAPH_BASE_URL: optionalString.pipe(httpsUrl.optional()),
  LOGIN_BASE_URL: optionalString.pipe(httpsUrl.optional()),
  SANDBOX_FIXTURE: optionalString,
  PLAYGROUND: optionalString.pipe(z.enum(['on', 'off'], { message: 'must be on or off' }).optional()),

  PARTNER_MARKER_ATTRIBUTE: optionalString.pipe(
    z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(['none', ...EXTENSION_ATTRIBUTES.map((a) => a.toLowerCase())], { message: 'must be extensionAttribute1 … extensionAttribute15, or none' }))
      .optional(),
  ),
  PARTNER_MARKER_VALUE: optionalString,
  PARTNER_UPN_SUFFIXES: optionalString.transform((value, ctx) => {
    const suffixes = (value ?? '').split(',').map((s) => s.trim().replace(/^@/, '').toLowerCase()).filter((s) => s.length > 0);
    for (const suffix of suffixes) {
      if (!isDomainName(suffix)) {
        ctx.addIssue({ code: 'custom', message: `"${suffix}" is not a domain name; give UPN suffixes such as partners.contoso.com, separated by commas` });
      }
    }
    return suffixes;
  }),
  REALM_CACHE_SECONDS: positiveInt(3600),
  REALM_ANSWER_MS: positiveInt(2000),

  INVITE_REDIRECT_URL: optionalString.pipe(httpsUrl.optional()),
  PARTNER_DOMAINS_ALLOW: domainList,
  PARTNER_DOMAINS_BLOCK: domainList,
  BULK_INVITES_PER_MINUTE: positiveInt(6),
  BULK_APPROVAL_THRESHOLD: positiveInt(50),
  BULK_MAX_ROWS: positiveInt(1000),
  BULK_PROGRESS_UPDATE_MS: positiveInt(2000),
  PUBLIC_BASE_URL: optionalString.pipe(
    z
      .url({ message: 'must be an absolute URL' })
      .refine((u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(u), { message: 'must use https:// (http only for 127.0.0.1 or localhost)' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
  ),
  DOWNLOAD_LINK_SECRET: optionalString.pipe(z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
  DOWNLOAD_LINK_HOURS: positiveInt(24),
  INVITE_UNREDEEMED_DAYS: positiveInt(30).refine((n) => n <= 3650, { message: 'must be at most 3650 days' }),

  ONPREM_LDAP_URL: optionalString.pipe(
    z
      .string()
      .regex(/^ldaps:\/\/[^/\s]+\/?$/i, { message: 'must be an ldaps://host[:port] URL: AD only accepts password writes over an encrypted connection' })
      .optional(),
  ),
  ONPREM_BIND_DN: optionalString,
  ONPREM_BIND_PASSWORD: optionalString,
  ONPREM_GUEST_OU: optionalString.pipe(
    z
      .string()
      .regex(/^OU=.+,DC=[^,]+(,DC=[^,]+)*$/i, { message: 'must be the DN of an OU, e.g. OU=B2BGuests,DC=corp,DC=contoso,DC=com' })
      .optional(),
  ),
  ONPREM_CA_FILE: optionalString,
  ONPREM_TLS_SERVERNAME: optionalString,
  ONPREM_TLS_INSECURE: optionalString.pipe(z.enum(['true', 'false'], { message: 'must be true or false' }).optional()),
  ONPREM_LINK_ATTRIBUTE: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, { message: 'must be an LDAP attribute name such as msDS-cloudExtensionAttribute1' })
      .optional(),
  ),
  ONPREM_TIMEOUT_MS: positiveInt(10000),
  ONPREM_APP_ROLE_GROUPS: optionalString,
  ONPREM_PARTNER_SEARCH_BASE: optionalString.pipe(
    z
      .string()
      .regex(/^([^=,]+=[^,]*,)*DC=[^,]+(,DC=[^,]+)*$/i, { message: 'must be a DN in the domain, e.g. OU=Partners,DC=corp,DC=contoso,DC=com (default: the domain root)' })
      .optional(),
  ),

  ACCESS_DEFAULT_DAYS: positiveInt(30),
  ACCESS_MAX_DAYS: positiveInt(90),
  ACCESS_REQUEST_TIMEOUT_DAYS: positiveInt(7),
  APPROVAL_FANOUT_CHECK_SECONDS: positiveInt(60),
  ACCESS_EXPIRY_NOTICE_DAYS: noticeDays([7, 1]),
  APPROVALS_CONVERSATION_ID: optionalString,
  ACCESS_REMINDER_HOURS: wholeNumber(24),
  ACCESS_ESCALATE_HOURS: wholeNumber(72),
});

export type GraphCredentialConfig =
  | { kind: 'secret'; tenantId: string; clientId: string; clientSecret: string }
  | { kind: 'certificate'; tenantId: string; clientId: string; certificatePath: string; certificatePassword?: string }
  | { kind: 'managedIdentity'; clientId?: string };

/**
 * The settings, as the environment schema transforms them: the type is the schema's output, so a field that cannot be
 * proved present is optional here too, never an empty-string stand-in.
 */
export type Config = z.output<ReturnType<typeof configSchema>>;
export type BotIdentityConfig = NonNullable<Config['bot']>;
export type AccessConfig = Config['access'];
export type PartnerMarkerConfig = Config['partners'];

/** Which part of the partner rule marked an account: the marker attribute's value, or a UPN suffix. */
export type PartnerRuleMatch = { attribute: string; value: string } | { upnSuffix: string };

/**
 * The partner rule (PARTNER_MARKER_ATTRIBUTE / VALUE, PARTNER_UPN_SUFFIXES), applied to either side of a synced account: Entra's
 * onPremisesExtensionAttributes or the AD attribute of the same name, and its UPNs. It lives beside its settings so that whois
 * (services) and the AD partner scan (onprem) apply one rule and can never disagree about who is a partner.
 */
export function matchPartnerRule(
  account: { markerValueOf(attribute: string): string | undefined; userPrincipalNames: readonly (string | undefined)[] },
  rules: PartnerMarkerConfig,
): PartnerRuleMatch | undefined {
  if (rules.markerAttribute) {
    const value = account.markerValueOf(rules.markerAttribute);
    if (value !== undefined && value.trim().toLowerCase() === rules.markerValue.trim().toLowerCase()) return { attribute: rules.markerAttribute, value };
  }
  for (const upn of account.userPrincipalNames) {
    const at = upn?.lastIndexOf('@') ?? -1;
    const domain = upn && at >= 0 ? upn.slice(at + 1).toLowerCase() : undefined;
    const suffix = domain ? rules.upnSuffixes.find((s) => domain === s || domain.endsWith(`.${s}`)) : undefined;
    if (suffix) return { upnSuffix: suffix };
  }
  return undefined;
}
/** On-prem AD for KCD shadow accounts (bot/onprem/shadowAccounts.ts reads it from here). */
export type OnPremSettings = NonNullable<Config['onprem']>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Client credentials the sandbox's token endpoint accepts; they unlock nothing outside the loopback emulator. */
export const SANDBOX_CREDENTIALS = { clientId: '2b1ad4c3-8f5e-4c6a-9d7b-0e3f1a2b5c8d', clientSecret: 'sandbox-secret' } as const;

const MICROSOFT_GRAPH = 'https://graph.microsoft.com';
const MICROSOFT_LOGIN = 'https://login.microsoftonline.com';

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/** What a turn keeps of its budget for the role lookup before a command and for sending the card after it. */
const TURN_SEND_MARGIN_MS = 500;
const REALM_LEAST_ANSWER_MS = 500;

/** A problem that spans several settings: its message already names them, so it is reported as it is. */
const WHOLE = { whole: true } as const;

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) =>
    issue.code === 'custom' && issue.params?.['whole'] === true ? issue.message : `${issue.path.join('.') || 'environment'}: ${issue.message}`,
  );
}

type Env = z.infer<typeof RawEnv>;

/**
 * The environment schema, transformed into the Config the bot runs with. Rules that span settings add their problem
 * and the transform goes on, so that one message lists every problem; only then is nothing returned.
 */
function configSchema(cwd: string) {
  return RawEnv.transform((e, ctx) => {
    const problems: string[] = [];
    const config = toConfig(e, cwd, problems);
    for (const message of problems) ctx.addIssue({ code: 'custom', message, params: WHOLE });
    return config ?? z.NEVER;
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ConfigResult {
  const parsed = configSchema(cwd).safeParse(env);
  return parsed.success ? { ok: true, config: parsed.data } : { ok: false, problems: formatIssues(parsed.error) };
}

function botIdentity(e: Env, problems: string[]) {
  if (!e.MicrosoftAppId) return undefined;
  const appType = ({ multitenant: 'MultiTenant', singletenant: 'SingleTenant', userassignedmsi: 'UserAssignedMsi' } as const)[e.MicrosoftAppType ?? 'singletenant'];
  if (appType !== 'MultiTenant' && !e.MicrosoftAppTenantId) {
    problems.push(`MicrosoftAppTenantId: required when MicrosoftAppType is ${appType}.`);
  }
  if (appType !== 'UserAssignedMsi' && !e.MicrosoftAppPassword) {
    problems.push('MicrosoftAppPassword: required for the bot to authenticate to the Bot Connector (except UserAssignedMsi).');
  }
  if (Boolean(e.ToBotFromChannelOpenIdMetadataUrl) !== Boolean(e.ToBotFromChannelTokenIssuer)) {
    problems.push('ToBotFromChannelOpenIdMetadataUrl and ToBotFromChannelTokenIssuer: set both or neither.');
  }
  return {
    appId: e.MicrosoftAppId,
    appType,
    appPassword: e.MicrosoftAppPassword,
    appTenantId: e.MicrosoftAppTenantId,
    /** Who signs the Bot Connector's tokens to us; only set for a non-public Bot Framework cloud. */
    channelAuthority:
      e.ToBotFromChannelOpenIdMetadataUrl && e.ToBotFromChannelTokenIssuer
        ? { openIdMetadataUrl: e.ToBotFromChannelOpenIdMetadataUrl, tokenIssuer: e.ToBotFromChannelTokenIssuer }
        : undefined,
  };
}

/** Undefined when a problem was found (and pushed; a missing tenant id is pushed by the caller): then there is no config. */
function graphCredential(e: Env, cwd: string, sandbox: boolean, tenantId: string | undefined, problems: string[]): GraphCredentialConfig | undefined {
  if (sandbox) return tenantId ? { kind: 'secret', tenantId, ...SANDBOX_CREDENTIALS } : undefined;
  if (!e.AZURE_CLIENT_SECRET && !e.AZURE_CLIENT_CERTIFICATE_PATH) return { kind: 'managedIdentity', clientId: e.AZURE_CLIENT_ID };
  if (!e.AZURE_CLIENT_ID) {
    problems.push('AZURE_CLIENT_ID: required with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH.');
    return undefined;
  }
  const graphTenant = e.AZURE_TENANT_ID ?? tenantId;
  if (!graphTenant) return undefined;
  if (e.AZURE_CLIENT_SECRET) return { kind: 'secret', tenantId: graphTenant, clientId: e.AZURE_CLIENT_ID, clientSecret: e.AZURE_CLIENT_SECRET };
  if (!e.AZURE_CLIENT_CERTIFICATE_PATH) return undefined;
  return {
    kind: 'certificate',
    tenantId: graphTenant,
    clientId: e.AZURE_CLIENT_ID,
    certificatePath: path.resolve(cwd, e.AZURE_CLIENT_CERTIFICATE_PATH),
    certificatePassword: e.AZURE_CLIENT_CERTIFICATE_PASSWORD,
  };
}

function toConfig(e: Env, cwd: string, problems: string[]) {
  const sandbox = !e.MicrosoftAppId && !e.AZURE_CLIENT_ID;

  const graphBaseUrl = e.GRAPH_BASE_URL ?? (sandbox ? undefined : MICROSOFT_GRAPH);
  const loginBaseUrl = e.LOGIN_BASE_URL ?? (sandbox ? undefined : MICROSOFT_LOGIN);
  const tenantId = e.TENANT_ID ?? e.AZURE_TENANT_ID ?? e.MicrosoftAppTenantId;

  if (!sandbox && !e.MicrosoftAppId) {
    problems.push(
      'MicrosoftAppId: Graph credentials (AZURE_CLIENT_ID) are set but MicrosoftAppId is not. Without it the bot endpoint would ' +
        'accept unauthenticated requests, so the bot refuses to start. Set MicrosoftAppId (and its password or certificate), ' +
        'or remove AZURE_CLIENT_ID to run in sandbox mode.',
    );
  }
  if (sandbox) {
    if (!graphBaseUrl || !loginBaseUrl) {
      problems.push(
        'GRAPH_BASE_URL and LOGIN_BASE_URL: sandbox mode (no MicrosoftAppId and no AZURE_CLIENT_ID) needs the emulated cloud. ' +
          'Start with `npm start`, which launches it, or point both at a running sandbox.',
      );
    } else if (!isLoopback(graphBaseUrl) || !isLoopback(loginBaseUrl)) {
      problems.push(
        'GRAPH_BASE_URL and LOGIN_BASE_URL: sandbox mode only talks to a sandbox on this machine (127.0.0.1 or localhost). ' +
          'To use a real tenant, set MicrosoftAppId and the AZURE_* Graph credentials.',
      );
    }
  }
  if (!tenantId) problems.push('TENANT_ID: the Entra tenant id of your organization is required (or AZURE_TENANT_ID).');
  if (!e.ADMIN_GROUP_ID) problems.push('ADMIN_GROUP_ID: the object id of the Entra group whose members are bot admins is required.');
  if (!e.MANAGER_GROUP_ID) problems.push('MANAGER_GROUP_ID: the object id of the Entra group of partner managers is required.');

  const bot = botIdentity(e, problems);
  const testClock = e.TEST_JOB_CLOCK === 'on';
  const credentialNames = (['MicrosoftAppId', 'MicrosoftAppPassword', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_CLIENT_CERTIFICATE_PATH'] as const).filter(
    (name) => e[name] !== undefined,
  );
  if (testClock && (!sandbox || credentialNames.length > 0)) {
    problems.push(
      `TEST_JOB_CLOCK: only for tests in sandbox mode; it lets any local caller move the bot's clock, so it is refused with credentials configured (${credentialNames.join(', ') || 'production mode'}). Remove it.`,
    );
  }
  const credential = graphCredential(e, cwd, sandbox, tenantId, problems);
  const onprem = onPremSettings(e, cwd, problems, sandbox);
  const adGroups = appRoleGroups(e.ONPREM_APP_ROLE_GROUPS, onprem !== undefined && onprem !== INVALID, problems);
  if (!sandbox && e.PUBLIC_BASE_URL && !e.DOWNLOAD_LINK_SECRET) {
    problems.push(
      'DOWNLOAD_LINK_SECRET: required with PUBLIC_BASE_URL outside sandbox mode (32+ random characters, the same on every instance); without it a bulk results link stops working at the next restart.',
    );
  }
  if (e.ACCESS_DEFAULT_DAYS > e.ACCESS_MAX_DAYS) {
    problems.push(`ACCESS_DEFAULT_DAYS: ${e.ACCESS_DEFAULT_DAYS} is more than ACCESS_MAX_DAYS (${e.ACCESS_MAX_DAYS}); the default grant must be allowed.`);
  }

  if (problems.length > 0 || !tenantId || !e.ADMIN_GROUP_ID || !e.MANAGER_GROUP_ID || !credential || onprem === INVALID) return undefined;

  const login = loginBaseUrl ?? MICROSOFT_LOGIN;
  return {
    mode: sandbox ? ('sandbox' as const) : ('production' as const),
    port: e.PORT,
    /** Sandbox mode accepts unauthenticated activities, so it listens on loopback only. */
    host: e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0'),
    logLevel: e.LOG_LEVEL ?? 'info',
    dataDir: path.resolve(cwd, e.DATA_DIR ?? 'data'),
    databaseUrl: e.DATABASE_URL,
    /** Absent in sandbox mode: CloudAdapter then runs without inbound authentication, on loopback. */
    bot,
    graph: {
      baseUrl: graphBaseUrl ?? MICROSOFT_GRAPH,
      loginBaseUrl: login,
      /** True when the login host is not Microsoft's, so @azure/identity must not validate it against Microsoft's list. */
      customAuthority: login !== MICROSOFT_LOGIN,
      credential,
    },
    tenantId,
    roles: { adminGroupId: e.ADMIN_GROUP_ID, managerGroupId: e.MANAGER_GROUP_ID, cacheSeconds: e.ROLE_CACHE_SECONDS },
    jobs: { pollMs: e.JOB_POLL_MS, leaseMs: e.JOB_LEASE_SECONDS * 1000 },
    /** A turn answers within this time, with its result or a "working…" card that the result replaces. */
    turnBudgetMs: e.TURN_BUDGET_MS,
    /**
     * Sandbox tests only: the jobs read a clock that POST /test/clock moves forward (bot/testClockRoute.ts). Config refuses it
     * with any Bot Framework or Azure credential set, so a production bot can never have it.
     */
    testClock: sandbox && credentialNames.length === 0 && testClock,
    /** A conversation (dialogs/) left unanswered this long is dropped; the next message says what was dropped. */
    dialogIdleMinutes: e.DIALOG_IDLE_MINUTES,
    /** App Proxy settings and the on-prem app listing are reused this long; request, approve and revoke read afresh. */
    appCache: { ttlMs: e.APP_CACHE_SECONDS * 1000, maxApps: e.APP_CACHE_MAX_APPS },
    invitations: {
      /** Where a guest lands after redeeming; the invite card may override it. */
      redirectUrl: e.INVITE_REDIRECT_URL ?? `https://myapps.microsoft.com/?tenantid=${tenantId}`,
      /** When non-empty, only these domains (and their subdomains) may be invited. Lower-case ASCII. */
      allowDomains: e.PARTNER_DOMAINS_ALLOW,
      /** Never invited; checked before any Graph call. Lower-case ASCII. */
      blockDomains: e.PARTNER_DOMAINS_BLOCK,
      /** A pending invitation whose approval cards had not gone out this long after the confirm gets them from a job. */
      fanoutCheckSeconds: e.APPROVAL_FANOUT_CHECK_SECONDS,
      bulk: {
        perMinute: e.BULK_INVITES_PER_MINUTE,
        approvalThreshold: e.BULK_APPROVAL_THRESHOLD,
        maxRows: e.BULK_MAX_ROWS,
        /** Never below 1000 ms: Teams allows a bot about 60 messages or updates per 30 s in one conversation. */
        progressIntervalMs: Math.max(1000, e.BULK_PROGRESS_UPDATE_MS),
      },
      /**
       * Where the bot is reachable from browsers, for signed results links. Undefined means no download link, except in
       * sandbox mode, where the bot links to its own loopback address once it listens (`resultsOnOwnAddress`).
       */
      publicBaseUrl: e.PUBLIC_BASE_URL,
      ...(sandbox && !e.PUBLIC_BASE_URL ? { resultsOnOwnAddress: true } : {}),
      /** Signs download links; several instances must share it. Random per process when unset. */
      linkSecret: e.DOWNLOAD_LINK_SECRET,
      linkLifetimeMs: e.DOWNLOAD_LINK_HOURS * 3600_000,
    },
    /** `stale`: an invitation still PendingAcceptance this many days after it went out is reported. */
    hygiene: { unredeemedDays: e.INVITE_UNREDEEMED_DAYS },
    /** How locally managed partner accounts synced from on-prem AD are told apart from employees. */
    partners: {
      /** The onPremisesExtensionAttributes entry that marks a partner (extensionAttribute1 by default), or undefined for none. */
      markerAttribute:
        e.PARTNER_MARKER_ATTRIBUTE === 'none' ? undefined : EXTENSION_ATTRIBUTES.find((a) => a.toLowerCase() === (e.PARTNER_MARKER_ATTRIBUTE ?? 'extensionattribute1')),
      /** The value that marks a partner, compared case-insensitively ("Partner" by default). */
      markerValue: e.PARTNER_MARKER_VALUE ?? 'Partner',
      /** UPN suffixes (lower-case, without @) that mark a partner, e.g. partners.contoso.com. */
      upnSuffixes: e.PARTNER_UPN_SUFFIXES,
    },
    /**
     * Home realm answers: cached per domain, and given within answerMs with whatever is known by then. Never later than
     * the turn budget allows, less the time to send the card, so that the realm card itself is the turn's first answer.
     */
    realm: { cacheMs: e.REALM_CACHE_SECONDS * 1000, answerMs: Math.min(e.REALM_ANSWER_MS, Math.max(REALM_LEAST_ANSWER_MS, e.TURN_BUDGET_MS - TURN_SEND_MARGIN_MS)) },
    /** On-prem AD for KCD shadow accounts; undefined when not configured (Kerberos apps are then refused, SAML still works). */
    onprem,
    /**
     * The AD groups an app role maps to (ONPREM_APP_ROLE_GROUPS): a Kerberos grant of that role puts the partner's AD account
     * in them. Checked against Graph and the directory at start-up (bot/services/access/adGroupMappings.ts).
     */
    adGroups,
    /** App access requests: how long a grant lasts, how long a request waits for a decision, and the optional approvals channel. */
    access: {
      /** Days a grant lasts when the requester does not say. */
      defaultDays: e.ACCESS_DEFAULT_DAYS,
      /** The longest grant anyone may ask for. */
      maxDays: e.ACCESS_MAX_DAYS,
      /** An undecided request times out after this many days. */
      requestTimeoutDays: e.ACCESS_REQUEST_TIMEOUT_DAYS,
      /** Days before a grant ends when the requester and the partner's sponsors get a notice with Extend and Let it end. */
      expiryNoticeDays: e.ACCESS_EXPIRY_NOTICE_DAYS,
      /** A pending request whose approval cards had not gone out this long after it was stored gets them from a job. */
      fanoutCheckSeconds: e.APPROVAL_FANOUT_CHECK_SECONDS,
      /** A Teams channel or group chat (19:…) that also gets every approval card; the bot must be installed there. */
      approvalsConversationId: e.APPROVALS_CONVERSATION_ID,
      /** Approvers who have not answered are reminded this many hours after a request, and again each as many; 0 turns it off. */
      ...(e.ACCESS_REMINDER_HOURS > 0 ? { reminderHours: e.ACCESS_REMINDER_HOURS } : {}),
      /** A request nobody decided this many hours after it was made gets the admins as approvers too; 0 turns it off. */
      ...(e.ACCESS_ESCALATE_HOURS > 0 ? { escalateHours: e.ACCESS_ESCALATE_HOURS } : {}),
    },
  };
}

/** The on-prem settings were given but are wrong: a problem was pushed. */
const INVALID = Symbol('invalid on-prem settings');

/**
 * All four connection settings or none; a CA file that exists; never ONPREM_TLS_INSECURE with a CA file, nor outside sandbox
 * mode: with real credentials the bind password must not travel over an unverified connection.
 */
function onPremSettings(e: Env, cwd: string, problems: string[], sandbox: boolean) {
  const { ONPREM_LDAP_URL: url, ONPREM_BIND_DN: bindDn, ONPREM_BIND_PASSWORD: bindPassword, ONPREM_GUEST_OU: guestOu } = e;
  const required = { ONPREM_LDAP_URL: url, ONPREM_BIND_DN: bindDn, ONPREM_BIND_PASSWORD: bindPassword, ONPREM_GUEST_OU: guestOu };
  const missing = Object.entries(required).filter(([, v]) => !v).map(([k]) => k);
  const optionalSet = [e.ONPREM_CA_FILE, e.ONPREM_TLS_SERVERNAME, e.ONPREM_TLS_INSECURE].some((v) => v !== undefined);
  if (missing.length === 4) {
    if (e.ONPREM_PARTNER_SEARCH_BASE) {
      problems.push('ONPREM_PARTNER_SEARCH_BASE: set only with ONPREM_LDAP_URL, ONPREM_BIND_DN, ONPREM_BIND_PASSWORD and ONPREM_GUEST_OU (partners reads over that connection).');
      return INVALID;
    }
    if (optionalSet) {
      problems.push('ONPREM_CA_FILE / ONPREM_TLS_*: set only with ONPREM_LDAP_URL, ONPREM_BIND_DN, ONPREM_BIND_PASSWORD and ONPREM_GUEST_OU.');
      return INVALID;
    }
    return undefined;
  }
  if (!url || !bindDn || !bindPassword || !guestOu) {
    problems.push(`${missing.join(', ')}: required with the other ONPREM_* settings (the on-prem directory for Kerberos app shadow accounts). Set all four, or none.`);
    return INVALID;
  }
  const caFile = e.ONPREM_CA_FILE ? path.resolve(cwd, e.ONPREM_CA_FILE) : undefined;
  if (caFile && !fs.existsSync(caFile)) problems.push(`ONPREM_CA_FILE: ${caFile} does not exist.`);
  const insecure = e.ONPREM_TLS_INSECURE === 'true';
  if (insecure && caFile) problems.push('ONPREM_TLS_INSECURE: remove it when ONPREM_CA_FILE is set; the CA file is the safe way to trust the DC.');
  if (insecure && !sandbox) {
    problems.push(
      "ONPREM_TLS_INSECURE: only for tests in sandbox mode. With real credentials, trust the DC's certificate with ONPREM_CA_FILE (and ONPREM_TLS_SERVERNAME when it names another host).",
    );
  }
  return {
    url,
    bindDn,
    bindPassword,
    /** The OU shadow accounts are created in; excluded from Entra Connect sync. */
    guestOu,
    caFile,
    /** The name the DC's certificate carries when it differs from the URL's host (Samba's: DC1.<realm>, no SAN). */
    tlsServername: e.ONPREM_TLS_SERVERNAME,
    /** Tests only: accept any certificate. Logged loudly at start-up. */
    tlsInsecure: insecure,
    /** The attribute that links a shadow account to its guest's Entra object id. */
    linkAttribute: e.ONPREM_LINK_ATTRIBUTE ?? 'msDS-cloudExtensionAttribute1',
    timeoutMs: e.ONPREM_TIMEOUT_MS,
    /** Where `partners` looks for locally managed partner accounts; the domain root when unset. */
    ...(e.ONPREM_PARTNER_SEARCH_BASE ? { partnerSearchBase: e.ONPREM_PARTNER_SEARCH_BASE } : {}),
  };
}

/** Most groups one app role may name, and most entries: a mapping is typed by a person and read on every Kerberos grant. */
const MAX_GROUPS_PER_ROLE = 20;
const MAX_GROUP_MAPPINGS = 200;

/**
 * One entry of ONPREM_APP_ROLE_GROUPS: the app by its appId, service principal id or display name; the role by its value,
 * id or display name (absent: every role of the app, including the default one); the group DNs.
 */
export const AppRoleGroupsSchema = z
  .array(
    z
      .object({
        app: z.string().trim().min(1, { message: 'app must name the app (appId, service principal id or display name)' }),
        role: z.string().trim().min(1, { message: 'role, when given, must name a role (value, id or display name)' }).optional(),
        groups: z
          .array(z.string().trim().regex(/^[^=,]+=.+,DC=[^,]+$/i, { message: 'each group must be a DN ending in the domain, e.g. CN=App Users,OU=Groups,DC=corp,DC=contoso,DC=com' }))
          .min(1, { message: 'groups must name at least one group DN' })
          .max(MAX_GROUPS_PER_ROLE, { message: `groups may name at most ${MAX_GROUPS_PER_ROLE} DNs` }),
      })
      .strict(),
  )
  .max(MAX_GROUP_MAPPINGS, { message: `at most ${MAX_GROUP_MAPPINGS} entries` });
export type AppRoleGroupMapping = z.output<typeof AppRoleGroupsSchema>[number];

/** A readable name for one entry in a start-up message: which app and role it is about. */
export function describeMapping(m: Pick<AppRoleGroupMapping, 'app' | 'role'>, index: number): string {
  return `ONPREM_APP_ROLE_GROUPS[${index}] (app "${m.app}"${m.role ? `, role "${m.role}"` : ''})`;
}

/**
 * ONPREM_APP_ROLE_GROUPS: JSON, a list of {app, role?, groups}. Needs the on-prem directory; two entries for the same app and
 * role would leave which groups apply to chance, so that is a problem too. Whether each app, role and group exists is
 * checked against Graph and AD when the bot starts.
 */
function appRoleGroups(raw: string | undefined, onpremConfigured: boolean, problems: string[]): AppRoleGroupMapping[] {
  if (raw === undefined) return [];
  if (!onpremConfigured) {
    problems.push('ONPREM_APP_ROLE_GROUPS: set only with ONPREM_LDAP_URL, ONPREM_BIND_DN, ONPREM_BIND_PASSWORD and ONPREM_GUEST_OU (the groups are written over that connection).');
    return [];
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    problems.push(`ONPREM_APP_ROLE_GROUPS: is not JSON (${error instanceof Error ? error.message : String(error)}). Write a list like [{"app":"Timesheets","role":"Approver","groups":["CN=Timesheet Approvers,OU=Groups,DC=corp,DC=contoso,DC=com"]}].`);
    return [];
  }
  const parsed = AppRoleGroupsSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const where = issue.path.length > 0 ? `[${issue.path.join('][')}]` : '';
      problems.push(`ONPREM_APP_ROLE_GROUPS${where}: ${issue.message}`);
    }
    return [];
  }
  const seen = new Map<string, number>();
  parsed.data.forEach((m, i) => {
    const key = `${m.app.toLowerCase()}\u0000${(m.role ?? '').toLowerCase()}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) problems.push(`${describeMapping(m, i)}: the same app and role as entry ${earlier}; put all its groups in one entry.`);
    else seen.set(key, i);
  });
  return parsed.data;
}

/** One message that lists every problem, for the operator who has to fix the deployment. */
export function describeProblems(problems: string[]): string {
  return ['Partner Access Bot cannot start. Fix these settings (see .env.example):', ...problems.map((p) => `  - ${p}`)].join('\n');
}

export interface LauncherSettings {
  mode: 'sandbox' | 'production';
  port: number;
  dataDir: string;
  databaseUrl?: string;
  fixturePath?: string;
  playground: boolean;
  adminGroupId?: string;
  managerGroupId?: string;
}

/**
 * What `npm start` needs before the bot's own configuration can be complete: the mode, and in sandbox mode where the
 * emulated cloud's fixture and data live. The launcher then fills in the sandbox URLs and tenant for the bot process.
 */
export function loadLauncherSettings(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LauncherSettings | { problems: string[] } {
  const parsed = RawEnv.safeParse(env);
  if (!parsed.success) return { problems: formatIssues(parsed.error) };
  const e = parsed.data;
  return {
    mode: !e.MicrosoftAppId && !e.AZURE_CLIENT_ID ? 'sandbox' : 'production',
    port: e.PORT,
    dataDir: path.resolve(cwd, e.DATA_DIR ?? 'data'),
    databaseUrl: e.DATABASE_URL,
    fixturePath: e.SANDBOX_FIXTURE ? path.resolve(cwd, e.SANDBOX_FIXTURE) : undefined,
    playground: e.PLAYGROUND !== 'off',
    adminGroupId: e.ADMIN_GROUP_ID,
    managerGroupId: e.MANAGER_GROUP_ID,
  };
}
