import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import { DirectoryUnavailableError, MissingPermissionError } from '../graph/errors';
import { missingPermissionCard } from '../presenters/permission.presenter';

/** The card a person sees when something failed on our side: what happened, what to do, and an id to quote to an admin. */
export function failureCard(error: unknown, incidentId: string): Attachment {
  if (error instanceof MissingPermissionError) return missingPermissionCard(error, incidentId);
  if (error instanceof DirectoryUnavailableError && error.mayHaveChanged) {
    return cards.notice({
      tone: 'attention',
      title: 'Microsoft Entra ID did not confirm the change',
      text: `${error.message}. Graph may have made the change before its answer was lost, so check before trying again: whois shows a person's account, groups and app access.`,
      reference: incidentId,
    });
  }
  if (error instanceof DirectoryUnavailableError) {
    return cards.notice({
      tone: 'attention',
      title: 'Microsoft Entra ID is not answering right now',
      text: `${error.message}. Nothing was changed. Please try again in a minute.`,
      reference: incidentId,
    });
  }
  return cards.notice({
    tone: 'attention',
    title: 'Something went wrong on my side',
    text: 'Nothing was changed. Please try again; if it keeps happening, give an admin the reference below.',
    reference: incidentId,
  });
}
