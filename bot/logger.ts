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

/** Compared case-insensitively, so `Password` or `AUTHORIZATION` is caught as well as the spellings listed. */
const SECRET_KEY_SET: ReadonlySet<string> = new Set(SECRET_KEYS.map((key) => key.toLowerCase()));

/**
 * How deep a secret is still found. A whole Config logged under one key puts `graph.credential.clientSecret` four levels
 * down, and an HTTP error carries its headers at `err.request.headers.authorization` or deeper. Whatever lies deeper is
 * replaced by {@link TOO_DEEP} rather than written unchecked.
 */
export const MAX_REDACTION_DEPTH = 12;

export const REDACTED = '[redacted]';
export const TOO_DEEP = '[too deep]';
export const CIRCULAR = '[Circular]';

/** An Error from another realm (a vm context, a worker's structured clone) fails `instanceof` but keeps its tag. */
function isError(value: object): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(key.toLowerCase());
}

/**
 * Returns `value` with every secret-named key censored, at any depth up to MAX_REDACTION_DEPTH. It copies only the
 * objects on the way to something it changed and returns the caller's object itself when nothing needed changing, so a
 * small log object costs a few key lookups (pino's path-based `redact` with ~200 wildcard paths cost ~10× a whole log
 * line) and the caller's objects are never mutated. Errors become pino's standard serialization first, so their own
 * fields (request headers, token responses) are checked too; `toJSON` is applied as JSON.stringify would; a cycle
 * becomes CIRCULAR.
 */
function redactValue(value: unknown, depth: number, ancestors: object[]): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_REDACTION_DEPTH) return TOO_DEEP;
  if (ancestors.includes(value)) return CIRCULAR;
  let source: object = value;
  const error = isError(value);
  if (error) {
    source = pino.stdSerializers.err(value);
  } else if ('toJSON' in value && typeof value.toJSON === 'function') {
    const json: unknown = (value.toJSON as () => unknown).call(value);
    if (typeof json !== 'object' || json === null) return json;
    source = json;
  }
  ancestors.push(value);
  try {
    return Array.isArray(source) ? redactArray(source, depth, ancestors) : redactObject(source, error, depth, ancestors);
  } finally {
    ancestors.pop();
  }
}

function redactArray(items: readonly unknown[], depth: number, ancestors: object[]): unknown[] {
  let copy: unknown[] | undefined;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const redacted = redactValue(item, depth + 1, ancestors);
    if (redacted !== item) {
      copy ??= items.slice();
      copy[index] = redacted;
    }
  }
  return copy ?? (items as unknown[]);
}

/** `fresh` is true when `source` is pino's serialization of an Error, built for this line: then it is a copy already. */
function redactObject(source: object, fresh: boolean, depth: number, ancestors: object[]): object {
  let copy: Record<string, unknown> | undefined;
  const entries = source as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const child = entries[key];
    const redacted = isSecretKey(key) && child !== undefined ? REDACTED : redactValue(child, depth + 1, ancestors);
    if (redacted !== child) {
      copy ??= fresh ? entries : { ...entries };
      copy[key] = redacted;
    }
  }
  return copy ?? source;
}

/** The redacted form of a log object or of child bindings: always an object, as pino's formatters must return. */
export function redactSecrets(object: Record<string, unknown>): Record<string, unknown> {
  return redactValue(object, 0, []) as Record<string, unknown>;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'partner-access-bot' },
    formatters: { log: redactSecrets, bindings: redactSecrets },
    // formatters.log has already serialized every Error (and censored it); pino's default would serialize it again and
    // report the copy's type as `Object`.
    serializers: { err: (value: unknown) => value },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // pino applies formatters.bindings to the base bindings only, never to a child's: every child logger is created from
  // its parent with Object.create, so this override reaches the whole tree and checks child bindings the same way.
  const child = logger.child;
  logger.child = function childWithRedaction<ChildCustomLevels extends string = never>(
    this: Logger,
    bindings: pino.Bindings,
    childOptions?: pino.ChildLoggerOptions<ChildCustomLevels>,
  ): pino.Logger<ChildCustomLevels> {
    return child.call<Logger, [pino.Bindings, pino.ChildLoggerOptions<ChildCustomLevels> | undefined], pino.Logger<ChildCustomLevels>>(this, redactSecrets(bindings), childOptions);
  };
  return logger;
}
