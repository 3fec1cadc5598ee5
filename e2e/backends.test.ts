// The WebGPU code path (SwiftShader's CPU-backed adapter in headless chromium) computes the same
// features as WASM for the same photo: agreement, never speed, is what this checks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './harness/browser';
import { cocoDevPhotos, COCO_DEV_IMAGES, hasCocoDev } from './harness/files';
import { serveBuiltApp, type AppServer } from './harness/server';
import { AppPage, readFeatures } from './pages/app-page';

const skip = hasCocoDev() ? false : `needs ${COCO_DEV_IMAGES} (see ../shared/data/README.md)`;
if (skip) console.warn(`SKIPPED backend agreement e2e: ${skip}`);

describe('WebGPU and WASM agree', { skip }, () => {
  let server: AppServer;
  let browser: Browser;

  before(async () => {
    server = await serveBuiltApp();
    browser = await launchBrowser({ webgpu: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('gives the same keys, tokens and CLS for a coco-dev photo on both backends', async () => {
    const [photo] = cocoDevPhotos(3).slice(2);
    const results: Record<string, Record<string, number[]>> = {};
    for (const backend of ['wasm', 'webgpu']) {
      const app = await AppPage.open(browser, server.url, `?model=tiny-vit&backend=${backend}&debug&refine=none&workers=1`);
      assert.match(await app.backendBadge(), backend === 'wasm' ? /^WASM/ : /^WebGPU/);
      await app.drop([photo]);
      await app.waitForOverlay(300_000);
      results[backend] = {
        keys: await readFeatures(app, photo.name, 'keys', 196 * 48),
        tokens: await readFeatures(app, photo.name, 'tokens', 196 * 48),
        cls: await readFeatures(app, photo.name, 'cls', 48),
      };
      if (backend === 'webgpu') await app.screenshot('backends-webgpu');
      await app.close();
    }
    for (const which of ['keys', 'tokens', 'cls']) {
      const a = results.wasm[which], b = results.webgpu[which];
      assert.equal(a.length, b.length);
      const scale = Math.max(...a.map(Math.abs));
      const maxDiff = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
      assert.ok(maxDiff / scale < 1e-3, `${which}: max |wasm − webgpu| = ${maxDiff} (scale ${scale})`);
    }
  });
});
