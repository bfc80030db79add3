import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { ConfirmDecision } from '../handlers/confirmation';
import type { ConvertOutcome, ConvertPlan, SigninReport } from '../services/hybrid';

export const SIGNIN_USAGE = 'signin <email>';
export const CONVERT_USAGE = 'convert <email>';

/** The `signin` answer: the four documented steps, each done or missing with its fact, and the address to send. */
export function signinReply(report: SigninReport): Attachment {
  if (report.kind === 'notFound') {
    return cards.notice({ tone: 'warning', title: `No account here has the address ${report.email}.`, text: 'Check the spelling, or run "partners" to see the partner accounts.' });
  }
  if (report.kind === 'ambiguous') {
    return cards.notice({ tone: 'warning', title: `${report.count} accounts have the address ${report.email}.`, text: 'Run "whois" with their UPN to pick one.' });
  }
  return cards.checklist({
    title: `Email as sign-in for ${report.person.displayName} (${report.email})`,
    intro: 'The four steps of Microsoft\'s "Let your partners use email as sign-in to access cloud apps", checked for this one account.',
    items: report.steps.map((s) => ({ heading: s.title, ok: s.ok, fact: s.fact })),
    link: { label: 'Sign-in address to send them', value: report.signInUrl },
    footnote: report.person.userPrincipalName ? `Cloud UPN: ${report.person.userPrincipalName}` : undefined,
  });
}

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

export function convertReply(outcome: ConvertOutcome): Attachment {
  switch (outcome.kind) {
    case 'refused':
      return cards.notice({ tone: 'warning', title: outcome.reason, text: 'Nothing was changed.' });
    case 'graphRefused':
      return cards.notice({ tone: 'attention', title: `Microsoft Entra refused to convert ${outcome.address.display}.`, text: `${outcome.refusal.message} Nothing was changed.` });
    case 'invited':
      return cards.notice({
        tone: 'good',
        title: `${outcome.user.displayName} is invited to sign in with ${outcome.address.display}.`,
        text: 'No email was sent: pass them this link. Until they accept, nothing changes for them; after that, they sign in with their own organization\'s account.',
        code: outcome.redeemUrl ?? '',
      });
  }
}
