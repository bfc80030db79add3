import type { InvitePacing } from '../../store';

/** The one budget every bulk run draws from: Entra's anti-abuse limit is per tenant, not per run or per instance. */
export const TENANT_INVITATION_BUDGET = 'invitations';

/** On `go`, `nextAt` is the following slot: the run comes back then for its next row. */
export type PaceDecision = { go: true; nextAt: Date } | { go: false; retryAt: Date };

/**
 * Paces invitations tenant-wide at `perMinute`: a run asks before each POST /invitations and waits when the budget's next
 * slot has not come. The slot lives in the store, so concurrent runs and several instances together stay within the rate.
 */
export class InvitationPacer {
  constructor(
    private readonly pacing: InvitePacing,
    private readonly perMinute: number,
    private readonly now: () => Date,
  ) {}

  get intervalMs(): number {
    return Math.ceil(60_000 / this.perMinute);
  }

  async take(): Promise<PaceDecision> {
    const claim = await this.pacing.tryTake(TENANT_INVITATION_BUDGET, this.intervalMs, this.now());
    return claim.granted ? { go: true, nextAt: claim.nextAt } : { go: false, retryAt: claim.nextAt };
  }
}
