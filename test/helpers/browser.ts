/**
 * A real headless browser for the dashboard's tests: Debian's chromium, driven by
 * playwright-core. `haveChromium` says whether it is installed; under CI=true a missing
 * chromium is an error at import time (a missing tool fails, never skips).
 *
 *   const browser = await openBrowser(t);      // closed when `t` ends
 *   await browser.page.goto(url);
 *   ...
 *   t.same(browser.pageErrors, [], 'no errors in the page');
 *
 * Screenshots go to SAMSA_SCREENSHOTS when it is set (docs/images/ keeps the ones the guide
 * uses), else to the test's own directory.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing`);

export interface Browser {
  page: Page;
  /** Uncaught errors of the page's scripts. */
  pageErrors: string[];
  /** Saves the viewport as `<dir>/dashboard-<name>.png`. */
  shot(this: void, name: string): Promise<void>;
}

export async function openBrowser(t: {
  teardown(fn: () => unknown): void;
  testdir(): string;
}): Promise<Browser> {
  const shots = process.env.SAMSA_SCREENSHOTS ?? t.testdir();
  mkdirSync(shots, { recursive: true });
  const context = await chromium.launchPersistentContext(
    mkdtempSync(join(tmpdir(), 'samsa-chromium-')),
    {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  );
  t.teardown(() => context.close());
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return {
    page,
    pageErrors,
    shot: async (name) => {
      await page.screenshot({ path: join(shots, `dashboard-${name}.png`), fullPage: false });
    },
  };
}
