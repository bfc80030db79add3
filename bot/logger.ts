import pino from 'pino';

export type Logger = pino.Logger;

/** Fields that must never reach a log line, wherever they appear in a logged object. */
const REDACT = [
  '*.password',
  '*.secret',
  '*.clientSecret',
  '*.appPassword',
  '*.access_token',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'req.headers.authorization',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'partner-access-bot' } });
}
