import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KNOWN_PERMISSIONS, README_PERMISSIONS } from './graph/permissions';

/** The fixture the sandbox starts from when none is named: a realistic hybrid Contoso tenant. */
export const DEFAULT_FIXTURE_PATH = path.join(__dirname, 'fixtures', 'contoso.json');

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

const guid = z.string().regex(GUID_PATTERN, 'must be a GUID like 00000000-0000-0000-0000-000000000000');
const domainName = z.string().regex(DOMAIN_PATTERN, 'must be a DNS domain name');
const dateTime = z.iso.datetime({ offset: true });
const nullableString = z.string().nullable();

const InternalDomainFederationSchema = z.strictObject({
  id: guid.optional(),
  displayName: z.string().optional(),
  issuerUri: z.string().min(1),
  metadataExchangeUri: z.string().nullable().optional(),
  signingCertificate: z.string().nullable().optional(),
  nextSigningCertificate: z.string().nullable().optional(),
  passiveSignInUri: z.url(),
  activeSignInUri: z.string().nullable().optional(),
  signOutUri: z.string().nullable().optional(),
  preferredAuthenticationProtocol: z.enum(['wsFed', 'saml']),
  promptLoginBehavior: z.enum(['translateToFreshPasswordAuthentication', 'nativeSupport', 'disabled']).nullable().optional(),
  isSignedAuthenticationRequestRequired: z.boolean().nullable().optional(),
  federatedIdpMfaBehavior: z
    .enum(['acceptIfMfaDoneByFederatedIdp', 'enforceMfaByFederatedIdp', 'rejectMfaByFederatedIdp'])
    .nullable()
    .optional(),
  signingCertificateUpdateStatus: z
    .strictObject({ certificateUpdateResult: z.string().nullable(), lastRunDateTime: dateTime.nullable() })
    .nullable()
    .optional(),
});

const DomainSchema = z.strictObject({
  id: domainName,
  authenticationType: z.enum(['Managed', 'Federated']),
  isDefault: z.boolean(),
  isInitial: z.boolean(),
  isVerified: z.boolean(),
  isAdminManaged: z.boolean().optional(),
  isRoot: z.boolean().optional(),
  supportedServices: z.array(z.string()).optional(),
  passwordValidityPeriodInDays: z.number().int().nullable().optional(),
  passwordNotificationWindowInDays: z.number().int().nullable().optional(),
  federationConfiguration: InternalDomainFederationSchema.optional(),
});

const TenantSchema = z.strictObject({
  id: guid,
  displayName: z.string().min(1),
  /** Entra ID P1/P2 present: signInActivity is readable. */
  hasPremiumLicense: z.boolean().default(true),
  countryLetterCode: z.string().length(2).optional(),
  domains: z.array(DomainSchema).min(1),
});

const ObjectIdentitySchema = z.strictObject({
  signInType: z.string().min(1),
  issuer: z.string().min(1),
  issuerAssignedId: z.string().nullable(),
});

const extensionAttributeKeys = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);
const ExtensionAttributesSchema = z.strictObject(
  Object.fromEntries(extensionAttributeKeys.map((k) => [k, z.string().max(1024).nullable().optional()])),
);

const SignInActivitySchema = z.strictObject({
  lastSignInDateTime: dateTime.nullable().optional(),
  lastSignInRequestId: z.string().nullable().optional(),
  lastNonInteractiveSignInDateTime: dateTime.nullable().optional(),
  lastNonInteractiveSignInRequestId: z.string().nullable().optional(),
  lastSuccessfulSignInDateTime: dateTime.nullable().optional(),
  lastSuccessfulSignInRequestId: z.string().nullable().optional(),
});

const UserSchema = z.strictObject({
  id: guid,
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be local@domain'),
  displayName: z.string().min(1),
  accountEnabled: z.boolean().default(true),
  userType: z.enum(['Member', 'Guest']).default('Member'),
  givenName: nullableString.optional(),
  surname: nullableString.optional(),
  mail: nullableString.optional(),
  mailNickname: nullableString.optional(),
  otherMails: z.array(z.string()).optional(),
  proxyAddresses: z.array(z.string()).optional(),
  businessPhones: z.array(z.string()).optional(),
  imAddresses: z.array(z.string()).optional(),
  mobilePhone: nullableString.optional(),
  jobTitle: nullableString.optional(),
  department: nullableString.optional(),
  companyName: nullableString.optional(),
  officeLocation: nullableString.optional(),
  city: nullableString.optional(),
  state: nullableString.optional(),
  country: nullableString.optional(),
  usageLocation: nullableString.optional(),
  preferredLanguage: nullableString.optional(),
  employeeId: nullableString.optional(),
  employeeType: nullableString.optional(),
  showInAddressList: z.boolean().nullable().optional(),
  createdDateTime: dateTime.nullable().optional(),
  creationType: z.enum(['Invitation', 'LocalAccount', 'EmailVerified', 'SelfServiceSignUp']).nullable().optional(),
  externalUserState: z.enum(['PendingAcceptance', 'Accepted']).nullable().optional(),
  externalUserStateChangeDateTime: dateTime.nullable().optional(),
  identities: z.array(ObjectIdentitySchema).optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
  onPremisesImmutableId: nullableString.optional(),
  onPremisesUserPrincipalName: nullableString.optional(),
  onPremisesSamAccountName: nullableString.optional(),
  onPremisesDomainName: nullableString.optional(),
  onPremisesSecurityIdentifier: nullableString.optional(),
  onPremisesDistinguishedName: nullableString.optional(),
  onPremisesLastSyncDateTime: dateTime.nullable().optional(),
  onPremisesExtensionAttributes: ExtensionAttributesSchema.optional(),
  signInActivity: SignInActivitySchema.nullable().optional(),
  /** Object ids of the user's sponsors (users or groups). */
  sponsors: z.array(guid).optional(),
});

const GroupSchema = z.strictObject({
  id: guid,
  displayName: z.string().min(1),
  description: nullableString.optional(),
  mail: nullableString.optional(),
  mailEnabled: z.boolean().default(false),
  mailNickname: z.string().optional(),
  securityEnabled: z.boolean().default(true),
  groupTypes: z.array(z.string()).default([]),
  visibility: nullableString.optional(),
  createdDateTime: dateTime.nullable().optional(),
  onPremisesSyncEnabled: z.boolean().nullable().optional(),
  /** Object ids of direct members: users or groups. */
  members: z.array(guid),
});

const RolesSchema = z.strictObject({ adminGroupId: guid, managerGroupId: guid });

const OnPremisesPublishingSchema = z.strictObject({
  externalUrl: z.url(),
  internalUrl: z.url(),
  externalAuthenticationType: z.enum(['passthru', 'aadPreAuthentication']),
  isOnPremPublishingEnabled: z.boolean(),
  applicationServerTimeout: z.enum(['Default', 'Long']).optional(),
  isHttpOnlyCookieEnabled: z.boolean().optional(),
  isPersistentCookieEnabled: z.boolean().optional(),
  isSecureCookieEnabled: z.boolean().optional(),
  isTranslateHostHeaderEnabled: z.boolean().optional(),
  isTranslateLinksInBodyEnabled: z.boolean().optional(),
  singleSignOnSettings: z
    .strictObject({
      singleSignOnMode: z.enum(['none', 'onPremisesKerberos', 'saml', 'pingHeaderBased', 'aadHeaderBased', 'oAuthToken']),
      kerberosSignOnSettings: z
        .strictObject({
          kerberosServicePrincipalName: z.string().min(1),
          kerberosSignOnMappingAttributeType: z.enum([
            'userPrincipalName',
            'onPremisesUserPrincipalName',
            'userPrincipalUsername',
            'onPremisesUserPrincipalUsername',
            'onPremisesSAMAccountName',
          ]),
        })
        .nullable()
        .optional(),
    })
    .optional(),
});

const ApplicationSchema = z.strictObject({
  id: guid,
  appId: guid,
  displayName: z.string().min(1),
  signInAudience: z.string().optional(),
  /** Beta-only resource: served on /beta/applications/{id}?$select=onPremisesPublishing. */
  onPremisesPublishing: OnPremisesPublishingSchema.optional(),
});

const AppRoleSchema = z.strictObject({
  id: guid,
  allowedMemberTypes: z.array(z.enum(['User', 'Application'])).min(1),
  displayName: z.string(),
  description: z.string().optional(),
  value: z.string().nullable(),
  isEnabled: z.boolean().default(true),
});

const ServicePrincipalSchema = z.strictObject({
  id: guid,
  appId: guid,
  displayName: z.string().min(1),
  servicePrincipalType: z.string().default('Application'),
  accountEnabled: z.boolean().default(true),
  appRoleAssignmentRequired: z.boolean().default(false),
  tags: z.array(z.string()).default([]),
  appRoles: z.array(AppRoleSchema).default([]),
  preferredSingleSignOnMode: z.enum(['password', 'saml', 'notSupported', 'oidc']).nullable().optional(),
  /** Object ids of owning users. */
  owners: z.array(guid).default([]),
});

/**
 * Graph gives every app role assignment an id (22+ base64url characters). One the fixture leaves out is derived from what the
 * assignment is, so it is the same on every start and distinct for distinct assignments.
 */
export function stableAssignmentId(assignment: { principalId: string; resourceId: string; appRoleId: string }): string {
  const what = [assignment.principalId, assignment.resourceId, assignment.appRoleId].map((id) => id.toLowerCase()).join('|');
  return createHash('sha256').update(what).digest('base64url');
}

/** `id` is optional in the file and always present once parsed. */
const AppRoleAssignmentSchema = z
  .strictObject({
    id: z.string().min(1).optional(),
    principalId: guid,
    resourceId: guid,
    appRoleId: guid,
    createdDateTime: dateTime.optional(),
  })
  .transform(({ id, ...assignment }) => ({ id: id ?? stableAssignmentId(assignment), ...assignment }));

const UserRealmSchema = z.looseObject({
  NameSpaceType: z.enum(['Managed', 'Federated', 'Unknown']),
  DomainName: z.string().optional(),
  FederationBrandName: z.string().nullable().optional(),
  TenantBrandingInfo: z.unknown().optional(),
  cloud_instance_name: z.string().optional(),
  federation_protocol: z.enum(['WSTrust', 'SAML20']).optional(),
  AuthURL: z.string().optional(),
  IsViral: z.boolean().optional(),
  MicrosoftAccount: z.union([z.number(), z.string()]).optional(),
});

const ExternalDomainSchema = z.strictObject({
  /** What login.microsoftonline.com/common/userrealm answers for this domain (api-version 2.1). */
  userRealm: UserRealmSchema,
  /** The domain's Entra tenant, or null when the domain is in no tenant. */
  tenantId: guid.nullable(),
});

const InvitationPolicySchema = z.union([
  z.strictObject({ allowedDomains: z.array(domainName) }),
  z.strictObject({ blockedDomains: z.array(domainName) }),
]);

const CaUsersSchema = z.looseObject({
  includeUsers: z.array(z.string()).default([]),
  excludeUsers: z.array(z.string()).default([]),
  includeGroups: z.array(z.string()).default([]),
  excludeGroups: z.array(z.string()).default([]),
  includeRoles: z.array(z.string()).default([]),
  excludeRoles: z.array(z.string()).default([]),
  includeGuestsOrExternalUsers: z.looseObject({ guestOrExternalUserTypes: z.string() }).nullable().optional(),
  excludeGuestsOrExternalUsers: z.looseObject({ guestOrExternalUserTypes: z.string() }).nullable().optional(),
});

/** A conditionalAccessPolicy (resources/conditionalaccesspolicy): the fields the doctor reads; more may be given and are served. */
const ConditionalAccessPolicySchema = z.looseObject({
  id: guid,
  displayName: z.string().min(1),
  state: z.enum(['enabled', 'disabled', 'enabledForReportingButNotEnforced']),
  conditions: z.looseObject({
    users: CaUsersSchema,
    applications: z.looseObject({ includeApplications: z.array(z.string()).default([]), excludeApplications: z.array(z.string()).default([]) }),
  }),
  grantControls: z.looseObject({ operator: z.enum(['AND', 'OR']).default('OR'), builtInControls: z.array(z.string()).default([]), termsOfUse: z.array(z.string()).default([]) }).nullable(),
});

/**
 * One entry of the sign-in log (resources/signin): `minutesAgo` places it relative to the sandbox's start, so the log is
 * always recent; errorCode 0 is a success.
 */
const SignInSchema = z.strictObject({
  id: guid,
  userId: guid,
  appId: guid,
  appDisplayName: z.string().optional(),
  minutesAgo: z.number().int().min(0),
  errorCode: z.number().int().min(0),
  failureReason: z.string().optional(),
});

export const FixtureSchema = z.strictObject({
  tenant: TenantSchema,
  roles: RolesSchema,
  users: z.array(UserSchema),
  groups: z.array(GroupSchema).default([]),
  applications: z.array(ApplicationSchema).default([]),
  servicePrincipals: z.array(ServicePrincipalSchema).default([]),
  appRoleAssignments: z.array(AppRoleAssignmentSchema).default([]),
  external: z.record(domainName, ExternalDomainSchema).default({}),
  invitationPolicy: InvitationPolicySchema.optional(),
  /**
   * Whether the bot may read `invitationPolicy` through GET /beta/policies/b2bManagementPolicies. false: 403
   * Authorization_RequestDenied, as Graph answers an app without Policy.Read.B2BManagementPolicy.
   */
  invitationPolicyReadable: z.boolean().default(true),
  /** GET /identity/conditionalAccess/policies serves these, in this order. */
  conditionalAccessPolicies: z.array(ConditionalAccessPolicySchema).default([]),
  /** GET /auditLogs/signIns serves these, newest first. */
  signIns: z.array(SignInSchema).default([]),
  /**
   * The application permissions the app registration was granted (admin consent), carried in each access token's `roles`.
   * Default: every permission of the README's table. Each Graph endpoint answers 403 Authorization_RequestDenied without
   * the permission its page documents (graph/permissions.ts).
   */
  grantedPermissions: z.array(z.enum(KNOWN_PERMISSIONS)).default([...README_PERMISSIONS]),
});

export type Fixture = z.infer<typeof FixtureSchema>;
export type FixtureUser = Fixture['users'][number];
export type FixtureGroup = Fixture['groups'][number];
export type FixtureDomain = Fixture['tenant']['domains'][number];
export type InternalDomainFederation = z.infer<typeof InternalDomainFederationSchema>;
export type FixtureApplication = Fixture['applications'][number];
export type FixtureServicePrincipal = Fixture['servicePrincipals'][number];
export type FixtureAppRoleAssignment = Fixture['appRoleAssignments'][number];
export type ExternalDomain = z.infer<typeof ExternalDomainSchema>;
export type UserRealm = z.infer<typeof UserRealmSchema>;
export type InvitationPolicy = z.infer<typeof InvitationPolicySchema>;
export type FixtureSignIn = z.infer<typeof SignInSchema>;

export const DEFAULT_APP_ROLE_ID = '00000000-0000-0000-0000-000000000000';

/** One problem, located by a JSON path such as `$.users[3].sponsors[0]`. */
export interface FixtureProblem {
  path: string;
  message: string;
}

export function jsonPath(segments: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(String(s))}]`;
  }
  return out;
}

function records(value: unknown): Array<Record<string, unknown> | undefined> {
  if (!Array.isArray(value)) return [];
  return value.map((v: unknown) => (isRecord(v) ? v : undefined));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Checks references and uniqueness on the raw input, tolerating malformed parts, so that one run reports these problems
 * alongside the schema's own.
 */
function integrityProblems(raw: unknown): FixtureProblem[] {
  const problems: FixtureProblem[] = [];
  if (!isRecord(raw)) return problems;
  const add = (segments: PropertyKey[], message: string): void => {
    problems.push({ path: jsonPath(segments), message });
  };
  const key = (id: string): string => id.toLowerCase();

  const users = records(raw.users);
  const groups = records(raw.groups);
  const apps = records(raw.applications);
  const sps = records(raw.servicePrincipals);
  const objectKinds = new Map<string, 'user' | 'group' | 'application' | 'servicePrincipal'>();
  const seen = (collection: string, list: Array<Record<string, unknown> | undefined>, kind: 'user' | 'group' | 'application' | 'servicePrincipal'): void => {
    list.forEach((item, i) => {
      const id = str(item?.id);
      if (!id) return;
      if (objectKinds.has(key(id))) add([collection, i, 'id'], `duplicate object id ${id}`);
      else objectKinds.set(key(id), kind);
    });
  };
  seen('users', users, 'user');
  seen('groups', groups, 'group');
  seen('applications', apps, 'application');
  seen('servicePrincipals', sps, 'servicePrincipal');
  const isKind = (id: unknown, ...kinds: string[]): boolean => {
    const s = str(id);
    const kind = s ? objectKinds.get(key(s)) : undefined;
    return kind !== undefined && kinds.includes(kind);
  };

  const tenant = isRecord(raw.tenant) ? raw.tenant : undefined;
  const domains = records(tenant?.domains);
  const ownDomains = new Set<string>();
  domains.forEach((d, i) => {
    const id = str(d?.id);
    if (!id) return;
    if (ownDomains.has(key(id))) add(['tenant', 'domains', i, 'id'], `duplicate domain ${id}`);
    ownDomains.add(key(id));
    const federated = d?.authenticationType === 'Federated';
    if (federated && !isRecord(d?.federationConfiguration)) {
      add(['tenant', 'domains', i, 'federationConfiguration'], 'a Federated domain needs a federationConfiguration');
    }
    if (!federated && d?.federationConfiguration !== undefined) {
      add(['tenant', 'domains', i, 'authenticationType'], 'a domain with a federationConfiguration must be Federated');
    }
    if (d?.isInitial === true && !id.toLowerCase().endsWith('.onmicrosoft.com')) {
      add(['tenant', 'domains', i, 'id'], 'the initial domain must end with .onmicrosoft.com');
    }
  });
  if (domains.length > 0) {
    const defaults = domains.filter((d) => d?.isDefault === true).length;
    const initials = domains.filter((d) => d?.isInitial === true).length;
    if (defaults !== 1) add(['tenant', 'domains'], `exactly one domain must have isDefault true (found ${defaults})`);
    if (initials !== 1) add(['tenant', 'domains'], `exactly one domain must have isInitial true (found ${initials})`);
  }

  const upns = new Map<string, number>();
  users.forEach((u, i) => {
    const upn = str(u?.userPrincipalName);
    if (!upn) return;
    const prior = upns.get(key(upn));
    if (prior !== undefined) add(['users', i, 'userPrincipalName'], `duplicate userPrincipalName ${upn} (also users[${prior}])`);
    else upns.set(key(upn), i);
    const suffix = upn.slice(upn.lastIndexOf('@') + 1);
    if (ownDomains.size > 0 && !ownDomains.has(key(suffix))) {
      add(['users', i, 'userPrincipalName'], `UPN suffix ${suffix} is not one of the tenant's domains`);
    }
    const sponsors = Array.isArray(u?.sponsors) ? u.sponsors : [];
    sponsors.forEach((s: unknown, j: number) => {
      if (!isKind(s, 'user', 'group')) add(['users', i, 'sponsors', j], `sponsor ${String(s)} is not a user or group in the fixture`);
    });
  });

  groups.forEach((g, i) => {
    const members = Array.isArray(g?.members) ? g.members : [];
    const distinct = new Set<string>();
    members.forEach((m: unknown, j: number) => {
      if (!isKind(m, 'user', 'group')) add(['groups', i, 'members', j], `member ${String(m)} is not a user or group in the fixture`);
      const s = str(m);
      if (s && s.toLowerCase() === str(g?.id)?.toLowerCase()) add(['groups', i, 'members', j], 'a group cannot be a member of itself');
      if (s && distinct.has(key(s))) add(['groups', i, 'members', j], `duplicate member ${s}`);
      if (s) distinct.add(key(s));
    });
  });

  const roles = isRecord(raw.roles) ? raw.roles : undefined;
  for (const role of ['adminGroupId', 'managerGroupId'] as const) {
    if (roles && str(roles[role]) && !isKind(roles[role], 'group')) add(['roles', role], `${String(roles[role])} is not a group in the fixture`);
  }

  const appIds = new Set<string>();
  apps.forEach((a, i) => {
    const appId = str(a?.appId);
    if (!appId) return;
    if (appIds.has(key(appId))) add(['applications', i, 'appId'], `duplicate appId ${appId}`);
    appIds.add(key(appId));
  });

  const spRoles = new Map<string, Set<string>>();
  const spAppIds = new Set<string>();
  sps.forEach((sp, i) => {
    const id = str(sp?.id);
    const appId = str(sp?.appId);
    if (appId) {
      if (spAppIds.has(key(appId))) add(['servicePrincipals', i, 'appId'], `duplicate servicePrincipal for appId ${appId}`);
      spAppIds.add(key(appId));
    }
    const roleIds = new Set<string>();
    records(sp?.appRoles).forEach((r, j) => {
      const rid = str(r?.id);
      if (!rid) return;
      if (roleIds.has(key(rid))) add(['servicePrincipals', i, 'appRoles', j, 'id'], `duplicate appRole id ${rid}`);
      roleIds.add(key(rid));
    });
    if (id) spRoles.set(key(id), roleIds);
    const owners = Array.isArray(sp?.owners) ? sp.owners : [];
    owners.forEach((o: unknown, j: number) => {
      if (!isKind(o, 'user')) add(['servicePrincipals', i, 'owners', j], `owner ${String(o)} is not a user in the fixture`);
    });
  });

  records(raw.appRoleAssignments).forEach((a, i) => {
    if (!isKind(a?.principalId, 'user', 'group')) add(['appRoleAssignments', i, 'principalId'], `principal ${String(a?.principalId)} is not a user or group in the fixture`);
    const resourceId = str(a?.resourceId);
    const roles = resourceId ? spRoles.get(key(resourceId)) : undefined;
    if (!roles) {
      add(['appRoleAssignments', i, 'resourceId'], `resource ${String(a?.resourceId)} is not a servicePrincipal in the fixture`);
      return;
    }
    const appRoleId = str(a?.appRoleId);
    if (appRoleId && appRoleId !== DEFAULT_APP_ROLE_ID && !roles.has(key(appRoleId))) {
      add(['appRoleAssignments', i, 'appRoleId'], `appRole ${appRoleId} is not declared by servicePrincipal ${resourceId}`);
    }
  });

  const external = isRecord(raw.external) ? raw.external : {};
  for (const [domain, entry] of Object.entries(external)) {
    if (ownDomains.has(key(domain))) add(['external', domain], 'an external domain cannot also be one of the tenant\'s domains');
    if (!isRecord(entry)) continue;
    const realm = isRecord(entry.userRealm) ? entry.userRealm : undefined;
    const nsType = realm?.NameSpaceType;
    if (nsType === 'Unknown' && entry.tenantId !== null) add(['external', domain, 'tenantId'], 'an Unknown realm has no tenant: use null');
    if ((nsType === 'Managed' || nsType === 'Federated') && typeof entry.tenantId !== 'string') {
      add(['external', domain, 'tenantId'], `a ${nsType} realm belongs to an Entra tenant: give its GUID`);
    }
    if (nsType === 'Federated' && (typeof realm?.federation_protocol !== 'string' || typeof realm.AuthURL !== 'string')) {
      add(['external', domain, 'userRealm'], 'a Federated realm needs federation_protocol and AuthURL');
    }
    if (str(entry.tenantId) && str(tenant?.id) && key(str(entry.tenantId) ?? '') === key(str(tenant?.id) ?? '')) {
      add(['external', domain, 'tenantId'], 'an external domain cannot belong to our own tenant');
    }
  }

  const policy = isRecord(raw.invitationPolicy) ? raw.invitationPolicy : undefined;
  const listed = policy ? (Array.isArray(policy.allowedDomains) ? policy.allowedDomains : policy.blockedDomains) : undefined;
  if (Array.isArray(listed) && JSON.stringify(listed).length > 25 * 1024) add(['invitationPolicy'], 'the domain list must stay under 25 KB');
  return problems;
}

/** Validates parsed JSON as a fixture; throws one Error that lists every problem with its JSON path. */
export function parseFixture(raw: unknown, source = 'fixture'): Fixture {
  const parsed = FixtureSchema.safeParse(raw);
  const problems: FixtureProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
  problems.push(...integrityProblems(raw));
  if (!parsed.success || problems.length > 0) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    throw new Error(`Invalid sandbox fixture ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Reads and validates a fixture file. */
export function loadFixture(file: string): Fixture {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read sandbox fixture ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`Invalid sandbox fixture ${file}: not JSON: ${(err as Error).message}`);
  }
  return parseFixture(raw, file);
}
