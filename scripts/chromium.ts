import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * Headless Debian Chromium for the end-to-end tests, the card renderer and the icon script. Never a downloaded browser:
 * playwright-core drives /usr/bin/chromium (or CHROMIUM_PATH). Everything stays on loopback: DNS for any other host fails
 * and any request that still leaves for another host (the playground's CDN fonts) is aborted.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/** Why Chromium cannot be used here, or undefined when it can. */
export function chromiumMissingReason(): string | undefined {
  try {
    fs.accessSync(CHROMIUM_PATH, fs.constants.X_OK);
    return undefined;
  } catch {
    return `no executable Chromium at ${CHROMIUM_PATH} (apt-get install chromium fonts-liberation, or set CHROMIUM_PATH)`;
  }
}

export interface Chromium {
  context: BrowserContext;
  /** Requests to other hosts that were aborted, for tests that want to know the page stayed offline. */
  aborted: string[];
  close(): Promise<void>;
}

/** A fresh profile every time, so no state leaks between runs. */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Chromium> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport,
    args: FLAGS,
  });
  const aborted: string[] = [];
  await context.route(/^https?:\/\/(?!localhost[:/]|127\.0\.0\.1[:/])/, async (route) => {
    aborted.push(route.request().url());
    await route.abort();
  });
  return {
    context,
    aborted,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
