import { GraphHttpError } from '../http';
import type { GraphCall } from './odata';

/**
 * The application permissions the README's "Running against a real tenant" table asks an admin to grant: what a sandbox
 * app registration holds unless its fixture says otherwise.
 */
export const README_PERMISSIONS = [
  'User.Read.All',
  'GroupMember.Read.All',
  'AuditLog.Read.All',
  'Domain.Read.All',
  'User.Invite.All',
  'Policy.Read.B2BManagementPolicy',
  'GroupMember.ReadWrite.All',
  'User.ReadWrite.All',
  'Application.Read.All',
  'AppRoleAssignment.ReadWrite.All',
  'Policy.Read.All',
] as const;

/**
 * Every permission a Graph page below names for an endpoint the sandbox serves, so a fixture can grant a higher-privileged
 * one (Directory.Read.All) and a typo is refused when the fixture loads.
 */
export const KNOWN_PERMISSIONS = [
  ...README_PERMISSIONS,
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Domain.ReadWrite.All',
  'Domain-InternalFederation.Read.All',
  'Domain-InternalFederation.ReadWrite.All',
  'Organization.Read.All',
  'Organization.ReadWrite.All',
  'Application.ReadWrite.All',
  'Application.ReadWrite.OwnedBy',
  'Policy.ReadWrite.B2BManagementPolicy',
] as const;

/**
 * What one endpoint requires: any one alternative, each alternative being permissions that are all needed (checkMemberGroups
 * on a user needs User.Read.All *and* GroupMember.Read.All). `page` is the Graph page whose Permissions table this copies.
 */
export interface PermissionRequirement {
  what: string;
  page: string;
  anyOf: ReadonlyArray<ReadonlyArray<string>>;
}

const each = (...permissions: string[]): string[][] => permissions.map((p) => [p]);

const USER_READ = each('User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All');
const GROUP_READ = each('GroupMember.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All');
/** serviceprincipal-list/-get/-list-owners/-list-approleassignedto, application-list and application-get (v1.0, beta) agree. */
const APPLICATION_READ = each('Application.Read.All', 'Application.ReadWrite.OwnedBy', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All');
const DOMAIN_READ = each('Domain.Read.All', 'Domain.ReadWrite.All', 'Directory.Read.All');
const ASSIGNMENTS_READ = each('Directory.Read.All', 'AppRoleAssignment.ReadWrite.All', 'Directory.ReadWrite.All');

/** The requirement table, one row per endpoint; sandbox/README.md "Permissions" lists the same rows. */
export const REQUIREMENTS = {
  users: { what: 'GET /users, /users/{id}, /users/$count', page: 'api-reference/v1.0/api/user-list.md, user-get.md', anyOf: USER_READ },
  signInActivity: {
    what: '$select or $filter on signInActivity (in addition to reading users)',
    page: 'api-reference/v1.0/resources/signinactivity.md; user-list.md ("AuditLog.Read.All … to read signInActivity")',
    anyOf: each('AuditLog.Read.All'),
  },
  sponsors: {
    what: 'GET /users/{id}/sponsors, $expand=sponsors',
    page: 'api-reference/v1.0/api/user-list-sponsors.md (includes/permissions/user-list-sponsors-permissions.md)',
    anyOf: each('User.Read.All', 'User.ReadWrite.All'),
  },
  userMemberOf: {
    what: 'GET /users/{id}/memberOf, $expand=memberOf',
    page: 'api-reference/v1.0/api/user-list-memberof.md ("Permissions for another user\'s direct memberships")',
    anyOf: each('Directory.Read.All', 'Directory.ReadWrite.All'),
  },
  userTransitiveMemberOf: {
    what: 'GET /users/{id}/transitiveMemberOf',
    page: 'api-reference/v1.0/api/user-list-transitivememberof.md ("Permissions for another user\'s memberships")',
    anyOf: each('User.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Group.Read.All', 'GroupMember.Read.All'),
  },
  userMemberGroups: {
    what: 'POST /users/{id}/checkMemberGroups, /getMemberGroups',
    page: 'api-reference/v1.0/api/directoryobject-checkmembergroups.md ("Group memberships for a user"), directoryobject-getmembergroups.md',
    anyOf: [['User.Read.All', 'GroupMember.Read.All'], ['User.Read.All', 'Group.Read.All'], ['Directory.Read.All']],
  },
  userAssignments: {
    what: 'GET /users/{id}/appRoleAssignments, $expand=appRoleAssignments',
    page: 'api-reference/v1.0/api/user-list-approleassignments.md',
    anyOf: ASSIGNMENTS_READ,
  },
  /**
   * The page's include now says "Application: Not supported"; enforcing that would refuse the bot's "apps they own" read on
   * every tenant, so this keeps the alternatives of the page's former table until a tenant run settles it (README note).
   */
  ownedObjects: {
    what: 'GET /users/{id}/ownedObjects[/microsoft.graph.servicePrincipal]',
    page: 'api-reference/v1.0/api/user-list-ownedobjects.md (former table; the include now says Application: Not supported)',
    anyOf: USER_READ,
  },
  groups: { what: 'GET /groups, /groups/{id}', page: 'api-reference/v1.0/api/group-list.md, group-get.md', anyOf: GROUP_READ },
  groupMembers: {
    what: 'GET /groups/{id}/members, /transitiveMembers[/cast]',
    page: 'api-reference/v1.0/api/group-list-members.md, group-list-transitivemembers.md',
    anyOf: GROUP_READ,
  },
  groupMemberOf: {
    what: 'GET /groups/{id}/memberOf, /transitiveMemberOf; POST /groups/{id}/checkMemberGroups, /getMemberGroups',
    page: 'api-reference/v1.0/api/group-list-memberof.md; directoryobject-checkmembergroups.md ("Group memberships for a group")',
    anyOf: GROUP_READ,
  },
  addGroupMember: {
    what: 'POST /groups/{id}/members/$ref',
    page: 'api-reference/v1.0/api/group-post-members.md',
    anyOf: each('GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  domains: { what: 'GET /domains, /domains/{id}', page: 'api-reference/v1.0/api/domain-get.md, domain-list.md', anyOf: DOMAIN_READ },
  federation: {
    what: 'GET /domains/{id}/federationConfiguration',
    page: 'api-reference/v1.0/api/domain-list-federationconfiguration.md',
    anyOf: each('Domain.Read.All', 'Domain.ReadWrite.All'),
  },
  /** organization-list.md has its own table; the unused include organization-list-permissions.md names only Directory.*. */
  organization: {
    what: 'GET /organization, /organization/{id}',
    page: 'api-reference/v1.0/api/organization-list.md, organization-get.md',
    anyOf: each('Organization.Read.All', 'Directory.Read.All', 'Organization.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  invite: {
    what: 'POST /invitations',
    page: 'api-reference/v1.0/api/invitation-post.md',
    anyOf: each('User.Invite.All', 'User.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  /** user-update.md, "Permissions for specific scenarios": accountEnabled alone needs User.EnableDisableAccount.All with User.Read.All. */
  disableUser: {
    what: 'PATCH /users/{id} (accountEnabled)',
    page: 'api-reference/v1.0/api/user-update.md ("To update the accountEnabled property": User.EnableDisableAccount.All + User.Read.All)',
    anyOf: [['User.EnableDisableAccount.All', 'User.Read.All'], ['User.ReadWrite.All'], ['Directory.ReadWrite.All']],
  },
  resetRedemption: {
    what: 'POST /invitations with resetRedemption: true',
    page: 'api-reference/v1.0/api/invitation-post.md ("To reset the redemption status … User.ReadWrite.All is the minimum"); entra reset-redemption-status.md',
    anyOf: each('User.ReadWrite.All', 'Directory.ReadWrite.All'),
  },
  servicePrincipals: {
    what: 'GET /servicePrincipals, /{id}, /{id}/owners, /{id}/appRoleAssignedTo',
    page: 'api-reference/v1.0/api/serviceprincipal-list.md, serviceprincipal-get.md, serviceprincipal-list-owners.md, serviceprincipal-list-approleassignedto.md',
    anyOf: APPLICATION_READ,
  },
  grantAssignment: {
    what: 'POST /servicePrincipals/{id}/appRoleAssignedTo',
    page: 'api-reference/v1.0/api/serviceprincipal-post-approleassignedto.md',
    anyOf: [['AppRoleAssignment.ReadWrite.All', 'Application.Read.All'], ['AppRoleAssignment.ReadWrite.All', 'Directory.Read.All']],
  },
  removeAssignment: {
    what: 'DELETE /servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}',
    page: 'api-reference/v1.0/api/serviceprincipal-delete-approleassignedto.md',
    anyOf: each('AppRoleAssignment.ReadWrite.All'),
  },
  applications: {
    what: "GET /applications, /applications/{id}, /applications(appId='…') (v1.0 and beta, onPremisesPublishing included)",
    page: 'api-reference/v1.0/api/application-get.md, application-list.md; beta application-get.md',
    anyOf: APPLICATION_READ,
  },
  b2bPolicy: {
    what: 'GET /beta/policies/b2bManagementPolicies[/{id}]',
    page: 'api-reference/beta/api/policyroot-list-b2bmanagementpolicies.md',
    anyOf: each('Policy.Read.B2BManagementPolicy', 'Policy.ReadWrite.B2BManagementPolicy'),
  },
  conditionalAccessPolicies: {
    what: 'GET /identity/conditionalAccess/policies[/{id}]',
    page: 'api-reference/v1.0/api/conditionalaccessroot-list-policies.md (Application: Policy.Read.All)',
    anyOf: each('Policy.Read.All'),
  },
  signIns: {
    what: 'GET /auditLogs/signIns',
    page: 'api-reference/v1.0/api/signin-list.md (includes/permissions/signin-list-permissions.md: AuditLog.Read.All, Directory.Read.All higher)',
    anyOf: each('AuditLog.Read.All', 'Directory.Read.All'),
  },
} satisfies Record<string, PermissionRequirement>;

function mentionsSignInActivity(call: GraphCall): boolean {
  const selected = (call.query.get('$select') ?? '').toLowerCase().split(',').some((s) => s.trim() === 'signinactivity');
  const filtered = (call.query.get('$filter') ?? '').toLowerCase().includes('signinactivity');
  return selected || filtered;
}

/** An expanded relationship is read with the permission its own list page requires, on top of the entity's. */
function expandRequirement(call: GraphCall): PermissionRequirement | undefined {
  const expand = (call.query.get('$expand') ?? '').trim().toLowerCase().replace(/\(.*$/, '');
  if (expand === 'sponsors') return REQUIREMENTS.sponsors;
  if (expand === 'memberof') return REQUIREMENTS.userMemberOf;
  if (expand === 'approleassignments') return REQUIREMENTS.userAssignments;
  return undefined;
}

function hasResetRedemption(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as Record<string, unknown>).resetRedemption === true;
}

/**
 * What a call requires, all of it: the endpoint's own row, and for users the rows of what the query adds (signInActivity,
 * an expanded relationship). Empty for a path the sandbox does not serve: the router then answers its own 400 or 404.
 */
export function requirementsFor(call: GraphCall): PermissionRequirement[] {
  const [resource, id, nav, extra] = call.segments.map((s) => s.toLowerCase());
  const applicationByAppId = resource !== undefined && /^applications\(\s*appid\s*=/.test(resource);
  if (resource === 'users') {
    const extras = [...(mentionsSignInActivity(call) ? [REQUIREMENTS.signInActivity] : []), ...[expandRequirement(call)].filter((r) => r !== undefined)];
    if (nav === undefined) return call.method === 'PATCH' ? [REQUIREMENTS.disableUser] : [REQUIREMENTS.users, ...extras];
    switch (nav) {
      case 'sponsors':
        return [REQUIREMENTS.sponsors];
      case 'memberof':
        return [REQUIREMENTS.userMemberOf];
      case 'transitivememberof':
        return [REQUIREMENTS.userTransitiveMemberOf];
      case 'checkmembergroups':
      case 'getmembergroups':
        return [REQUIREMENTS.userMemberGroups];
      case 'approleassignments':
        return [REQUIREMENTS.userAssignments];
      case 'ownedobjects':
        return [REQUIREMENTS.ownedObjects];
      default:
        return [];
    }
  }
  if (resource === 'groups') {
    if (nav === undefined) return [REQUIREMENTS.groups];
    if (nav === 'members' && extra === '$ref') return call.method === 'POST' ? [REQUIREMENTS.addGroupMember] : [];
    if (nav === 'members' || nav === 'transitivemembers') return [REQUIREMENTS.groupMembers];
    if (['memberof', 'transitivememberof', 'checkmembergroups', 'getmembergroups'].includes(nav)) return [REQUIREMENTS.groupMemberOf];
    return [];
  }
  if (resource === 'domains') {
    if (nav === undefined) return [REQUIREMENTS.domains];
    return nav === 'federationconfiguration' ? [REQUIREMENTS.federation] : [];
  }
  if (resource === 'organization') return [REQUIREMENTS.organization];
  if (resource === 'invitations') return [hasResetRedemption(call.body) ? REQUIREMENTS.resetRedemption : REQUIREMENTS.invite];
  if (resource === 'serviceprincipals') {
    if (nav === 'approleassignedto' && call.method === 'POST') return [REQUIREMENTS.grantAssignment];
    if (nav === 'approleassignedto' && call.method === 'DELETE') return [REQUIREMENTS.removeAssignment];
    return [REQUIREMENTS.servicePrincipals];
  }
  if (resource === 'applications' || applicationByAppId) return [REQUIREMENTS.applications];
  if (resource === 'policies' && id === 'b2bmanagementpolicies') return [REQUIREMENTS.b2bPolicy];
  if (resource === 'identity' && id === 'conditionalaccess' && nav === 'policies') return [REQUIREMENTS.conditionalAccessPolicies];
  if (resource === 'auditlogs' && id === 'signins') return [REQUIREMENTS.signIns];
  return [];
}

/** A granted X.ReadWrite.All also grants X.Read.All, as the permissions reference describes each ReadWrite permission. */
function holds(granted: ReadonlySet<string>, permission: string): boolean {
  if (granted.has(permission)) return true;
  return permission.endsWith('.Read.All') && granted.has(permission.replace(/\.Read\.All$/, '.ReadWrite.All'));
}

export function satisfies(granted: ReadonlySet<string>, requirement: PermissionRequirement): boolean {
  return requirement.anyOf.some((alternative) => alternative.every((p) => holds(granted, p)));
}

/** The first requirement the token's roles do not meet, or undefined when the call is allowed. */
export function unmetRequirement(granted: ReadonlySet<string>, call: GraphCall): PermissionRequirement | undefined {
  return requirementsFor(call).find((r) => !satisfies(granted, r));
}

/**
 * Graph's answer to an app-only token whose `roles` lack what the endpoint requires (GD concepts/errors,
 * "Authorization_RequestDenied"; the same body an app gets for POST /invitations without User.Invite.All).
 */
export function insufficientPrivileges(): GraphHttpError {
  return new GraphHttpError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}
