import { z } from 'zod';
import { keepQuestion } from '../handlers/hybridConfirmation';
import { keepReply } from '../presenters/hybrid.presenter';
import { defineAction } from './defineAction';

const ObjectId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'an Entra object id');

/**
 * The partners card's "keep this identity" buttons, and the next-step button of its own result card: each click runs the
 * next step for the pair (move the app access, then disable the other), after its own confirmation.
 */
export const partnerKeepIdentity = defineAction({
  verb: 'partner.keepIdentity',
  data: z.object({ keepObjectId: ObjectId, otherObjectId: ObjectId }),
  permission: 'admins',
  // Removes app assignments from one identity and disables it.
  sideEffect: 'destructive',
  confirm: async (context, { keepObjectId, otherObjectId }) => keepQuestion(await context.services.hybrid.planKeep(context.caller, keepObjectId, otherObjectId)),
  async run({ services, caller, confirmed }, { keepObjectId, otherObjectId }) {
    if (!confirmed) return { card: keepReply(await services.hybrid.planKeep(caller, keepObjectId, otherObjectId).then((p) => (p.kind === 'done' ? p : { kind: 'refused' as const, reason: 'This step runs only after its confirmation.' }))) };
    return { card: keepReply(await services.hybrid.keepIdentity(caller, keepObjectId, otherObjectId)) };
  },
});
