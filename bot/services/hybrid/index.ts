import type { Caller } from '../../identity/caller';
import { checkSignin, tenantedSignInUrl, type SigninPorts, type SigninReport } from './signin';
import { convert, planConvert, type ConvertOutcome, type ConvertPlan, type ConvertPorts } from './convert';
import { keepIdentity, planKeep, type KeepOutcome, type KeepPlan, type KeepPorts } from './keepIdentity';
import { mark, planMark, type MarkAs, type MarkOutcome, type MarkPlan, type MarkPorts } from './mark';

export type { SigninReport, SigninStep } from './signin';
export type { ConvertOutcome, ConvertPlan } from './convert';
export type { MarkAs, MarkOutcome, MarkPlan } from './mark';
export type { Identity, KeepOutcome, KeepPlan, MovableAccess } from './keepIdentity';
export { describeIdentity } from './keepIdentity';

export interface HybridPorts extends Omit<SigninPorts, 'signInUrl'>, ConvertPorts {
  /** Our tenant id, for the tenanted sign-in URL; without it the invitation redirect URL (My Apps with our tenant) is sent. */
  tenantId?: string;
  /** The App Proxy apps and their assignments, for moving one identity's access to the other. */
  apps: SigninPorts['apps'] & KeepPorts['apps'];
  /** Disables a cloud account (the identity not kept). */
  accounts?: KeepPorts['accounts'];
  /** On-prem AD for `mark`; undefined when ONPREM_* is not configured. */
  marking?: Omit<MarkPorts, 'store'>;
}

const NO_ONPREM = 'On-prem AD is not configured (ONPREM_URL and the other ONPREM_* settings), so there is no AD account to mark.';

/**
 * The other half of hybrid B2B, from AD to the cloud, where the bot fixes what disagrees: `signin` (the email-as-sign-in
 * checklist for one partner) and `convert` (an internal partner account invited to B2B collaboration).
 */
export class HybridService {
  private readonly signinPorts: SigninPorts;

  constructor(private readonly ports: HybridPorts) {
    this.signinPorts = { ...ports, signInUrl: ports.tenantId ? tenantedSignInUrl(ports.tenantId) : ports.redirectUrl };
  }

  signin(caller: Caller, email: string): Promise<SigninReport> {
    return checkSignin(this.signinPorts, caller, email);
  }

  planConvert(caller: Caller, email: string): Promise<ConvertPlan> {
    return planConvert(this.ports, caller, email);
  }

  convert(caller: Caller, email: string): Promise<ConvertOutcome> {
    return convert(this.ports, caller, email);
  }

  planKeep(caller: Caller, keepId: string, otherId: string): Promise<KeepPlan> {
    return planKeep(this.ports, caller, keepId, otherId);
  }

  keepIdentity(caller: Caller, keepId: string, otherId: string): Promise<KeepOutcome> {
    return keepIdentity(this.ports, caller, keepId, otherId);
  }

  async planMark(account: string, as: MarkAs): Promise<MarkPlan> {
    const marking = this.ports.marking;
    if (!marking) return { kind: 'refused', reason: NO_ONPREM };
    return planMark({ ...marking, store: this.ports.store }, account, as);
  }

  async mark(caller: Caller, account: string, as: MarkAs): Promise<MarkOutcome> {
    const marking = this.ports.marking;
    if (!marking) return { kind: 'refused', reason: NO_ONPREM };
    return mark({ ...marking, store: this.ports.store }, caller, account, as);
  }
}
