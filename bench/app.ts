// `npm run bench -- app [n] [refine]`: the user's view of speed in headless Chromium: time from
// dropping n coco-dev photos to the first overlay, and photos per minute until all are labelled.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launchBrowser } from '../e2e/harness/browser';
import { cocoDevPhotos, COCO_DEV_IMAGES, hasCocoDev } from '../e2e/harness/files';
import { serveBuiltApp } from '../e2e/harness/server';
import { AppPage } from '../e2e/pages/app-page';
import type { Row } from './table';

const ROOT = path.resolve(import.meta.dirname, '..');

export async function benchApp(args: string[]): Promise<Row[]> {
  if (!hasCocoDev()) throw new Error(`needs ${COCO_DEV_IMAGES}`);
  const n = Number(args[0] ?? 20);
  const refine = args[1] ?? 'crf';
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  const server = await serveBuiltApp();
  const webgpu = process.env.BENCH_WEBGPU === '1';
  const browser = await launchBrowser({ webgpu });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const app = await AppPage.open(context, server.url, `?refine=${refine}${webgpu ? '&backend=webgpu' : '&backend=wasm'}`);
    const badge = await app.backendBadge();
    const photos = cocoDevPhotos(n);
    const t0 = Date.now();
    await app.drop(photos);
    await app.waitForOverlay(600_000);
    const firstMs = Date.now() - t0;
    await app.waitForAllLabelled(n, 3_600_000);
    const allMs = Date.now() - t0;
    return [{ backend: badge, photos: n, refine, 'first overlay s': firstMs / 1000, 'all labelled s': allMs / 1000, 'photos/min': (60_000 * n) / allMs }];
  } finally {
    await browser.close();
    await server.close();
  }
}
