import { z } from 'zod';
import { OnPremDirectoryError } from '../services/partners/partnersService';
import { onPremProblemCard, partnersCard } from '../presenters/partners.presenter';
import { defineAction } from './defineAction';

/** Previous / Next page on the partners card: the scan it was made from when this instance still keeps it, else a new one. */
export const partnersPage = defineAction({
  verb: 'partners.page',
  data: z.object({ scanId: z.guid(), page: z.coerce.number().int().min(1).max(10_000) }),
  permission: 'partnerManagers',
  sideEffect: 'none',
  async run({ services }, { scanId, page }) {
    if (!services.partners) return { message: 'On-prem AD is not configured.' };
    try {
      return { card: partnersCard(await services.partners.page(page, scanId)) };
    } catch (error) {
      if (error instanceof OnPremDirectoryError) return { card: onPremProblemCard(error) };
      throw error;
    }
  },
});
