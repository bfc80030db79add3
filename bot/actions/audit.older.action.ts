import { z } from 'zod';
import { auditPageCard, decodeAuditState } from '../presenters/audit.presenter';
import { defineAction } from './defineAction';

/** The Older button of an audit page: the same filter, the rows below the last position shown. */
export const auditOlder = defineAction({
  verb: 'audit.older',
  data: z.object({ state: z.string().max(4000), olderThan: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  permission: 'admins',
  sideEffect: 'none',
  async run({ services }, { state, olderThan }) {
    const decoded = decodeAuditState(state);
    if (!decoded) return { message: 'This button no longer works. Send audit again.' };
    return { card: auditPageCard(await services.auditTrail.page(decoded, olderThan), false) };
  },
});
