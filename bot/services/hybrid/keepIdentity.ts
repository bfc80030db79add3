import type { Caller } from '../../identity/caller';
import { sameObjectId } from '../../identity/objectId';
import type { Assignment, ProxyApp } from '../../graph/appProxy';
import type { Store } from '../../store';
import type { LookupService, UserSummary } from '../lookup';

/**
 * One person, two identities (a synced local partner account and an invited B2B guest with the same email): keep one.
 * The way Microsoft's guidance leaves open, done step by step, each confirmed: 1. move the app access the other identity
 * holds directly on our on-prem (App Proxy) apps to the one that stays (assign first, then remove, so the person never
 * holds less than before); 2. disable the other (kept, so it can be turned back on). Assignments through groups and on
 * apps the bot does not manage are left as they are and named. Only what the bot moved is touched.
 */
export interface KeepPorts {
  lookup: Pick<LookupService, 'whois'>;
  apps: {
    listApps(): Promise<ProxyApp[]>;
    listUserAssignments(userObjectId: string): Promise<Assignment[]>;
    assign(servicePrincipalId: string, principalId: string, appRoleId: string): Promise<{ assignment: Assignment; alreadyExisted: boolean }>;
    unassign(servicePrincipalId: string, assignmentId: string): Promise<boolean>;
  };
  accounts?: { disable(objectId: string): Promise<'disabled' | 'missing'> };
  store: Pick<Store, 'audit'>;
}

export interface Identity {
  id: string;
  displayName: string;
  userPrincipalName?: string;
  kind: 'synced' | 'invited' | 'cloud';
  enabled: boolean;
}

export interface MovableAccess {
  assignmentId: string;
  servicePrincipalId: string;
  appRoleId: string;
  appName: string;
  roleName: string;
  /** The identity that stays already holds this role: the other's is only removed. */
  keptHolds: boolean;
}

export type KeepPlan =
  | { kind: 'refused'; reason: string }
  | { kind: 'done'; reason: string }
  | { kind: 'move'; keep: Identity; other: Identity; moves: MovableAccess[]; leftAlone: string[] }
  | { kind: 'disable'; keep: Identity; other: Identity; leftAlone: string[] };

export type KeepOutcome =
  | { kind: 'refused'; reason: string }
  | { kind: 'done'; reason: string }
  | { kind: 'moved'; keep: Identity; other: Identity; moved: MovableAccess[]; failed?: { access: MovableAccess; reason: string } }
  | { kind: 'disabled'; keep: Identity; other: Identity };

function identityOf(user: UserSummary): Identity {
  return {
    id: user.id,
    displayName: user.displayName,
    ...(user.userPrincipalName ? { userPrincipalName: user.userPrincipalName } : {}),
    kind: user.onPremises ? 'synced' : user.source.kind === 'invitedGuest' ? 'invited' : 'cloud',
    enabled: user.accountEnabled !== false,
  };
}

function describeIdentity(i: Identity): string {
  const what = i.kind === 'synced' ? 'the account synced from AD' : i.kind === 'invited' ? 'the invited B2B guest' : 'the cloud account';
  return `${what} ${i.userPrincipalName ?? i.id}`;
}

export { describeIdentity };

const lower = (s: string | undefined): string => (s ?? '').toLowerCase();

/** Reads only: which step is next for this pair, and exactly what it would change. */
export async function planKeep(ports: KeepPorts, caller: Caller, keepId: string, otherId: string): Promise<KeepPlan> {
  if (sameObjectId(keepId, otherId)) return { kind: 'refused', reason: 'The identity to keep and the other one are the same account.' };
  const [keepFound, otherFound] = await Promise.all([
    ports.lookup.whois({ kind: 'objectId', value: keepId }, caller),
    ports.lookup.whois({ kind: 'objectId', value: otherId }, caller),
  ]);
  if (keepFound.kind !== 'found' || otherFound.kind !== 'found') {
    return { kind: 'refused', reason: `${keepFound.kind !== 'found' ? keepId : otherId} no longer exists in Entra. Run "partners" again for a fresh card.` };
  }
  const keepUser = keepFound.user;
  const otherUser = otherFound.user;
  if (!keepUser.mail || lower(keepUser.mail) !== lower(otherUser.mail)) {
    return { kind: 'refused', reason: `${keepUser.displayName} and ${otherUser.displayName} do not share an email address, so they are not two identities of one person. Nothing was changed.` };
  }
  const keep = identityOf(keepUser);
  const other = identityOf(otherUser);
  if (!keep.enabled) return { kind: 'refused', reason: `${describeIdentity(keep)} is disabled: enable the identity you keep first.` };
  const [apps, assignments] = await Promise.all([ports.apps.listApps(), ports.apps.listUserAssignments(other.id)]);
  const keptAssignments = await ports.apps.listUserAssignments(keep.id);
  const byId = new Map(apps.map((a) => [lower(a.servicePrincipalId), a]));
  const moves: MovableAccess[] = [];
  const leftAlone: string[] = [];
  for (const a of assignments) {
    const app = byId.get(lower(a.resourceId));
    const direct = sameObjectId(a.principalId, other.id) && (a.principalType ?? 'User') === 'User';
    if (!app) {
      if (direct) leftAlone.push('an assignment to an app the bot does not manage (not published through Application Proxy)');
      continue;
    }
    const roleName = app.roles.find((r) => lower(r.id) === lower(a.appRoleId))?.displayName ?? 'default access';
    if (!direct) {
      leftAlone.push(`${app.displayName} (${roleName}) through the group ${a.principalDisplayName ?? a.principalId}: add the kept identity to that group yourself`);
      continue;
    }
    const keptHolds = keptAssignments.some((k) => lower(k.resourceId) === lower(a.resourceId) && lower(k.appRoleId) === lower(a.appRoleId));
    moves.push({ assignmentId: a.id, servicePrincipalId: app.servicePrincipalId, appRoleId: a.appRoleId, appName: app.displayName, roleName, keptHolds });
  }
  if (moves.length > 0) return { kind: 'move', keep, other, moves, leftAlone };
  if (!other.enabled) return { kind: 'done', reason: `Nothing is left to do: ${describeIdentity(other)} holds no app access the bot manages and is disabled.` };
  if (other.kind === 'synced') {
    const sam = otherUser.onPremises?.samAccountName;
    return { kind: 'refused', reason: `${describeIdentity(other)} holds no more app access here, but it is synced from AD, where it is mastered: disable it in AD${sam ? ` (${sam})` : ''}, and the next sync disables it in Entra.` };
  }
  if (!ports.accounts) return { kind: 'refused', reason: 'The bot cannot disable accounts in this setup.' };
  return { kind: 'disable', keep, other, leftAlone };
}

/** Runs the next step after Confirm, planned again from what Graph holds now; every change is audited as it is made. */
export async function keepIdentity(ports: KeepPorts, caller: Caller, keepId: string, otherId: string): Promise<KeepOutcome> {
  const plan = await planKeep(ports, caller, keepId, otherId);
  const audit = (outcome: 'success' | 'refused' | 'failed', detail: Record<string, unknown>) =>
    ports.store.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action: 'partner.keepIdentity', target: otherId, outcome, detail: { keep: keepId, other: otherId, ...detail } });
  if (plan.kind === 'refused' || plan.kind === 'done') {
    await audit('refused', { reason: plan.reason });
    return plan;
  }
  if (plan.kind === 'disable') {
    const result = await ports.accounts?.disable(plan.other.id);
    if (result !== 'disabled') {
      await audit('refused', { step: 'disable', reason: 'gone' });
      return { kind: 'done', reason: `${describeIdentity(plan.other)} no longer exists in Entra: nothing is left to do.` };
    }
    await audit('success', { step: 'disable' });
    return { kind: 'disabled', keep: plan.keep, other: plan.other };
  }
  const moved: MovableAccess[] = [];
  for (const access of plan.moves) {
    try {
      // Assign first, then remove: a failure in between leaves the person with both, never with neither.
      const created = access.keptHolds ? undefined : await ports.apps.assign(access.servicePrincipalId, plan.keep.id, access.appRoleId);
      await ports.apps.unassign(access.servicePrincipalId, access.assignmentId);
      await audit('success', {
        step: 'move',
        app: access.servicePrincipalId,
        role: access.appRoleId,
        removedAssignment: access.assignmentId,
        createdAssignment: created && !created.alreadyExisted ? created.assignment.id : null,
      });
      moved.push(access);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await audit('failed', { step: 'move', app: access.servicePrincipalId, role: access.appRoleId, reason });
      return { kind: 'moved', keep: plan.keep, other: plan.other, moved, failed: { access, reason } };
    }
  }
  return { kind: 'moved', keep: plan.keep, other: plan.other, moved };
}
