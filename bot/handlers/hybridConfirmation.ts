import { describeIdentity, type ConvertPlan, type KeepPlan, type MarkPlan } from '../services/hybrid';
import type { ConfirmDecision } from './confirmation';

/** What `convert` will change, for the confirmation gate; a refusal says the documented reason. */
export function convertQuestion(plan: ConvertPlan): ConfirmDecision {
  if (plan.kind === 'refused') return { refuse: plan.reason };
  const { user, address, homeRealm } = plan;
  const realm = homeRealm ? homeRealm.sentence : `Where ${address.display} signs in could not be checked.`;
  return {
    title: `Convert ${user.displayName} to sign in with ${address.display}?`,
    consequence:
      `${user.displayName} will be invited to B2B collaboration on this same account. Once they accept, their cloud sign-in moves to their home realm: ${realm} ` +
      `The local password stops working in the cloud${user.synced ? '; it still works on-prem until you set the AD password to a random value, and AD stays the source of authority (disabling or deleting it there syncs)' : ''}. ` +
      'They keep their object id, UPN, groups and app assignments; UserType is not changed. Microsoft documents this as one-way: the B2B credentials cannot be removed later.',
    confirmLabel: 'Convert',
    facts: [
      { title: 'Account', value: user.userPrincipalName ?? user.id },
      { title: 'Object id', value: user.id },
      { title: 'External address', value: address.display },
      { title: 'Signs in with', value: homeRealm?.organizationName ?? homeRealm?.domain ?? address.domain },
    ],
  };
}

/** What `mark` will write, for the confirmation gate: the account, the attribute before and after, and the next sync. */
export function markQuestion(plan: MarkPlan): ConfirmDecision {
  if (plan.kind === 'refused') return { refuse: plan.reason };
  if (plan.kind === 'unchanged') return { notDestructive: plan.reason };
  const name = plan.account.displayName ?? plan.account.userPrincipalName ?? plan.account.sAMAccountName;
  return {
    title: `Mark ${name} as ${plan.as === 'partner' ? 'a partner' : 'an employee'}?`,
    consequence: `${plan.nextSync} ${plan.caveats.join(' ')}`,
    confirmLabel: plan.as === 'partner' ? 'Mark as partner' : 'Mark as employee',
    facts: [
      { title: 'Account', value: plan.account.dn },
      { title: 'sAMAccountName', value: plan.account.sAMAccountName },
      { title: 'UPN', value: plan.account.userPrincipalName ?? '(none)' },
      { title: `${plan.attribute} now`, value: plan.before ?? '(empty)' },
      { title: `${plan.attribute} after`, value: plan.after ?? '(empty)' },
    ],
  };
}


/** The next step of keeping one identity, for the confirmation gate: exactly what it moves or disables, and what it leaves. */
export function keepQuestion(plan: KeepPlan): ConfirmDecision {
  if (plan.kind === 'refused') return { refuse: plan.reason };
  if (plan.kind === 'done') return { notDestructive: plan.reason };
  const left = plan.leftAlone.length > 0 ? ` Left as it is: ${plan.leftAlone.join('; ')}.` : '';
  if (plan.kind === 'disable') {
    return {
      title: `Disable ${describeIdentity(plan.other)}?`,
      consequence: `Step 2 of 2. ${plan.other.displayName} will no longer be able to sign in with ${describeIdentity(plan.other)}; they keep signing in with ${describeIdentity(plan.keep)}. The account is kept, with its groups, so it can be enabled again.${left}`,
      confirmLabel: 'Disable the other',
      facts: [
        { title: 'Keep', value: plan.keep.userPrincipalName ?? plan.keep.id },
        { title: 'Disable', value: plan.other.userPrincipalName ?? plan.other.id },
      ],
    };
  }
  return {
    title: `Move ${plan.moves.length} app assignment${plan.moves.length === 1 ? '' : 's'} to ${describeIdentity(plan.keep)}?`,
    consequence: `Step 1 of 2. Each is first given to the identity that stays, then removed from ${describeIdentity(plan.other)}, so ${plan.keep.displayName} never holds less than now. Step 2, disabling the other, is asked separately.${left}`,
    confirmLabel: 'Move app access',
    facts: plan.moves.map((m) => ({ title: m.appName, value: `${m.roleName}${m.keptHolds ? ' (already held by the kept identity: only removed from the other)' : ''}` })),
  };
}
