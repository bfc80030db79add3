import { z } from 'zod';
import { MAX_STALE_DAYS } from '../services/stale/staleService';
import { staleCard } from '../presenters/stale.presenter';
import { defineAction } from './defineAction';

/** Previous / Next page on the stale card: the scan it was made from when this instance still keeps it, else a new one. */
export const stalePage = defineAction({
  verb: 'stale.page',
  data: z.object({ scanId: z.guid(), days: z.coerce.number().int().min(1).max(MAX_STALE_DAYS), page: z.coerce.number().int().min(1).max(10_000) }),
  permission: 'partnerManagers',
  sideEffect: 'none',
  async run({ services }, { scanId, days, page }) {
    if (!services.stale) return { message: 'Guest hygiene is not available.' };
    return { card: staleCard(await services.stale.page(days, page, scanId)) };
  },
});
