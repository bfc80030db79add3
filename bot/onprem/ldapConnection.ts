import fs from 'node:fs';
import { Client, InvalidCredentialsError } from 'ldapts';
import type { OnPremSettings } from '../config';

/** Something on-prem refused or could not be reached; the message is for the person reading the card. */
export class OnPremDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnPremDirectoryError';
  }
}

/**
 * Opens one LDAPS connection, binds as the service account, runs `work`, and always unbinds. Every on-prem reader and writer
 * goes through here, so TLS trust (ONPREM_CA_FILE, ONPREM_TLS_SERVERNAME) and the refused-bind message are the same for all.
 */
export async function withBoundClient<T>(s: OnPremSettings, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({
    url: s.url,
    timeout: s.timeoutMs,
    connectTimeout: s.timeoutMs,
    tlsOptions: {
      ...(s.caFile ? { ca: fs.readFileSync(s.caFile) } : {}),
      ...(s.tlsServername ? { servername: s.tlsServername } : {}),
      rejectUnauthorized: !s.tlsInsecure,
      minVersion: 'TLSv1.2',
    },
  });
  try {
    try {
      await client.bind(s.bindDn, s.bindPassword);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) {
        throw new OnPremDirectoryError('The on-prem directory refused the service account (ONPREM_BIND_DN / ONPREM_BIND_PASSWORD). An admin must fix the bot configuration.');
      }
      throw error;
    }
    return await work(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}
