import type { Caller } from '../../identity/caller';
import { checkSignin, tenantedSignInUrl, type SigninPorts, type SigninReport } from './signin';
import { convert, planConvert, type ConvertOutcome, type ConvertPlan, type ConvertPorts } from './convert';

export type { SigninReport, SigninStep } from './signin';
export type { ConvertOutcome, ConvertPlan } from './convert';

export interface HybridPorts extends Omit<SigninPorts, 'signInUrl'>, ConvertPorts {
  /** Our tenant id, for the tenanted sign-in URL; without it the invitation redirect URL (My Apps with our tenant) is sent. */
  tenantId?: string;
}

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
}
