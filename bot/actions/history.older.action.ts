import { z } from 'zod';
import { decodeHistoryState, historyCard } from '../presenters/audit.presenter';
import { parsePersonRef } from '../services/audit/auditFilter';
import { defineAction } from './defineAction';

/** The Older button of a history card: the next page below the last position shown, the partner looked up again. */
export const historyOlder = defineAction({
  verb: 'history.older',
  data: z.object({ state: z.string().max(4000), olderThan: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  permission: 'partnerManagers',
  sideEffect: 'none',
  async run({ services }, { state, olderThan }) {
    const decoded = decodeHistoryState(state);
    const ref = decoded ? parsePersonRef(decoded.q, 'history') : undefined;
    if (!ref?.ok) return { message: 'This button no longer works. Send history again.' };
    return { card: historyCard(await services.auditTrail.history(ref.value, olderThan)) };
  },
});
