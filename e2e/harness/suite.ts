// One e2e suite = the built app on a local server + one headless chromium with a shared context
// (tabs that share IndexedDB). Suites run anywhere; one that needs a data folder says so and skips loudly.
import { existsSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from './browser';
import { serveBuiltApp, type AppServer } from './server';

export interface AppSuite {
  url: string;
  browser: Browser;
  context: BrowserContext;
}

export interface SuiteOptions {
  webgpu?: boolean;
  /** A folder of real data (../shared/data/…) the suite reads; absent, the suite is skipped with a message. */
  needs?: string;
}

export function describeApp(name: string, opts: SuiteOptions, body: (s: AppSuite) => void): void {
  const skip = opts.needs && !existsSync(opts.needs) ? `needs ${opts.needs} (see the README's quick start)` : false;
  if (skip) {
    console.warn(`SKIPPED "${name}": ${skip}`);
    // The body is not run: it may read the missing files while tests are collected.
    describe(name, { skip }, () => {});
    return;
  }
  describe(name, () => {
    const s = {} as AppSuite;
    let server: AppServer | undefined;
    before(async () => {
      server = await serveBuiltApp();
      s.url = server.url;
      s.browser = await launchBrowser(opts);
      s.context = await s.browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    });
    after(async () => {
      await s.browser?.close();
      await server?.close();
    });
    body(s);
  });
}
