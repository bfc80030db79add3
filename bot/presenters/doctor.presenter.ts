import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { DoctorOutcome } from '../services/doctor/doctorService';

export const DOCTOR_USAGE = 'doctor <email | UPN | object id | name> [for <app>]';

/** The doctor's answer: the report card, or what was wrong with the question and what to do. */
export function doctorReply(outcome: DoctorOutcome): { card: Attachment; text?: string } {
  switch (outcome.kind) {
    case 'report':
      return { card: cards.doctor(outcome.report), text: outcome.report.verdict };
    case 'badInput':
      return { card: cards.notice({ tone: 'warning', title: outcome.problem, text: 'Usage:', code: DOCTOR_USAGE }) };
    case 'ambiguousUser':
      return {
        card: cards.notice({
          tone: 'warning',
          title: `${outcome.candidates.length}${outcome.more ? '+' : ''} people match "${outcome.query}"`,
          text: `Name one by their email address: ${outcome.candidates.map((c) => `${c.displayName} (${c.mail ?? c.userPrincipalName ?? c.id})`).join('; ')}.`,
        }),
      };
    case 'pickApp':
      return {
        card: cards.notice({
          tone: 'warning',
          title: outcome.matched === 'several' ? `Several apps match "${outcome.query}"` : `No app is called "${outcome.query}"`,
          text: `${outcome.matched === 'several' ? 'Which one?' : 'The nearest:'} ${outcome.candidates.map((a) => a.displayName).join('; ')}. Send doctor again with the full name.`,
          code: DOCTOR_USAGE,
        }),
      };
    case 'unknownApp':
      return {
        card: cards.notice({ tone: 'warning', title: `No app is called "${outcome.query}"`, text: "Give the app's full name as Microsoft Entra shows it (you must be one of its owners). Usage:", code: DOCTOR_USAGE }),
      };
    case 'notAllowed':
      return {
        card: cards.notice({
          tone: 'warning',
          title: outcome.app ? `Only partner managers, admins and the owners of ${outcome.app.displayName} may run the doctor on it` : 'Only partner managers and admins may run the doctor without naming an app',
          text: outcome.app
            ? `Its owners: ${outcome.owners.map((o) => o.displayName ?? o.userPrincipalName ?? o.id).join(', ') || 'none listed'}. Nothing was read about the person.`
            : "If you own an app, name it: doctor <email> for <app>. Nothing was read about the person.",
        }),
      };
  }
}
