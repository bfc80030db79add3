import { describeMapping, type AppRoleGroupMapping } from '../../config';
import { DEFAULT_ACCESS_ROLE_ID, type ProxyApp } from '../../graph/appProxy';
import type { GroupCheck } from '../../onprem/adGroups';
import { dnKey, type AccessRequestRecord, type AdGroupMembershipRecord, type Store } from '../../store';

/** The directory side of AD group membership; AdGroupMembership (bot/onprem/adGroups.ts) over LDAPS, a double in tests. */
export interface GroupDirectory {
  checkGroup(dn: string): Promise<GroupCheck>;
  isMember(groupDn: string, memberDn: string): Promise<boolean>;
  add(groupDn: string, memberDn: string): Promise<'added' | 'alreadyMember'>;
  remove(groupDn: string, memberDn: string): Promise<'removed' | 'notMember'>;
}

/** A synced (locally managed) partner's own AD account, found from the keys Entra Connect wrote on their Entra user. */
export interface OwnAccountFinder {
  /** The account's DN, or a sentence saying why none (or more than one) was found. */
  ownAccountOf(guestObjectId: string): Promise<{ dn: string } | { problem: string }>;
}

/** One configured mapping after start-up resolved it: the app and role as Graph has them, the groups as AD spells them. */
export interface ResolvedGroupMapping {
  servicePrincipalId: string;
  appDisplayName: string;
  /** Undefined: every role of the app. */
  appRoleId?: string;
  roleName?: string;
  groups: readonly string[];
}

/** What a grant did to its groups. */
export interface GroupGrantResult {
  /** Groups the bot put the account in (now, or in an earlier attempt of the same step). */
  added: string[];
  /** Groups the account was in before the grant: never removed by it. */
  alreadyMember: string[];
}

/** What ending grants did to their groups. */
export interface GroupReleaseResult {
  /** Memberships the bot had added, now removed. */
  removed: string[];
  /** Memberships the bot had added that another live grant still needs: kept, and that grant removes them when it ends. */
  keptForOtherGrant: string[];
}

/** A synced user's keys as Entra Connect wrote them (GraphPartnerUsers.syncedUser). */
export interface SyncedUserKeys {
  onPremisesSyncEnabled?: boolean;
  onPremisesSecurityIdentifier?: string;
  onPremisesImmutableId?: string;
  onPremisesUserPrincipalName?: string;
  onPremisesSamAccountName?: string;
}

/**
 * A synced partner's own AD account, joined as `partners` joins (objectSid = onPremisesSecurityIdentifier, else the source
 * anchor, else the on-prem UPN or sAMAccountName), each key tried alone so a weaker key never outvotes a stronger one.
 */
export class SyncedOwnAccounts implements OwnAccountFinder {
  constructor(
    private readonly entra: { syncedUser(objectId: string): Promise<SyncedUserKeys | undefined> },
    private readonly ad: { findBySyncedKeys(keys: { sids?: string[]; immutableIds?: string[]; userPrincipalNames?: string[]; sAMAccountNames?: string[] }): Promise<{ dn: string }[]> },
  ) {}

  async ownAccountOf(guestObjectId: string): Promise<{ dn: string } | { problem: string }> {
    const user = await this.entra.syncedUser(guestObjectId);
    if (!user) return { problem: `The partner ${guestObjectId} no longer exists in Entra.` };
    if (user.onPremisesSyncEnabled !== true) return { problem: 'The partner is no longer synced from on-prem AD, so the bot has no AD account of theirs to put in the groups.' };
    const steps: { name: string; keys: Parameters<SyncedOwnAccounts['ad']['findBySyncedKeys']>[0] }[] = [
      { name: 'objectSid', keys: user.onPremisesSecurityIdentifier ? { sids: [user.onPremisesSecurityIdentifier] } : {} },
      { name: 'source anchor', keys: user.onPremisesImmutableId ? { immutableIds: [user.onPremisesImmutableId] } : {} },
      { name: 'UPN', keys: user.onPremisesUserPrincipalName ? { userPrincipalNames: [user.onPremisesUserPrincipalName] } : {} },
      { name: 'sAMAccountName', keys: user.onPremisesSamAccountName ? { sAMAccountNames: [user.onPremisesSamAccountName] } : {} },
    ];
    for (const step of steps) {
      if (Object.keys(step.keys).length === 0) continue;
      const found = await this.ad.findBySyncedKeys(step.keys);
      if (found.length === 1 && found[0]) return { dn: found[0].dn };
      if (found.length > 1) return { problem: `${found.length} on-prem accounts match the partner's ${step.name} (${found.map((f) => f.dn).join('; ')}); an admin must resolve it.` };
    }
    return { problem: "No on-prem account under ONPREM_PARTNER_SEARCH_BASE matches the partner's sync keys (objectSid, source anchor, UPN, sAMAccountName)." };
  }
}

/** A group's CN, unescaped, for a short line in whois; the whole DN when it has none. */
export function groupCn(dn: string): string {
  const match = /^CN=((?:\\.|[^,\\])+)/i.exec(dn);
  return match?.[1] ? match[1].replace(/\\(.)/g, '$1') : dn;
}

const SYSTEM_ACTOR = 'system:grant';
const EXPIRY_ACTOR = 'system:expiry';

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * Resolves ONPREM_APP_ROLE_GROUPS against what Graph and AD hold now, for start-up: every entry must name one Kerberos app
 * (appId, service principal id or display name), a role it has (value, id or display name), and groups that exist as
 * groups. Returns every problem, each naming its entry, so an operator fixes them in one pass.
 */
export async function resolveGroupMappings(
  mappings: readonly AppRoleGroupMapping[],
  apps: readonly ProxyApp[],
  directory: GroupDirectory,
): Promise<{ resolved: ResolvedGroupMapping[]; problems: string[] }> {
  const resolved: ResolvedGroupMapping[] = [];
  const problems: string[] = [];
  for (const [index, m] of mappings.entries()) {
    const name = describeMapping(m, index);
    const byId = apps.filter((a) => same(a.appId, m.app) || same(a.servicePrincipalId, m.app));
    const candidates = byId.length > 0 ? byId : apps.filter((a) => same(a.displayName, m.app));
    const app = candidates[0];
    if (!app) {
      problems.push(`${name}: no application proxy app has that appId, service principal id or display name.`);
      continue;
    }
    if (candidates.length > 1) {
      problems.push(`${name}: ${candidates.length} apps have that display name; name it by its appId (${candidates.map((c) => c.appId).join(', ')}).`);
      continue;
    }
    if (app.ssoKind !== 'kerberos') {
      problems.push(`${name}: ${app.displayName} does not sign users in with Kerberos (KCD); AD groups apply only to Kerberos apps' grants.`);
      continue;
    }
    let role: { id: string; name: string } | undefined;
    if (m.role !== undefined) {
      const wanted = m.role;
      const found = app.roles.find((r) => same(r.id, wanted)) ?? app.roles.find((r) => r.value !== undefined && same(r.value, wanted)) ?? app.roles.find((r) => same(r.displayName, wanted));
      if (found) role = { id: found.id, name: found.displayName };
      else if (app.roles.length === 0 && (same(wanted, DEFAULT_ACCESS_ROLE_ID) || same(wanted, 'Default access'))) role = { id: DEFAULT_ACCESS_ROLE_ID, name: 'Default access' };
      else {
        const offered = app.roles.length > 0 ? app.roles.map((r) => r.value ?? r.displayName).join(', ') : 'only the default access (leave role out)';
        problems.push(`${name}: ${app.displayName} has no role with that value, id or name (it has ${offered}).`);
        continue;
      }
    }
    const groups: string[] = [];
    for (const dn of m.groups) {
      let check: GroupCheck;
      try {
        check = await directory.checkGroup(dn);
      } catch (error) {
        problems.push(`${name}: could not check ${dn}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (check.kind === 'group') groups.push(check.dn);
      else if (check.kind === 'missing') problems.push(`${name}: the group ${dn} does not exist in the on-prem directory.`);
      else if (check.kind === 'notGroup') problems.push(`${name}: ${dn} exists but is not a group.`);
      else problems.push(`${name}: ${dn} is not a valid DN: ${check.problem}.`);
    }
    if (groups.length === m.groups.length) {
      resolved.push({ servicePrincipalId: app.servicePrincipalId, appDisplayName: app.displayName, ...(role ? { appRoleId: role.id, roleName: role.name } : {}), groups });
    }
  }
  return { resolved, problems };
}

/**
 * AD groups for Kerberos grants (issue 10). A grant puts the partner's AD account (the shadow account, or a synced
 * partner's own) in the groups its app role maps to; ending the grant takes it out of only those the bot put it in. Each
 * membership is written to the store before the LDAP write and moved by compare-and-set after it, so a step repeated
 * after a crash knows what it had found and finishes what it started; "already a member" and "not a member" count as done.
 */
export class AdGroupGrants {
  constructor(
    private readonly deps: {
      store: Store;
      directory: GroupDirectory;
      mappings: readonly ResolvedGroupMapping[];
      /** For synced partners; without it, their grants of a mapped role fail with the reason. */
      ownAccounts?: OwnAccountFinder;
    },
  ) {}

  /** The groups a grant of this role of this app adds, in configuration order, without repeats. */
  groupsFor(servicePrincipalId: string, appRoleId: string): string[] {
    const out = new Map<string, string>();
    for (const m of this.deps.mappings) {
      if (!same(m.servicePrincipalId, servicePrincipalId)) continue;
      if (m.appRoleId !== undefined && !same(m.appRoleId, appRoleId)) continue;
      for (const g of m.groups) if (!out.has(dnKey(g))) out.set(dnKey(g), g);
    }
    return [...out.values()];
  }

  /** The account a synced partner's grant puts in the groups: their own, found by the sync keys; throws the reason when none. */
  async ownAccountDn(guestObjectId: string): Promise<string> {
    if (!this.deps.ownAccounts) throw new Error('This bot cannot look up a synced partner\'s own AD account (ONPREM_* is not configured).');
    const found = await this.deps.ownAccounts.ownAccountOf(guestObjectId);
    if ('problem' in found) throw new Error(found.problem);
    return found.dn;
  }

  /**
   * Puts `memberDn` in every group the grant's role maps to. For each group: the first attempt reads whether the account is
   * a member already and records that; a membership found is left as it is, one not found is added and marked added. Each
   * add is audited with its row's move.
   */
  async grant(record: AccessRequestRecord, memberDn: string): Promise<GroupGrantResult> {
    const result: GroupGrantResult = { added: [], alreadyMember: [] };
    const repo = this.deps.store.adGroupMemberships;
    for (const groupDn of this.groupsFor(record.servicePrincipalId, record.appRoleId)) {
      let row = await repo.get(record.id, groupDn);
      if (!row) {
        const before = await this.deps.directory.isMember(groupDn, memberDn);
        row = await repo.begin({ requestId: record.id, groupDn, memberDn, guestObjectId: record.guestObjectId, state: before ? 'preExisting' : 'adding' });
      }
      if (row.state === 'preExisting') {
        result.alreadyMember.push(row.groupDn);
        continue;
      }
      if (row.state === 'adding') {
        const answer = await this.deps.directory.add(row.groupDn, row.memberDn);
        const adding = row;
        await this.deps.store.transaction(async (tx) => {
          if (!(await tx.adGroupMemberships.move(adding, 'added'))) return;
          await tx.audit.append({
            actor: record.decidedBy ?? SYSTEM_ACTOR,
            actorName: record.decidedByName,
            action: 'access.adGroup.add',
            target: record.guestUpn,
            outcome: 'success',
            detail: { request: record.id, group: adding.groupDn, member: adding.memberDn, ...(answer === 'alreadyMember' ? { alreadyMemberOnRepeat: true } : {}) },
          });
        });
      }
      result.added.push(row.groupDn);
    }
    return result;
  }

  /**
   * Takes the accounts of these ended grants out of the groups those grants added them to, and out of no other. A membership
   * another live grant (granted, or being granted) also needs is handed to that grant instead, which then owns it. Run after
   * the grants are ended, so none of them counts as live; safe to repeat.
   */
  async release(ending: readonly AccessRequestRecord[], how: { actor: string; actorName?: string } = { actor: EXPIRY_ACTOR }): Promise<GroupReleaseResult> {
    const result: GroupReleaseResult = { removed: [], keptForOtherGrant: [] };
    const repo = this.deps.store.adGroupMemberships;
    const endingIds = new Set(ending.map((r) => r.id));
    for (const record of ending) {
      for (const row of await repo.listForRequest(record.id)) {
        if (row.state !== 'adding' && row.state !== 'added') continue;
        const heir = await this.heirOf(row, endingIds);
        if (heir) {
          await this.deps.store.transaction(async (tx) => {
            if (!(await tx.adGroupMemberships.move(row, 'handedOver'))) return;
            if (heir.state === 'preExisting') await tx.adGroupMemberships.move(heir, 'added');
            await tx.audit.append({
              actor: how.actor,
              ...(how.actorName ? { actorName: how.actorName } : {}),
              action: 'access.adGroup.remove',
              target: record.guestUpn,
              outcome: 'skipped',
              detail: { request: record.id, group: row.groupDn, member: row.memberDn, reason: 'another live grant needs this membership', heldBy: heir.requestId },
            });
          });
          result.keptForOtherGrant.push(row.groupDn);
          continue;
        }
        const answer = await this.deps.directory.remove(row.groupDn, row.memberDn);
        await this.deps.store.transaction(async (tx) => {
          if (!(await tx.adGroupMemberships.move(row, 'removed'))) return;
          await tx.audit.append({
            actor: how.actor,
            ...(how.actorName ? { actorName: how.actorName } : {}),
            action: 'access.adGroup.remove',
            target: record.guestUpn,
            outcome: 'success',
            detail: { request: record.id, group: row.groupDn, member: row.memberDn, ...(answer === 'notMember' ? { alreadyGone: true } : {}) },
          });
        });
        result.removed.push(row.groupDn);
      }
    }
    return result;
  }

  /** What whois shows: the groups the bot's grants hold the partner's account in now. */
  async heldFor(guestObjectId: string): Promise<AdGroupMembershipRecord[]> {
    return (await this.deps.store.adGroupMemberships.listForGuest(guestObjectId)).filter((r) => r.state === 'adding' || r.state === 'added' || r.state === 'preExisting');
  }

  /** The groups these grants added and still own: what ending them removes (unless another live grant needs one). */
  async ownedBy(requests: readonly AccessRequestRecord[]): Promise<string[]> {
    const out: string[] = [];
    for (const r of requests) for (const row of await this.deps.store.adGroupMemberships.listForRequest(r.id)) if (row.state === 'adding' || row.state === 'added') out.push(row.groupDn);
    return [...new Set(out)];
  }

  private async heirOf(row: AdGroupMembershipRecord, endingIds: ReadonlySet<string>): Promise<AdGroupMembershipRecord | undefined> {
    for (const other of await this.deps.store.adGroupMemberships.listForMembership(row.memberDn, row.groupDn)) {
      if (endingIds.has(other.requestId) || other.requestId === row.requestId) continue;
      if (other.state === 'removed' || other.state === 'handedOver') continue;
      const request = await this.deps.store.accessRequests.get(other.requestId);
      if (request && (request.state === 'granted' || request.state === 'approved')) return other;
    }
    return undefined;
  }
}
