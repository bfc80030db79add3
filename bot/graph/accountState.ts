import type { Client } from '@microsoft/microsoft-graph-client';
import { directoryUnavailable, isGraphError } from './errors';
import { pathSegment } from './odata';

/** A cloud account that Graph refused to change because it is mastered on-prem (synced from AD): change it in AD instead. */
export class MasteredOnPremError extends Error {
  constructor(readonly objectId: string) {
    super(`${objectId} is synced from on-prem AD, so Entra will not change it; disable it in AD.`);
    this.name = 'MasteredOnPremError';
  }
}

/**
 * Turns a cloud account off: PATCH /users/{id} with accountEnabled false (user-update; User.EnableDisableAccount.All with
 * User.Read.All at least, or User.ReadWrite.All). The account and everything it holds stay, so it can be turned on again.
 */
export class GraphAccountState {
  constructor(private readonly graph: Client) {}

  async disable(objectId: string): Promise<'disabled' | 'missing'> {
    try {
      await this.graph.api(`/users/${pathSegment(objectId)}`).patch({ accountEnabled: false });
      return 'disabled';
    } catch (error) {
      if (isGraphError(error, 404)) return 'missing';
      // The directory's refusal for an object synced from on-prem AD (its properties are read-only in the cloud).
      if (isGraphError(error, 400) && /on-premises mastered/i.test(error.message)) throw new MasteredOnPremError(objectId);
      throw directoryUnavailable('Disabling the account', error);
    }
  }
}
