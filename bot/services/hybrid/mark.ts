import { matchPartnerRule, type PartnerMarkerConfig, type PartnerRuleMatch } from '../../config';
import type { Caller } from '../../identity/caller';
import type { Store } from '../../store';

export type MarkAs = 'partner' | 'employee';

/** The AD account as the on-prem lookup (bot/onprem/partnerAccounts.ts) returns it: what `mark` shows and writes. */
export interface MarkTarget {
  dn: string;
  sAMAccountName: string;
  userPrincipalName?: string;
  displayName?: string;
  markerValue?: string;
  partner?: PartnerRuleMatch;
}

export interface MarkPorts {
  /** Finds one AD account by the text typed; throws an error whose message says what was wrong with it. */
  accounts: { findByText(text: string): Promise<{ kind: 'found'; account: MarkTarget } | { kind: 'ambiguous'; accounts: MarkTarget[] } | { kind: 'notFound' }> };
  writer: { readonly attribute: string; write(dn: string, before: string | undefined, after: string | undefined): Promise<'written' | 'changed'> };
  rules: PartnerMarkerConfig;
  store: Pick<Store, 'audit'>;
}

export type MarkPlan =
  | { kind: 'refused'; reason: string }
  | { kind: 'unchanged'; reason: string }
  | {
      kind: 'ready';
      as: MarkAs;
      account: MarkTarget;
      attribute: string;
      before?: string;
      after?: string;
      /** What the next sync cycle will do to the account's UserType, and Microsoft's documented caveats. */
      nextSync: string;
      caveats: string[];
    };

export type MarkOutcome =
  | { kind: 'refused'; reason: string }
  | { kind: 'unchanged'; reason: string }
  | { kind: 'changedMeanwhile'; account: MarkTarget; attribute: string; shown?: string }
  | { kind: 'written'; account: MarkTarget; attribute: string; before?: string; after?: string; nextSync: string };

function accountName(a: MarkTarget): string {
  return a.userPrincipalName ?? a.sAMAccountName;
}

function describeMatch(match: PartnerRuleMatch): string {
  return 'upnSuffix' in match ? `its UPN suffix @${match.upnSuffix}` : `${match.attribute} = "${match.value}"`;
}

/**
 * Microsoft's caveats on UserType sync ("Microsoft Entra Connect Sync: Make a change to the default configuration", section
 * "Enable synchronization of UserType"): the sync is off by default, and then synced users are Member; Entra Connect before
 * 1.5.30.0 sets UserType only when it creates the cloud user; a direct flow needs the attribute itself to hold Guest or
 * Member, otherwise the rule is an expression; the rule's scoping filter skips objects whose adminDescription starts with
 * User_. The default cycle is every 30 minutes ("Microsoft Entra Connect Sync: Scheduler").
 */
function caveatsFor(rules: PartnerMarkerConfig, attribute: string): string[] {
  const value = rules.markerValue.trim();
  const direct = /^(guest|member)$/i.test(value);
  return [
    'UserType sync is off by default in Entra Connect; without the rule, every synced user is a Member whatever this attribute says.',
    direct
      ? `A direct flow of ${attribute} to UserType works because the value is "${value}".`
      : `"${value}" is not a UserType, so the sync rule must be an expression, e.g. IIF([${attribute}]="${value}","Guest","Member"); a direct flow would be refused.`,
    'Entra Connect before 1.5.30.0 sets UserType only when it creates the cloud user: an existing user keeps its UserType until it is changed with PowerShell (Update-MgUser).',
    'The rule skips AD objects whose adminDescription starts with "User_" (such as the bot\'s shadow accounts).',
  ];
}

function nextSyncSentence(as: MarkAs, account: MarkTarget): string {
  const who = accountName(account);
  return as === 'partner'
    ? `At the next sync cycle (every 30 minutes by default), a UserType rule that reads the marker makes ${who} a Guest in Entra; until then, a synced ${who} keeps a member's access.`
    : `At the next sync cycle (every 30 minutes by default), a UserType rule that reads the marker makes ${who} a Member in Entra, with a member's access.`;
}

/** Reads only: the account, the value before and after, and what the sync will do; or why not. */
export async function planMark(ports: MarkPorts, text: string, as: MarkAs): Promise<MarkPlan> {
  const attribute = ports.rules.markerAttribute;
  if (!attribute) {
    return { kind: 'refused', reason: 'No marker attribute is configured (PARTNER_MARKER_ATTRIBUTE is none): partners are told apart by UPN suffix only, so there is nothing to write. Change the account\'s UPN instead.' };
  }
  if (attribute.toLowerCase() !== ports.writer.attribute.toLowerCase()) {
    return { kind: 'refused', reason: `The writer is set for ${ports.writer.attribute}, the partner rule for ${attribute}. An admin must fix the bot configuration.` };
  }
  let found;
  try {
    found = await ports.accounts.findByText(text);
  } catch (error) {
    return { kind: 'refused', reason: error instanceof Error ? error.message : String(error) };
  }
  if (found.kind === 'notFound') return { kind: 'refused', reason: `No on-prem account matches "${text}". Give its sAMAccountName, UPN or email address.` };
  if (found.kind === 'ambiguous') {
    return { kind: 'refused', reason: `${found.accounts.length} on-prem accounts match "${text}" (${found.accounts.map(accountName).join(', ')}). Give the sAMAccountName of the one you mean.` };
  }
  const account = found.account;
  const before = account.markerValue;
  const marked = before !== undefined && before.trim().toLowerCase() === ports.rules.markerValue.trim().toLowerCase();
  if (as === 'partner' && marked) return { kind: 'unchanged', reason: `${accountName(account)} is already marked as a partner (${attribute} = "${before}"). Nothing to change.` };
  if (as === 'employee' && !marked) {
    const suffix = account.partner && 'upnSuffix' in account.partner ? account.partner.upnSuffix : undefined;
    if (suffix) {
      return { kind: 'refused', reason: `${accountName(account)} is a partner by its UPN suffix @${suffix}, not by ${attribute}; clearing ${attribute} would change nothing. Change its UPN to make it an employee.` };
    }
    return { kind: 'unchanged', reason: `${accountName(account)} is not marked as a partner (${attribute} is ${before === undefined ? 'empty' : `"${before}"`}). Nothing to change.` };
  }
  const after = as === 'partner' ? ports.rules.markerValue.trim() : undefined;
  if (as === 'employee') {
    const still = matchPartnerRule({ markerValueOf: () => undefined, userPrincipalNames: [account.userPrincipalName] }, ports.rules);
    if (still) {
      return { kind: 'refused', reason: `${accountName(account)} would still be a partner by ${describeMatch(still)} after clearing ${attribute}. Change its UPN to make it an employee; nothing was changed.` };
    }
  }
  return { kind: 'ready', as, account, attribute, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), nextSync: nextSyncSentence(as, account), caveats: caveatsFor(ports.rules, attribute) };
}

/**
 * Runs after Confirm: plans again from the directory as it is now, writes the one attribute with the value just read as its
 * precondition, and audits what was written (or that it was not).
 */
export async function mark(ports: MarkPorts, caller: Caller, text: string, as: MarkAs): Promise<MarkOutcome> {
  const plan = await planMark(ports, text, as);
  const audit = (target: string, outcome: 'success' | 'refused', detail: Record<string, unknown>) =>
    ports.store.audit.append({ actor: caller.aadObjectId, actorName: caller.name, action: 'partner.mark', target, outcome, detail: { as, ...detail } });
  if (plan.kind !== 'ready') {
    await audit(text.trim(), 'refused', { reason: plan.reason });
    return plan;
  }
  const { account, attribute, before, after } = plan;
  let result: 'written' | 'changed';
  try {
    result = await ports.writer.write(account.dn, before, after);
  } catch (error) {
    // The writer's errors say what AD refused (rights, a vanished account) in words for the card; a modify is all or nothing.
    const reason = error instanceof Error ? error.message : String(error);
    await audit(account.dn, 'refused', { reason, attribute });
    return { kind: 'refused', reason };
  }
  if (result === 'changed') {
    await audit(account.dn, 'refused', { reason: 'changed-meanwhile', attribute, shown: before ?? null });
    return { kind: 'changedMeanwhile', account, attribute, ...(before !== undefined ? { shown: before } : {}) };
  }
  await audit(account.dn, 'success', { attribute, before: before ?? null, after: after ?? null, sAMAccountName: account.sAMAccountName });
  return { kind: 'written', account, attribute, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}), nextSync: plan.nextSync };
}
