import { z } from 'zod';
import type { BulkInvitationService } from '../services/bulk/bulkRuns';
import { BULK_JOB_KIND } from '../services/bulk/bulkRuns';
import { defineJob } from './jobRunner';

/** Drives a bulk run one row per step; the run's rows are the checkpoint, so the payload is only its id. */
export function bulkInviteJob(bulk: BulkInvitationService) {
  return defineJob({
    kind: BULK_JOB_KIND,
    payload: z.object({ runId: z.string() }),
    async step(job) {
      const outcome = await bulk.step(job.payload.runId);
      return outcome.status === 'continue' ? { ...outcome, payload: job.payload } : outcome;
    },
    async onFailed(job, error) {
      await bulk.giveUp(job.payload.runId, `Microsoft Entra was unavailable for too long (${error})`);
    },
  });
}
