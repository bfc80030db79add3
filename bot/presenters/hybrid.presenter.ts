import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { ConvertOutcome, MarkOutcome, SigninReport } from '../services/hybrid';

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

export const MARK_USAGE = 'mark <account> as partner|employee';

export function markReply(outcome: MarkOutcome): Attachment {
  switch (outcome.kind) {
    case 'refused':
      return cards.notice({ tone: 'warning', title: outcome.reason, text: 'Nothing was changed.' });
    case 'unchanged':
      return cards.notice({ tone: 'info', title: outcome.reason });
    case 'changedMeanwhile':
      return cards.notice({
        tone: 'warning',
        title: `${outcome.attribute} of ${outcome.account.sAMAccountName} changed since it was shown (${outcome.shown ?? 'empty'}).`,
        text: 'Nothing was changed. Send the command again to see its value now.',
      });
    case 'written':
      return cards.notice({
        tone: 'good',
        title: `${outcome.account.sAMAccountName}: ${outcome.attribute} is now ${outcome.after === undefined ? 'empty' : `"${outcome.after}"`} (was ${outcome.before === undefined ? 'empty' : `"${outcome.before}"`}).`,
        text: outcome.nextSync,
      });
  }
}
