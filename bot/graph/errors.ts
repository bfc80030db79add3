import { GraphError } from '@microsoft/microsoft-graph-client';

/** What went wrong talking to Graph, in terms a handler can act on and a person can read. */
export class DirectoryUnavailableError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'DirectoryUnavailableError';
  }
}

export function isGraphError(error: unknown, statusCode?: number): error is GraphError {
  return error instanceof GraphError && (statusCode === undefined || error.statusCode === statusCode);
}

/** Wraps an unexpected Graph failure without leaking request details or tokens. */
export function directoryUnavailable(action: string, error: unknown): DirectoryUnavailableError {
  if (error instanceof GraphError) {
    return new DirectoryUnavailableError(`${action} failed: Graph answered ${error.statusCode} ${error.code ?? ''}`.trim(), error.statusCode, error.code ?? undefined);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new DirectoryUnavailableError(`${action} failed: ${detail}`, undefined, undefined);
}

/** A Graph failure in a few words for a person (status and code), never the request or its headers. */
export function describeGraphError(error: unknown): string {
  if (error instanceof GraphError) return `Graph answered ${error.statusCode} ${error.code ?? ''}`.trim();
  return 'Graph did not answer';
}
