import type { Caller } from '../../identity/caller';
import { InvitationRefusedError, type InvitationRefusal, type InvitationRequest, type InvitationResponse } from '../../graph/graphInvitations';
import type { Store } from '../../store';
import { checkPartnerAddress, type PartnerAddress } from '../emailAddress';
import type { LookupService, UserSummary } from '../lookup';
import type { RealmLookup, RealmVerdict } from '../realmVerdict';

/**
 * `convert <email>`: a partner account we manage (synced from AD, or created in the cloud) starts signing in with their own
 * organization's account instead. Microsoft's way is "Invite internal users to B2B collaboration": POST /invitations with
 * `invitedUser.id`, which keeps the object id, UPN, group memberships and app assignments
 * (https://learn.microsoft.com/entra/external-id/invite-internal-users). The same page says where it is not possible, and
 * the plan refuses those cases with its reason before anything is sent.
 */
export type ConvertPlan =
  | { kind: 'refused'; reason: string }
  | {
      kind: 'ready';
      address: PartnerAddress;
      user: { id: string; displayName: string; userPrincipalName?: string; synced: boolean };
      /** Where a sign-in with the address goes once converted. */
      homeRealm?: RealmVerdict;
    };

export type ConvertOutcome =
  | { kind: 'refused'; reason: string }
  | { kind: 'graphRefused'; address: PartnerAddress; refusal: InvitationRefusal }
  | { kind: 'invited'; address: PartnerAddress; user: { id: string; displayName: string }; redeemUrl?: string };

export interface ConvertPorts {
  lookup: Pick<LookupService, 'whois'>;
  realm: RealmLookup;
  invitations: { invite(request: InvitationRequest): Promise<InvitationResponse> };
  store: Pick<Store, 'audit'>;
  redirectUrl: string;
}

function sameAddress(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

/** Whether the partner rule or the directory says this account is a partner's, not an employee's. */
function isPartnerAccount(user: UserSummary): boolean {
  return user.source.kind === 'syncedPartner' || user.userType === 'Guest';
}

/** The documented refusals, first one wins; undefined when the conversion may go ahead. */
function refusalFor(user: UserSummary, address: PartnerAddress, homeRealm: RealmVerdict | undefined): string | undefined {
  const name = user.displayName;
  if (user.source.kind === 'invitedGuest' || user.invitation) {
    return `${name} already signs in with B2B credentials (an invitation exists). Conversion is one-way and done once; to send a new link, use "resend ${address.display}".`;
  }
  if (user.source.kind !== 'syncedPartner' && user.source.kind !== 'cloudOnly' && user.source.kind !== 'syncedMember') {
    return `${name} is not an internal account (${user.source.kind}); only an internal account can be invited to B2B collaboration.`;
  }
  if (!isPartnerAccount(user)) {
    return `${name} is not a partner account: the partner rule does not mark it and its UserType is ${user.userType ?? 'unknown'}. Convert is for partner accounts; mark it as a partner first if it is one.`;
  }
  if (user.accountEnabled === false) return `${name}'s account is disabled. Enable it (on-prem, for a synced account) before converting it.`;
  if (user.onPremises?.userPrincipalName) {
    return (
      `Microsoft blocks this conversion: ${name} has onPremisesUserPrincipalName (${user.onPremises.userPrincipalName}), which Entra Connect's default sync rule writes and which can keep ` +
      'them from signing in with external credentials. An admin must change that rule so it no longer writes onPremisesUserPrincipalName for partners, wait for a sync, then convert.'
    );
  }
  if (!sameAddress(user.mail, address.address)) {
    return `${name}'s Email (User.Mail) is ${user.mail ?? 'empty'}, not ${address.display}. Microsoft requires Mail to be the external address they will use${user.onPremises ? ' (set mail in on-prem AD and let it sync)' : ''}, then convert.`;
  }
  if (homeRealm && (homeRealm.kind === 'ownManaged' || homeRealm.kind === 'ownFederated')) {
    return `${homeRealm.domain} is one of our own domains: their own organization's account must be in a domain that is not ours.`;
  }
  return undefined;
}

/** Reads only: the account, its home realm, and whether Microsoft's documentation lets it be converted. */
export async function planConvert(ports: ConvertPorts, caller: Caller, input: string): Promise<ConvertPlan> {
  const checked = checkPartnerAddress(input);
  if (!checked.ok) return { kind: 'refused', reason: checked.problem };
  const address = checked.value;
  const found = await ports.lookup.whois({ kind: 'email', value: address.address }, caller);
  if (found.kind === 'notFound') return { kind: 'refused', reason: `No account here has the address ${address.display}.` };
  if (found.kind === 'ambiguous') {
    return { kind: 'refused', reason: `${found.candidates.length} accounts have the address ${address.display}; resolve that first ("partners ${address.display}" shows them).` };
  }
  const user = found.user;
  const homeRealm = await ports.realm.resolve(address.address).catch(() => undefined);
  const reason = refusalFor(user, address, homeRealm);
  if (reason) return { kind: 'refused', reason };
  return {
    kind: 'ready',
    address,
    user: { id: user.id, displayName: user.displayName, ...(user.userPrincipalName ? { userPrincipalName: user.userPrincipalName } : {}), synced: user.onPremises !== undefined },
    ...(homeRealm ? { homeRealm } : {}),
  };
}

/** Runs after Confirm: plans again (the account may have changed), then sends the one invitation and audits it. */
export async function convert(ports: ConvertPorts, caller: Caller, input: string): Promise<ConvertOutcome> {
  const plan = await planConvert(ports, caller, input);
  const audit = (outcome: 'success' | 'refused', detail: Record<string, unknown>) =>
    ports.store.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action: 'partner.convert', target: input.trim().toLowerCase(), outcome, detail });
  if (plan.kind === 'refused') {
    await audit('refused', { reason: plan.reason });
    return plan;
  }
  try {
    const response = await ports.invitations.invite({
      email: plan.address.address,
      redirectUrl: ports.redirectUrl,
      sendInvitationMessage: false,
      sponsorIds: [],
      convertUserId: plan.user.id,
    });
    await audit('success', { userId: plan.user.id, invitedUserId: response.invitedUser.id });
    return { kind: 'invited', address: plan.address, user: plan.user, redeemUrl: response.inviteRedeemUrl ?? undefined };
  } catch (error) {
    if (!(error instanceof InvitationRefusedError)) throw error;
    await audit('refused', { userId: plan.user.id, refusal: error.refusal.kind, message: error.refusal.message });
    return { kind: 'graphRefused', address: plan.address, refusal: error.refusal };
  }
}
