import { GraphError } from '@microsoft/microsoft-graph-client';

/** What went wrong talking to Graph, in terms a handler can act on and a person can read. */
export class DirectoryUnavailableError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
    readonly step?: GraphStep,
  ) {
    super(message);
    this.name = 'DirectoryUnavailableError';
  }

  /**
   * A step that changes the directory failed without Graph saying it refused: a time-out, no answer, or a 5xx. Graph may
   * have made the change before the answer was lost, so nobody may be told that nothing was changed. A 4xx (429 included)
   * is a refusal: the change was not made.
   */
  get mayHaveChanged(): boolean {
    if (!this.step || !('changes' in GRAPH_STEPS[this.step])) return false;
    return this.statusCode === undefined || this.statusCode >= 500;
  }
}

/**
 * Each Graph step the bot takes, the feature that stops when Graph refuses it for want of consent, and the application
 * permissions (all of them) that step needs: the README's "Running against a real tenant" table, step by step. A
 * `directoryUnavailable` call names one of these, so a new step cannot be added without saying what it needs. `changes`
 * marks the steps that write, whose unanswered failure may still have taken effect.
 */
export const GRAPH_STEPS = {
  'Checking group membership': { feature: 'Every command (the bot checks your role first)', permissions: ['User.Read.All', 'GroupMember.Read.All'] },
  'Looking up the user': { feature: 'Looking people up (whois, invite, request, revoke)', permissions: ['User.Read.All'] },
  'Looking up who holds the address': { feature: 'The home-realm check (realm)', permissions: ['User.Read.All'] },
  'Looking up the address': { feature: 'Inviting partners (invite)', permissions: ['User.Read.All'] },
  'Sending the invitation': { feature: 'Inviting partners (invite, bulk invite)', permissions: ['User.Invite.All'], changes: true },
  'Adding the guest to a group': { feature: 'Adding invited partners to groups', permissions: ['GroupMember.ReadWrite.All'], changes: true },
  'Listing the admins': { feature: 'Invitation approvals (the admins who approve)', permissions: ['GroupMember.Read.All'] },
  'Reading our domains': { feature: 'The home-realm check (realm) and the invite preview', permissions: ['Domain.Read.All'] },
  'Reading the federation settings of our domain': { feature: 'The home-realm check (realm) and the invite preview', permissions: ['Domain.Read.All'] },
  'Listing application proxy apps': { feature: 'On-premises apps (apps, request, revoke)', permissions: ['Application.Read.All'] },
  'Reading the application': { feature: 'On-premises apps (apps, request, revoke)', permissions: ['Application.Read.All'] },
  'Listing the application owners': { feature: 'On-premises app owners (request approvals)', permissions: ['Application.Read.All'] },
  "Listing the user's app assignments": { feature: 'Revoking app access (revoke, expiry)', permissions: ['AppRoleAssignment.ReadWrite.All'] },
  'Assigning the app role': { feature: 'Granting app access after an approved request', permissions: ['AppRoleAssignment.ReadWrite.All', 'Application.Read.All'], changes: true },
  'Removing the app role assignment': { feature: 'Revoking app access (revoke, expiry)', permissions: ['AppRoleAssignment.ReadWrite.All'], changes: true },
  'Disabling the account': { feature: 'Keeping one of two identities (the partners card)', permissions: ['User.ReadWrite.All'], changes: true },
  'Listing the guests': { feature: 'Locally managed partner accounts (partners)', permissions: ['User.Read.All'] },
  'Looking up synced users': { feature: 'Locally managed partner accounts (partners)', permissions: ['User.Read.All'] },
  'Listing the guests and their sign-in': { feature: 'Guest hygiene (stale)', permissions: ['User.Read.All'] },
  "Reading the guests' sponsors": { feature: 'Guest hygiene (stale)', permissions: ['User.Read.All'] },
  'Reading app access': { feature: 'Which identity holds which app access (partners)', permissions: ['User.Read.All', 'Application.Read.All'] },
} as const satisfies Record<string, { feature: string; permissions: readonly string[]; changes?: true }>;

export type GraphStep = keyof typeof GRAPH_STEPS;

/**
 * Graph refused a step because the bot's app registration lacks an application permission (403
 * Authorization_RequestDenied): no retry helps, an admin must grant the permission and consent. Still a
 * DirectoryUnavailableError, so whatever already stops on one stops on this.
 */
export class MissingPermissionError extends DirectoryUnavailableError {
  readonly feature: string;
  readonly permissions: readonly string[];

  constructor(override readonly step: GraphStep) {
    const { feature, permissions } = GRAPH_STEPS[step];
    super(`${step} failed: Graph answered 403 Authorization_RequestDenied (the bot lacks ${permissions.join(' and ')})`, 403, 'Authorization_RequestDenied', step);
    this.name = 'MissingPermissionError';
    this.feature = feature;
    this.permissions = permissions;
  }
}

export function isGraphError(error: unknown, statusCode?: number): error is GraphError {
  return error instanceof GraphError && (statusCode === undefined || error.statusCode === statusCode);
}

/** Graph's answer to a call its token's roles do not cover (GD concepts/errors; every API page's Permissions section). */
export function isPermissionDenied(error: unknown): boolean {
  return error instanceof GraphError && error.statusCode === 403 && error.code === 'Authorization_RequestDenied';
}

/** A failed $batch item as the GraphError the SDK would have thrown for it alone, so it is classified the same way. */
export function batchItemError(status: number, code: string | undefined, message = `Graph answered ${status}${code ? ` ${code}` : ''}`): GraphError {
  const error = new GraphError(status, message);
  error.code = code ?? null;
  return error;
}

/** An attempt abandoned by the client's deadline (bot/graph/client.ts): the SDK reports it with the abort's name as code. */
export function isGraphTimeout(error: unknown): boolean {
  return error instanceof GraphError && (error.code === 'TimeoutError' || error.code === 'AbortError');
}

/** Wraps an unexpected Graph failure without leaking request details or tokens; a missing consent says which. */
export function directoryUnavailable(action: GraphStep, error: unknown): DirectoryUnavailableError {
  if (isPermissionDenied(error)) return new MissingPermissionError(action);
  if (isGraphTimeout(error)) return new DirectoryUnavailableError(`${action} failed: Graph did not answer in time`, undefined, 'TimeoutError', action);
  if (error instanceof GraphError) {
    return new DirectoryUnavailableError(`${action} failed: Graph answered ${error.statusCode} ${error.code ?? ''}`.trim(), error.statusCode, error.code ?? undefined, action);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new DirectoryUnavailableError(`${action} failed: ${detail}`, undefined, undefined, action);
}

/** A Graph failure in a few words for a person (status and code), never the request or its headers. */
export function describeGraphError(error: unknown): string {
  if (isGraphTimeout(error)) return 'Graph did not answer in time';
  if (error instanceof GraphError) return `Graph answered ${error.statusCode} ${error.code ?? ''}`.trim();
  return 'Graph did not answer';
}
