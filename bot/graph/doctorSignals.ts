import { type Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { Assignment } from './appProxy';
import { batchItemError, describeGraphError, isGraphError } from './errors';
import { odataString, pathSegment, queryString } from './odata';

/**
 * Reads for the access doctor's last two rows, in one `$batch` (one round trip): the tenant's Conditional Access policies
 * (conditionalaccessroot-list-policies, Policy.Read.All), the person's group memberships to match the policies' groups
 * (user-list-transitivememberof), their recent sign-ins (signin-list, AuditLog.Read.All and an Entra ID P1/P2 licence) and,
 * with an app, their app role assignments (user-list-approleassignments), which the assigned row would otherwise read in a
 * round trip of its own. Each part fails alone: its row says why, the others still answer.
 */

/** One Conditional Access policy, only the fields the doctor reads; anything else Graph sends is ignored. */
export interface ConditionalAccessPolicy {
  id: string;
  displayName: string;
  state: 'enabled' | 'disabled' | 'enabledForReportingButNotEnforced' | 'unknown';
  users: {
    includeUsers: string[];
    excludeUsers: string[];
    includeGroups: string[];
    excludeGroups: string[];
    includeRoles: string[];
    excludeRoles: string[];
    /** `guestOrExternalUserTypes` of includeGuestsOrExternalUsers; undefined when not set. */
    includeGuestTypes?: string[];
    excludeGuestTypes?: string[];
  };
  includeApplications: string[];
  excludeApplications: string[];
  /** `grantControls.builtInControls` (block, mfa, compliantDevice…); empty for a session-only policy. */
  builtInControls: string[];
  /** Terms of use the guest must accept (`grantControls.termsOfUse`), by id. */
  termsOfUse: string[];
}

export interface SignInRecord {
  createdDateTime: string;
  appId?: string;
  appDisplayName?: string;
  errorCode: number;
  failureReason?: string;
}

/** Why a part could not be read: the permission or licence to name, or what Graph answered. */
export type Unreadable = { unreadable: 'permission'; permission: string } | { unreadable: 'licence' } | { unreadable: 'failed'; reason: string };

export interface DoctorSignals {
  policies: ConditionalAccessPolicy[] | Unreadable;
  /** Group ids the person belongs to, directly or nested; undefined when the read failed or was cut short. */
  groupIds: Set<string> | undefined;
  /** Newest first. */
  signIns: SignInRecord[] | Unreadable;
  /**
   * The user's app role assignments (their own and their groups'), when asked for and read whole in the batch; undefined
   * otherwise, and the caller reads them the usual way (with its replication retry and paging).
   */
  assignments?: Assignment[];
}

const strings = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);

/**
 * `guestOrExternalUserTypes` is a flags enum: the resource page shows it as one string ("internalGuest,b2bCollaborationGuest");
 * it does not say whether Graph may send an array, so both are read.
 */
const guestTypes = z
  .object({ guestOrExternalUserTypes: z.union([z.string(), z.array(z.string())]).nullish() })
  .passthrough()
  .nullish()
  .transform((v) => {
    const raw = v?.guestOrExternalUserTypes;
    if (raw === undefined || raw === null) return undefined;
    const list = Array.isArray(raw) ? raw : raw.split(',');
    return list.map((t) => t.trim()).filter((t) => t.length > 0 && t !== 'none');
  });

const PolicySchema = z.object({
  id: z.string(),
  displayName: z.string().nullish(),
  state: z.string().nullish(),
  conditions: z
    .object({
      users: z
        .object({
          includeUsers: strings,
          excludeUsers: strings,
          includeGroups: strings,
          excludeGroups: strings,
          includeRoles: strings,
          excludeRoles: strings,
          includeGuestsOrExternalUsers: guestTypes,
          excludeGuestsOrExternalUsers: guestTypes,
        })
        .passthrough()
        .nullish(),
      applications: z.object({ includeApplications: strings, excludeApplications: strings }).passthrough().nullish(),
    })
    .passthrough()
    .nullish(),
  grantControls: z.object({ builtInControls: strings, termsOfUse: strings }).passthrough().nullish(),
});

const PolicyPage = z.object({ value: z.array(PolicySchema), '@odata.nextLink': z.string().optional() });
const MemberPage = z.object({ value: z.array(z.object({ id: z.string() }).passthrough()), '@odata.nextLink': z.string().optional() });
const AssignmentPage = z.object({
  value: z.array(
    z.object({
      id: z.string(),
      appRoleId: z.string(),
      resourceId: z.string(),
      principalId: z.string(),
      principalType: z.string().nullish(),
      principalDisplayName: z.string().nullish(),
      createdDateTime: z.string().nullish(),
    }),
  ),
  '@odata.nextLink': z.string().optional(),
});
const SignInPage = z.object({
  value: z.array(
    z
      .object({
        createdDateTime: z.string(),
        appId: z.string().nullish(),
        appDisplayName: z.string().nullish(),
        status: z.object({ errorCode: z.number().nullish(), failureReason: z.string().nullish() }).passthrough().nullish(),
      })
      .passthrough(),
  ),
});
const BatchResponse = z.object({ responses: z.array(z.object({ id: z.string(), status: z.number(), body: z.unknown().optional() })) });
const GraphErrorBody = z.object({ error: z.object({ code: z.string().optional(), message: z.string().optional() }) });

const STATES = new Set(['enabled', 'disabled', 'enabledForReportingButNotEnforced']);

function toPolicy(p: z.infer<typeof PolicySchema>): ConditionalAccessPolicy {
  const users = p.conditions?.users;
  const apps = p.conditions?.applications;
  const state = p.state && STATES.has(p.state) ? (p.state as ConditionalAccessPolicy['state']) : 'unknown';
  return {
    id: p.id,
    displayName: p.displayName ?? p.id,
    state,
    users: {
      includeUsers: users?.includeUsers ?? [],
      excludeUsers: users?.excludeUsers ?? [],
      includeGroups: users?.includeGroups ?? [],
      excludeGroups: users?.excludeGroups ?? [],
      includeRoles: users?.includeRoles ?? [],
      excludeRoles: users?.excludeRoles ?? [],
      ...(users?.includeGuestsOrExternalUsers ? { includeGuestTypes: users.includeGuestsOrExternalUsers } : {}),
      ...(users?.excludeGuestsOrExternalUsers ? { excludeGuestTypes: users.excludeGuestsOrExternalUsers } : {}),
    },
    includeApplications: apps?.includeApplications ?? [],
    excludeApplications: apps?.excludeApplications ?? [],
    builtInControls: p.grantControls?.builtInControls ?? [],
    termsOfUse: p.grantControls?.termsOfUse ?? [],
  };
}

/** How far back the sign-in log is read: the retention with P1/P2 is 30 days; a week is what "recent" means on the card. */
export const SIGN_IN_WINDOW_DAYS = 7;
/** The failures the card lists come from this many newest sign-ins. */
export const SIGN_IN_TOP = 20;

/**
 * A failed part, classified: 403 Authorization_RequestDenied names the permission; the sign-in log's 403
 * Authentication_RequestFromNonPremiumTenantOrB2CTenant (GD known issues, "License check errors for Azure AD activity
 * reports") is the licence; anything else says what Graph answered.
 */
function unreadable(status: number, body: unknown, permission: string): Unreadable {
  const error = GraphErrorBody.safeParse(body).data?.error;
  if (status === 403 && error?.code === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant') return { unreadable: 'licence' };
  if (status === 403 && /premium licen[cs]e/i.test(error?.message ?? '')) return { unreadable: 'licence' };
  if (status === 403) return { unreadable: 'permission', permission };
  return { unreadable: 'failed', reason: describeGraphError(batchItemError(status, error?.code)) };
}

const POLICY_PERMISSION = 'Policy.Read.All';
/** The current signin-list include names AuditLog.Read.All (Directory.Read.All higher); an older page asked for both. */
const SIGN_IN_PERMISSION = 'AuditLog.Read.All';

export class GraphDoctorSignals {
  constructor(
    private readonly graph: Client,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(userId: string, appId: string | undefined, options: { assignments?: boolean } = {}): Promise<DoctorSignals> {
    const since = new Date(this.now().getTime() - SIGN_IN_WINDOW_DAYS * 24 * 3600 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const filter = [`userId eq ${odataString(userId)}`, ...(appId ? [`appId eq ${odataString(appId)}`] : []), `createdDateTime ge ${since}`].join(' and ');
    const requests = [
      { id: 'policies', method: 'GET', url: `/identity/conditionalAccess/policies?${queryString({ $select: 'id,displayName,state,conditions,grantControls' })}` },
      { id: 'groups', method: 'GET', url: `/users/${pathSegment(userId)}/transitiveMemberOf?${queryString({ $select: 'id', $top: '999' })}` },
      { id: 'signIns', method: 'GET', url: `/auditLogs/signIns?${queryString({ $filter: filter, $top: String(SIGN_IN_TOP) })}` },
      ...(options.assignments
        ? [{ id: 'assignments', method: 'GET', url: `/users/${pathSegment(userId)}/appRoleAssignments?${queryString({ $select: 'id,appRoleId,resourceId,principalId,principalType,principalDisplayName,createdDateTime' })}` }]
        : []),
    ];
    let answers: Map<string, { status: number; body?: unknown }>;
    try {
      const raw: unknown = await this.graph.api('/$batch').post({ requests });
      const parsed = BatchResponse.safeParse(raw);
      if (!parsed.success) throw new Error('unreadable batch');
      answers = new Map(parsed.data.responses.map((r) => [r.id, r]));
    } catch (error) {
      const reason = isGraphError(error) ? describeGraphError(error) : 'Graph sent an answer the bot could not read';
      return { policies: { unreadable: 'failed', reason }, groupIds: undefined, signIns: { unreadable: 'failed', reason } };
    }
    const assignments = options.assignments ? this.assignments(answers.get('assignments')) : undefined;
    return {
      policies: this.policies(answers.get('policies')),
      groupIds: this.groups(answers.get('groups')),
      signIns: this.signIns(answers.get('signIns')),
      ...(assignments ? { assignments } : {}),
    };
  }

  private assignments(answer: { status: number; body?: unknown } | undefined): Assignment[] | undefined {
    if (answer?.status !== 200) return undefined;
    const page = AssignmentPage.safeParse(answer.body);
    if (!page.success || page.data['@odata.nextLink']) return undefined;
    return page.data.value.map((a) => ({
      id: a.id,
      appRoleId: a.appRoleId,
      resourceId: a.resourceId,
      principalId: a.principalId,
      ...(a.principalType ? { principalType: a.principalType } : {}),
      ...(a.principalDisplayName ? { principalDisplayName: a.principalDisplayName } : {}),
      ...(a.createdDateTime ? { createdDateTime: a.createdDateTime } : {}),
    }));
  }

  private policies(answer: { status: number; body?: unknown } | undefined): DoctorSignals['policies'] {
    if (!answer) return { unreadable: 'failed', reason: 'Graph left the policies out of its answer' };
    if (answer.status !== 200) return unreadable(answer.status, answer.body, POLICY_PERMISSION);
    const page = PolicyPage.safeParse(answer.body);
    if (!page.success) return { unreadable: 'failed', reason: 'Graph answered with policies the bot could not read' };
    // Paging is not documented for this list (it supports $top and $skip); a cut-short list would hide a policy.
    if (page.data['@odata.nextLink']) return { unreadable: 'failed', reason: 'Graph answered with more than one page of policies' };
    return page.data.value.map(toPolicy);
  }

  private groups(answer: { status: number; body?: unknown } | undefined): Set<string> | undefined {
    if (answer?.status !== 200) return undefined;
    const page = MemberPage.safeParse(answer.body);
    if (!page.success || page.data['@odata.nextLink']) return undefined;
    return new Set(page.data.value.map((g) => g.id.toLowerCase()));
  }

  private signIns(answer: { status: number; body?: unknown } | undefined): DoctorSignals['signIns'] {
    if (!answer) return { unreadable: 'failed', reason: 'Graph left the sign-ins out of its answer' };
    if (answer.status !== 200) return unreadable(answer.status, answer.body, SIGN_IN_PERMISSION);
    const page = SignInPage.safeParse(answer.body);
    if (!page.success) return { unreadable: 'failed', reason: 'Graph answered with sign-ins the bot could not read' };
    return page.data.value
      .map((s) => ({
        createdDateTime: s.createdDateTime,
        ...(s.appId ? { appId: s.appId } : {}),
        ...(s.appDisplayName ? { appDisplayName: s.appDisplayName } : {}),
        errorCode: s.status?.errorCode ?? 0,
        ...(s.status?.failureReason ? { failureReason: s.status.failureReason } : {}),
      }))
      .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
  }
}
