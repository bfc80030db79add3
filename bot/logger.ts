import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Keys whose values must never reach a log line: the config's secrets (bot, Graph, on-prem, download links), the
 * environment variables they come from, and what HTTP clients carry (authorization headers, cookies, OAuth tokens).
 */
const SECRET_KEYS = [
  'password',
  'secret',
  'appPassword',
  'clientSecret',
  'certificatePassword',
  'bindPassword',
  'linkSecret',
  'MicrosoftAppPassword',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'ONPREM_BIND_PASSWORD',
  'DOWNLOAD_LINK_SECRET',
  'authorization',
  'Authorization',
  'cookie',
  'Cookie',
  'set-cookie',
  'x-ms-client-secret',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'client_assertion',
] as const;

/**
 * pino's `*` matches exactly one level, so each key is listed at the top level and under up to five levels of nesting:
 * a whole Config logged under one key puts `graph.credential.clientSecret` four levels down, and an HTTP error carries its
 * headers at `err.request.headers.authorization` or deeper.
 */
const MAX_DEPTH = 5;

function pathFor(key: string, depth: number): string {
  const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
  const prefix = Array.from({ length: depth }, () => '*').join('.');
  return depth === 0 ? segment.replace(/^\./, '') : `${prefix}${segment}`;
}

export const REDACTED_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => Array.from({ length: MAX_DEPTH + 1 }, (_, depth) => pathFor(key, depth)));

export const REDACTED = '[redacted]';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = { level, redact: { paths: [...REDACTED_PATHS], censor: REDACTED }, base: { service: 'partner-access-bot' } };
  return destination ? pino(options, destination) : pino(options);
}
