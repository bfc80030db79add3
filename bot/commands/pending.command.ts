import { z } from 'zod';
import { defineCommand } from './defineCommand';
import { pendingCard } from '../presenters/access.presenter';

/** Open to everyone: an app's owners approve its requests whatever their role in the bot. */
export const pending = defineCommand({
  name: 'pending',
  aliases: ['approvals'],
  summary: 'Access requests waiting for your approval',
  usage: 'pending',
  args: z.object({ args: z.array(z.string()).max(0, 'pending takes no arguments.') }),
  permission: 'everyone',
  sideEffect: 'none',
  examples: ['pending'],
  description:
    'the access requests waiting for your decision, oldest first; Review opens the approval card. Open to everyone because an app\'s owners approve whatever their role in the bot. The approval card\'s **Forward to…** hands a request to another approver: someone else who may decide it now (the app\'s owners as Entra lists them, the admins once it is escalated), picked from a list or typed by name or email, never yourself, the requester or the partner, with a required comment. They get the card and the reminders, the requester is told, it is audited and shows in history, and the request is still decided once.',
  async run({ services, caller }) {
    const waiting = await services.accessRequests.pendingFor(caller);
    return { card: pendingCard(waiting), text: waiting.length === 1 ? '1 request waits for you' : `${waiting.length} requests wait for you` };
  },
});
