import { z } from 'zod';
import { cards } from '../../cards';
import { defineAction } from './defineAction';

export const revokeCancel = defineAction({
  verb: 'revoke.cancel',
  data: z.object({}),
  permission: 'everyone',
  sideEffect: 'none',
  async run() {
    return { card: cards.notice({ tone: 'info', title: 'Nothing was revoked', text: 'The partner keeps their access. Send revoke again if you change your mind.' }) };
  },
});
