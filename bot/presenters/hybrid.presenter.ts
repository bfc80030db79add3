import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import { describeIdentity, type ConvertOutcome, type KeepOutcome, type MarkOutcome, type SigninReport } from '../services/hybrid';

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

/** The result of one step of keeping one identity, with the next step's button when there is one. */
export function keepReply(outcome: KeepOutcome): Attachment {
  switch (outcome.kind) {
    case 'refused':
      return cards.notice({ tone: 'warning', title: outcome.reason, text: 'Nothing was changed.' });
    case 'done':
      return cards.notice({ tone: 'info', title: outcome.reason });
    case 'disabled':
      return cards.identityStep({
        tone: 'good',
        title: `Disabled ${describeIdentity(outcome.other)}`,
        text: `${outcome.keep.displayName} now has one identity: ${describeIdentity(outcome.keep)}.`,
        facts: [{ title: 'Kept', value: outcome.keep.userPrincipalName ?? outcome.keep.id }, { title: 'Disabled', value: outcome.other.userPrincipalName ?? outcome.other.id }],
      });
    case 'moved': {
      const next = { title: 'Next: disable the other', keepObjectId: outcome.keep.id, otherObjectId: outcome.other.id };
      const facts = outcome.moved.map((m) => ({ title: m.appName, value: `${m.roleName}: moved` }));
      if (outcome.failed) {
        return cards.identityStep({
          tone: 'attention',
          title: `Moved ${outcome.moved.length}, then ${outcome.failed.access.appName} failed`,
          text: `${outcome.failed.reason} ${outcome.failed.access.appName} stays with ${describeIdentity(outcome.other)} (nothing is half-moved). Run the step again to finish.`,
          facts,
          next: { ...next, title: 'Try the move again' },
        });
      }
      return cards.identityStep({
        tone: 'good',
        title: `Moved ${outcome.moved.length} app assignment${outcome.moved.length === 1 ? '' : 's'} to ${outcome.keep.displayName}`,
        text: `They now belong to ${describeIdentity(outcome.keep)} and were removed from ${describeIdentity(outcome.other)}. Next, disable the other identity (asked first).`,
        facts,
        next,
      });
    }
  }
}
