import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export type HeaderMap = Record<string, string>;

/** A Graph failure raised anywhere in a handler; the pipeline turns it into Graph's error body. */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: HeaderMap = {},
  ) {
    super(message);
  }
}

/** Graph writes innerError.date without fractional seconds. */
export function graphDate(now = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, '');
}

export function graphErrorBody(code: string, message: string, requestId: string, clientRequestId: string): unknown {
  return {
    error: {
      code,
      message,
      innerError: { date: graphDate(), 'request-id': requestId, 'client-request-id': clientRequestId },
    },
  };
}

/** The `error` code Graph uses for a status when a fault rule gives no body of its own. */
export function defaultErrorFor(status: number): { code: string; message: string } {
  switch (status) {
    case 400:
      return { code: 'BadRequest', message: 'Bad request.' };
    case 401:
      return { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' };
    case 403:
      return { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' };
    case 404:
      return { code: 'Request_ResourceNotFound', message: 'Resource does not exist or one of its queried reference-property objects are not present.' };
    case 409:
      return { code: 'Request_MultipleObjectsWithSameKeyValue', message: 'Another object with the same value for property userPrincipalName already exists.' };
    case 429:
      return { code: 'TooManyRequests', message: 'Too many requests. Please try again later.' };
    case 500:
      return { code: 'UnknownError', message: 'An internal server error occurred.' };
    case 502:
      return { code: 'BadGateway', message: 'The gateway received an invalid response.' };
    case 503:
      return { code: 'serviceNotAvailable', message: 'The service is temporarily unavailable. Retry the request after a delay.' };
    case 504:
      return { code: 'GatewayTimeout', message: 'The request timed out.' };
    default:
      return { code: 'UnknownError', message: `Sandbox fault with status ${status}.` };
  }
}

export function newRequestId(): string {
  return randomUUID();
}

export async function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) throw new GraphHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function lowerHeaders(req: IncomingMessage): HeaderMap {
  const out: HeaderMap = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export const GRAPH_JSON = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
export const LOGIN_JSON = 'application/json; charset=utf-8';

export function send(res: ServerResponse, status: number, body: unknown, headers: HeaderMap = {}, contentType = LOGIN_JSON): void {
  if (res.headersSent) return;
  const payload = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const out: HeaderMap = { 'cache-control': 'no-store, no-cache', ...headers };
  if (body !== undefined && !Object.keys(out).some((k) => k.toLowerCase() === 'content-type')) out['content-type'] = contentType;
  out['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(status, out);
  res.end(payload);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
