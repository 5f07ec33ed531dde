/**
 * Headless Chromium for the browser tests and the README screenshot: Debian's `chromium`
 * package at /usr/bin/chromium, driven by playwright-core (which never downloads a browser).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium';

/** How to get it, for a skipped test's message. */
export const INSTALL_HINT =
  'no Chromium at /usr/bin/chromium: install it with `apt-get update && apt-get install -y chromium` (Debian) to run the browser tests';

/** True when the browser tests can run here. */
export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** A launched browser (its one context) and its fresh profile folder; `close()` removes both. */
export interface HeadlessChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium with a fresh profile (`--user-data-dir`, made here). As root it needs `--no-sandbox`; the
 * networking flags keep it from calling out (this machine's network is closed).
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'smqsched-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
