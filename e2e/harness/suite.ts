// One e2e suite = the built app on a local server + one headless chromium with a shared context
// (tabs that share IndexedDB); skipped, loudly, where ../shared/data is absent.
import { after, before, describe } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from './browser';
import { COCO_DEV_IMAGES, hasCocoDev } from './files';
import { serveBuiltApp, type AppServer } from './server';

export interface AppSuite {
  url: string;
  browser: Browser;
  context: BrowserContext;
}

export function describeApp(name: string, opts: { webgpu?: boolean }, body: (s: AppSuite) => void): void {
  const skip = hasCocoDev() ? false : `needs ${COCO_DEV_IMAGES} (see ../shared/data/README.md)`;
  if (skip) console.warn(`SKIPPED "${name}": ${skip}`);
  describe(name, { skip }, () => {
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
