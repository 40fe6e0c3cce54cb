/** An e2e session on the app: `reproscope serve` over a store, Debian's Chromium on its page, page errors collected, screenshots in both schemes. */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium, RESULTS_DIR, startServe, type Served } from '../e2e/harness';

/** Where the e2e screenshots go. */
export const SHOTS_DIR = path.join(RESULTS_DIR, 'e2e');

/** A served store with a page open on the app. */
export interface AppSession {
  served: Served;
  page: Page;
  /** The page's uncaught errors and console errors, in order. */
  errors: string[];
  /** Saves `<name>-light.png` and `<name>-dark.png` of the page (the whole page with fullPage). */
  shot(name: string): Promise<void>;
  /** Closes the browser and stops the server. */
  close(): Promise<void>;
}

/** Serves the store at `home`, opens the app in a fresh Chromium and starts collecting its errors. */
export async function openApp(home: string, opts: { fullPage?: boolean } = {}): Promise<AppSession> {
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  const served = await startServe(home);
  const browser = await launchChromium().catch(async (e: unknown) => {
    await served.stop();
    throw e;
  });
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(served.url);
  return {
    served,
    page,
    errors,
    async shot(name) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.screenshot({
          path: path.join(SHOTS_DIR, `${name}-${scheme}.png`),
          fullPage: opts.fullPage ?? false,
        });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    },
    async close() {
      await browser.close();
      await served.stop();
    },
  };
}
