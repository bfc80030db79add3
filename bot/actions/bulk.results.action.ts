import { z } from 'zod';
import { bulkResultsCard } from '../presenters/bulk.presenter';
import { defineAction } from './defineAction';

export const bulkResults = defineAction({
  verb: 'bulk.results',
  data: z.object({ id: z.guid(), page: z.coerce.number().int().min(1).max(10_000) }),
  permission: 'admins',
  sideEffect: 'none',
  async run({ services }, { id, page }) {
    const results = await services.bulkInvitations.resultsPage(id, page);
    return results ? { card: bulkResultsCard(results) } : { message: 'This bulk run is no longer known.' };
  },
});
