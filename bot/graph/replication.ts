import { GraphError } from '@microsoft/microsoft-graph-client';

/**
 * Replication lag. An object Graph has just created (a guest from POST /invitations) may be missing, for a few seconds,
 * from the next read or reference that lands on another replica: Graph then answers 404 Request_ResourceNotFound
 * ("Resource '{id}' does not exist or one of its queried reference-property objects are not present."). Microsoft's
 * advice is to retry with exponential back-off (sandbox/README.md, "Replication lag", cites the pages). The docs do not
 * say whether a `$ref` add that names a not-yet-replicated member is a 404 or a 400, so both count when they name it.
 */

/** Waits before each retry: about 3 s in all, which outlasts a typical lag without keeping a job step long. */
export const REPLICATION_RETRY_DELAYS_MS: readonly number[] = [100, 200, 400, 800, 1600];

/** Whether Graph's answer says `objectId` is not there (yet), rather than something else being wrong. */
export function isNotYetReplicated(error: unknown, objectId: string): boolean {
  if (!(error instanceof GraphError)) return false;
  if (error.statusCode !== 404 && error.statusCode !== 400) return false;
  if (error.statusCode === 400 && /already exist/i.test(error.message)) return false;
  return error.message.toLowerCase().includes(objectId.toLowerCase());
}

/** Thrown when the object still was not visible after the last retry: the caller says what was done and what to retry. */
export class NotReplicatedError extends Error {
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
    this.name = 'NotReplicatedError';
  }
}

/**
 * Runs `call`, and again after each delay while Graph answers that `objectId` is not there; any other error is thrown at
 * once. When the delays run out, throws `NotReplicatedError` with `giveUp`'s message, or without `giveUp` Graph's last
 * answer as it was, so that callers classify it as they always did.
 */
export async function retryWhileReplicating<T>(
  objectId: string,
  call: () => Promise<T>,
  giveUp?: (waitedMs: number) => string,
  delaysMs: readonly number[] = REPLICATION_RETRY_DELAYS_MS,
): Promise<T> {
  let waited = 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const delay = delaysMs[attempt];
      if (!isNotYetReplicated(error, objectId)) throw error;
      if (delay === undefined) throw giveUp ? new NotReplicatedError(giveUp(waited), error) : error;
      await new Promise((resolve) => setTimeout(resolve, delay));
      waited += delay;
    }
  }
}
