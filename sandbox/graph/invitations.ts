import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GUID_PATTERN } from '../fixture';
import { GraphHttpError, isRecord } from '../http';
import type { SandboxState, SandboxUser } from '../state';
import type { GraphContext } from './directory';
import { notFound } from './directory';
import type { GraphCall, GraphResult } from './odata';

/**
 * POST /invitations and POST /groups/{id}/members/$ref, as Graph documents them (invitation-post, group-post-members).
 * Invitation switches live beside the state in a WeakMap so the directory model stays the fixture's.
 */
export interface InvitationSettings {
  /**
   * After this many accepted POST /invitations, every further one answers the anti-abuse 403 ("Invitations are blocked for
   * this directory due to suspicious activity…"), as Entra does after a burst. 0 blocks at once; undefined never blocks.
   */
  abuseBlockAfter?: number;
  /**
   * Invitations to these domains are refused with the sentence Microsoft documents for cross-tenant access settings, as if
   * that partner's tenant (or ours) blocked B2B collaboration with the other.
   */
  crossTenantBlockedDomains?: string[];
  /**
   * The status the tenant-list and cross-tenant refusals answer with. Microsoft documents neither (see sandbox/README.md,
   * "Invitation refusals"), so both readings can be exercised: 400 `BadRequest` (default) or 403 `Forbidden`.
   */
  refusalStatus?: 400 | 403;
}

export const ABUSE_MESSAGE = 'Invitations are blocked for this directory due to suspicious activity. Please contact Microsoft support for help.';

interface InvitationDesk {
  settings: InvitationSettings;
  accepted: number;
  blocked: boolean;
}

const desks = new WeakMap<SandboxState, InvitationDesk>();

function deskOf(state: SandboxState): InvitationDesk {
  let desk = desks.get(state);
  if (!desk) {
    desk = { settings: {}, accepted: 0, blocked: false };
    desks.set(state, desk);
  }
  return desk;
}

export const InvitationSettingsSchema = z.strictObject({
  abuseBlockAfter: z.number().int().min(0).optional(),
  crossTenantBlockedDomains: z.array(z.string().min(1)).optional(),
  refusalStatus: z.union([z.literal(400), z.literal(403)]).optional(),
});

/**
 * The cross-tenant refusal as "Troubleshooting Microsoft Entra B2B collaboration" quotes it
 * (https://learn.microsoft.com/entra/external-id/troubleshoot#invitation-is-blocked-due-to-cross-tenant-access-policies).
 */
export const CROSS_TENANT_MESSAGE =
  "This invitation is blocked by cross-tenant access settings. Admins in both your organization and the invited user's organization must configure cross-tenant access settings to allow the invitation.";

/**
 * Entra documents that its allow or block list refuses an invitation (https://learn.microsoft.com/entra/external-id/allow-deny-list)
 * but not with what status, code or words. The sandbox answers with Graph's generic description of the status
 * (https://learn.microsoft.com/graph/errors, "HTTP status codes"), so nothing can come to rely on a wording of its own.
 */
export const UNDOCUMENTED_REFUSAL_MESSAGE: Readonly<Record<400 | 403, string>> = {
  400: "Can't process the request because it's malformed or incorrect.",
  403: 'Access is denied to the requested resource. The user might not have enough permission or might not have a required license.',
};

function refusal(desk: InvitationDesk, message: string): GraphHttpError {
  const status = desk.settings.refusalStatus ?? 400;
  return new GraphHttpError(status, status === 400 ? 'BadRequest' : 'Forbidden', message);
}

/** Replaces the switches and lifts a block that was tripped (as Microsoft support would). */
export function setInvitationSettings(state: SandboxState, settings: InvitationSettings): void {
  desks.set(state, { settings: { ...settings }, accepted: 0, blocked: false });
}

const lower = (s: string): string => s.toLowerCase();

/** Graph's documented character rules for invitedUserEmailAddress, plus one @ and a dotted domain. */
const EMAIL = /^[A-Za-z0-9_'.-]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]{2,}$/;
const FORBIDDEN_LOCAL = /[~!#$%^&*()+=[\]{}\\/|;:"<>?,]/;

function domainOf(email: string): string {
  return lower(email.slice(email.lastIndexOf('@') + 1));
}

/** `user@fabrikam.com` → `user_fabrikam.com#EXT#@contoso.onmicrosoft.com`. */
export function guestUpn(email: string, initialDomain: string): string {
  return `${email.replace('@', '_')}#EXT#@${initialDomain}`;
}

function addressesOf(user: SandboxUser): string[] {
  return [
    user.mail ?? '',
    ...(user.otherMails ?? []),
    ...(user.proxyAddresses ?? []).map((p) => p.replace(/^smtp:/i, '')),
  ]
    .filter((a) => a.length > 0)
    .map(lower);
}

function findGuestByEmail(state: SandboxState, email: string): SandboxUser | undefined {
  const key = lower(email);
  const upn = lower(guestUpn(email, state.initialDomain));
  for (const user of state.users.values()) {
    if (user.userType === 'Guest' && (lower(user.userPrincipalName) === upn || addressesOf(user).includes(key))) return user;
  }
  return undefined;
}

function findMemberOwning(state: SandboxState, email: string): SandboxUser | undefined {
  const key = lower(email);
  for (const user of state.users.values()) {
    if (user.userType !== 'Guest' && (lower(user.userPrincipalName) === key || addressesOf(user).includes(key))) return user;
  }
  return undefined;
}

function policyRefuses(state: SandboxState, domain: string): boolean {
  const policy = state.invitationPolicy;
  if (!policy) return false;
  if ('allowedDomains' in policy) return !policy.allowedDomains.some((d) => lower(d) === domain);
  return policy.blockedDomains.some((d) => lower(d) === domain);
}

const SponsorSchema = z.array(z.object({ id: z.string() }).passthrough());

const InvitationBody = z
  .object({
    invitedUserEmailAddress: z.string(),
    inviteRedirectUrl: z.string(),
    invitedUserDisplayName: z.string().nullable().optional(),
    sendInvitationMessage: z.boolean().optional(),
    invitedUserMessageInfo: z
      .object({
        customizedMessageBody: z.string().nullable().optional(),
        messageLanguage: z.string().nullable().optional(),
        ccRecipients: z.array(z.object({ emailAddress: z.object({ address: z.string(), name: z.string().nullable().optional() }) })).optional(),
      })
      .nullable()
      .optional(),
    invitedUserType: z.enum(['Guest', 'Member']).optional(),
    resetRedemption: z.boolean().optional(),
    invitedUser: z.object({ id: z.string() }).passthrough().nullable().optional(),
    invitedUserSponsors: z.unknown().optional(),
  })
  .passthrough();

function badRequest(message: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', message);
}

function redeemUrlFor(tenantId: string, userId: string): string {
  return `https://login.microsoftonline.com/redeem?rd=https%3a%2f%2finvitations.microsoft.com%2fredeem%2f%3ftenant%3d${tenantId}%26user%3d${userId}%26ticket%3d${randomUUID().replace(/-/g, '')}`;
}

/**
 * "Invite internal users to B2B collaboration" (https://learn.microsoft.com/entra/external-id/invite-internal-users): an
 * invitation with `invitedUser.id` and no `resetRedemption` turns an existing internal user into a B2B user on redemption,
 * keeping its object id, UPN, groups and app assignments, and not changing its UserType. The page says Microsoft blocks
 * the conversion of a user with onPremisesUserPrincipalName, and that User.Mail must be the external address; it gives no
 * status, code or wording for either refusal, so the sandbox answers Graph's generic 400 (as for the tenant's own list).
 * A user who already has B2B credentials (an external user state) is refused the same way: the page says conversion is
 * one-way and that the portal then offers only resend or reset.
 */
function convertInternalUser(state: SandboxState, id: string, email: string, now: string): SandboxUser {
  if (!GUID_PATTERN.test(id)) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
  const user = state.users.get(lower(id));
  if (!user) throw notFound(id);
  const undocumented = (): GraphHttpError => badRequest(UNDOCUMENTED_REFUSAL_MESSAGE[400]);
  if (user.onPremisesUserPrincipalName) throw undocumented();
  if (lower(user.mail ?? '') !== lower(email)) throw undocumented();
  if (user.externalUserState || lower(user.creationType ?? '') === 'invitation') throw undocumented();
  user.externalUserState = 'PendingAcceptance';
  user.externalUserStateChangeDateTime = now;
  return user;
}

function createInvitation(ctx: GraphContext, call: GraphCall): GraphResult {
  const { state } = ctx;
  const parsed = InvitationBody.safeParse(call.body);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? 'body');
    throw badRequest(`Invalid value for property '${field}'.`);
  }
  const body = parsed.data;
  const email = body.invitedUserEmailAddress.trim();
  const [local = ''] = email.split('@');
  if (!EMAIL.test(email) || FORBIDDEN_LOCAL.test(local) || /^[.-]|[.-]$/.test(local)) {
    throw badRequest('The specified email address is invalid.');
  }
  if (!/^https?:\/\//i.test(body.inviteRedirectUrl)) throw badRequest("Invalid value for property 'inviteRedirectUrl'.");
  if ((body.invitedUserMessageInfo?.ccRecipients?.length ?? 0) > 1) {
    throw badRequest('Only one recipient may be specified in ccRecipients.');
  }
  const desk = deskOf(state);
  const limit = desk.settings.abuseBlockAfter;
  if (desk.blocked || (limit !== undefined && desk.accepted >= limit)) {
    desk.blocked = true;
    throw new GraphHttpError(403, 'Forbidden', ABUSE_MESSAGE);
  }
  const domain = domainOf(email);
  if ((desk.settings.crossTenantBlockedDomains ?? []).some((d) => lower(d) === domain)) throw refusal(desk, CROSS_TENANT_MESSAGE);
  if (policyRefuses(state, domain)) throw refusal(desk, UNDOCUMENTED_REFUSAL_MESSAGE[desk.settings.refusalStatus ?? 400]);

  let sponsors: string[] | undefined;
  if (body.invitedUserSponsors !== undefined) {
    const list = SponsorSchema.safeParse(body.invitedUserSponsors);
    if (!list.success) throw badRequest("Invalid value for property 'invitedUserSponsors'.");
    sponsors = [];
    for (const sponsor of list.data) {
      if (!GUID_PATTERN.test(sponsor.id) || !state.findObject(sponsor.id)) throw notFound(sponsor.id);
      sponsors.push(sponsor.id);
    }
  }

  const now = new Date().toISOString();
  let user: SandboxUser | undefined;
  if (body.resetRedemption) {
    const id = body.invitedUser?.id;
    if (!id) throw badRequest("The 'invitedUser.id' property is required when 'resetRedemption' is true.");
    if (!GUID_PATTERN.test(id)) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`);
    user = state.users.get(lower(id));
    if (!user) throw notFound(id);
    user.externalUserState = 'PendingAcceptance';
    user.externalUserStateChangeDateTime = now;
    if (lower(user.mail ?? '') !== lower(email)) {
      user.mail = email;
      user.otherMails = [email];
    }
  } else if (body.invitedUser?.id) {
    user = convertInternalUser(state, body.invitedUser.id, email, now);
  } else {
    user = findGuestByEmail(state, email);
    if (!user) {
      const member = findMemberOwning(state, email);
      if (member) {
        throw new GraphHttpError(
          400,
          'Request_MultipleObjectsWithSameKeyValue',
          'Another object with the same value for property proxyAddresses already exists.',
        );
      }
      user = {
        id: randomUUID(),
        userPrincipalName: guestUpn(email, state.initialDomain),
        displayName: body.invitedUserDisplayName?.trim() || email.split('@')[0] || email,
        accountEnabled: true,
        userType: body.invitedUserType ?? 'Guest',
        mail: email,
        otherMails: [email],
        proxyAddresses: [`SMTP:${email}`],
        creationType: 'Invitation',
        externalUserState: 'PendingAcceptance',
        externalUserStateChangeDateTime: now,
        createdDateTime: now,
        identities: [{ signInType: 'userPrincipalName', issuer: state.initialDomain, issuerAssignedId: guestUpn(email, state.initialDomain) }],
        sponsors: sponsors ?? [],
      };
      state.addUser(user);
    } else if (sponsors && sponsors.length > 0 && (user.sponsors ?? []).length === 0) {
      user.sponsors = sponsors;
    }
  }
  desk.accepted += 1;

  const status = user.externalUserState === 'Accepted' ? 'Completed' : 'PendingAcceptance';
  return {
    status: 201,
    body: {
      '@odata.context': `${ctx.baseUrl}/${call.version}/$metadata#invitations/$entity`,
      id: randomUUID(),
      inviteRedeemUrl: redeemUrlFor(state.tenant.id, user.id),
      invitedUserDisplayName: body.invitedUserDisplayName ?? null,
      invitedUserType: user.userType,
      invitedUserEmailAddress: email,
      sendInvitationMessage: body.sendInvitationMessage ?? false,
      resetRedemption: body.resetRedemption ?? false,
      inviteRedirectUrl: body.inviteRedirectUrl,
      status,
      invitedUserMessageInfo: {
        messageLanguage: body.invitedUserMessageInfo?.messageLanguage ?? null,
        customizedMessageBody: body.invitedUserMessageInfo?.customizedMessageBody ?? null,
        ccRecipients: body.invitedUserMessageInfo?.ccRecipients ?? [],
      },
      invitedUser: { id: user.id },
    },
  };
}

const DIRECTORY_OBJECT_REF = /\/directoryObjects\/([0-9a-fA-F-]{36})$/;

function addGroupMember(ctx: GraphContext, groupId: string, body: unknown): GraphResult {
  if (!GUID_PATTERN.test(groupId)) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid object identifier '${groupId}'.`);
  const group = ctx.state.findGroup(groupId);
  if (!group) throw notFound(groupId);
  const ref = isRecord(body) ? body['@odata.id'] : undefined;
  const match = typeof ref === 'string' ? DIRECTORY_OBJECT_REF.exec(ref) : null;
  const memberId = match?.[1];
  if (!memberId) throw new GraphHttpError(400, 'Request_BadRequest', "Invalid URL format specified in @odata.id for the navigation property 'members'.");
  if (!ctx.state.findObject(memberId)) throw notFound(memberId);
  if (group.members.some((m) => lower(m) === lower(memberId))) {
    throw new GraphHttpError(
      400,
      'Request_BadRequest',
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
  }
  group.members.push(memberId);
  return { status: 204 };
}

/** Marks a guest's invitation redeemed, as if they had followed the link: PendingAcceptance → Accepted. */
export function redeemInvitation(state: SandboxState, userIdOrEmail: string): SandboxUser {
  const user = GUID_PATTERN.test(userIdOrEmail) ? state.users.get(lower(userIdOrEmail)) : findGuestByEmail(state, userIdOrEmail);
  if (!user || user.userType !== 'Guest') throw new GraphHttpError(404, 'NotFound', `No guest ${userIdOrEmail} in the sandbox.`);
  user.externalUserState = 'Accepted';
  user.externalUserStateChangeDateTime = new Date().toISOString();
  return user;
}

/** The routes this module owns, or undefined so the main router carries on. */
export function routeInvitations(ctx: GraphContext, call: GraphCall): GraphResult | undefined {
  const [resource, id, nav, extra, ...rest] = call.segments.map((s) => s.toLowerCase());
  if (resource === 'invitations') {
    if (id !== undefined) throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${call.segments[1] ?? ''}'.`);
    if (call.method !== 'POST') throw new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    return createInvitation(ctx, call);
  }
  if (resource === 'groups' && id !== undefined && nav === 'members' && extra === '$ref' && rest.length === 0) {
    if (call.method !== 'POST') throw new GraphHttpError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    return addGroupMember(ctx, call.segments[1] ?? '', call.body);
  }
  return undefined;
}
