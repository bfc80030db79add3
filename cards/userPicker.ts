import type { Candidate } from '../bot/services/lookup';
import template from './userPicker.card.json';
import { renderCard } from './render';
import { plain, plainLine } from './text';

export interface UserPickerData {
  query: string;
  candidates: Candidate[];
  more: boolean;
  /**
   * Set when a conversation asks "who do you mean": each row's button answers that question (dialog.answer) instead of
   * showing the person's card, and Cancel ends the conversation.
   */
  pick?: { questionId: string; instruction: string };
}

/** A short pick list for a name that matches several people; each row's button shows that person's card. */
export function userPicker(data: UserPickerData) {
  return renderCard(template, {
    title: plainLine(`${data.more ? 'More than ' : ''}${data.candidates.length} people match "${data.query}"`, 200),
    more: data.more,
    pick: data.pick !== undefined,
    questionId: data.pick?.questionId ?? '',
    instruction: data.pick ? plain(data.pick.instruction, 300) : 'Pick the person you mean.',
    candidates: data.candidates.map((c) => ({
      id: c.id,
      displayName: plainLine(c.displayName, 120),
      details: plainLine(
        [c.userType === 'Guest' ? 'Guest' : c.userType === 'Member' ? 'Member' : undefined, c.mail ?? c.userPrincipalName, c.companyName].filter((v) => v).join(' · '),
        200,
      ),
    })),
  });
}
