// The browser tests' one Chromium: Debian's (playwright-core never downloads one), headless, with
// nothing of its own on the network. `.ci/run` installs it; without it the tests skip and say how.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

/** Warns once per test file that its browser tests are skipped, and how to run them. */
export function warnIfNoChromium(what: string): void {
  if (!chromiumAvailable) console.warn(`skipping ${what}: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Inside a describe: one Chromium for its tests (launched before them, closed after) and the
 * folder their screenshots go to made first. Returns how to open a page in it.
 */
export function useChromium(outDir: string): (options: Parameters<Browser['newPage']>[0]) => ReturnType<Browser['newPage']> {
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return (options) => {
    if (!browser) throw new Error('the browser is not launched yet: open pages inside tests');
    return browser.newPage(options);
  };
}
