// The browser tests' one Chromium: Debian's (playwright-core never downloads one), headless, with
// nothing of its own on the network. `.ci/run` installs it; without it the tests skip and say how.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
