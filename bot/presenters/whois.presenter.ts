import type { Attachment } from 'botbuilder';
import { cards } from '../../cards';
import type { Caller } from '../identity/caller';
import { canResendInvitation, canResetRedemption, canRunDoctor } from '../identity/capabilities';
import type { WhoisResult } from '../services/lookup';

/** The reply for a whois answer; shared with the pick list's Show button. The caller's roles decide which buttons it offers. */
export function whoisCard(result: WhoisResult, caller: Caller): Attachment {
  switch (result.kind) {
    case 'found':
      return cards.userSummary(result.user, { canResend: canResendInvitation(caller), canResetRedemption: canResetRedemption(caller), canDoctor: canRunDoctor(caller) === 'manager' });
    case 'ambiguous':
      return cards.userPicker(result);
    case 'notFound':
      return cards.notice({
        tone: 'warning',
        title: `No user matches "${result.query}"`,
        text: 'Check the spelling, or use their email address, UPN or object id. Guests are also found by their own email address; a display name matches from the start of the full name, given name or surname.',
      });
  }
}
