// `npm run bench -- adapt [photos=20] [labelled=5]`: the user's view of adaptation (method.md §6) in
// headless Chromium on the default model: n coco-dev photos, ground truth as the labels of k of
// them, then "Train" for a linear and an MLP head; time from the click to every photo relabelled.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../e2e/harness/browser';
import { cocoDevPhotos, COCO_DEV_IMAGES, hasCocoDev } from '../e2e/harness/files';
import { serveBuiltApp } from '../e2e/harness/server';
import { AppPage } from '../e2e/pages/app-page';
import type { StoredHead } from '../src/storage/records';
import { median, type Row } from './table';

const ROOT = path.resolve(import.meta.dirname, '..');
const GT_FILE = path.join(COCO_DEV_IMAGES, '..', 'instances.json');
const EPOCHS = 8;

async function labelWithGroundTruth(app: AppPage, k: number): Promise<void> {
  await app.drop([{ name: 'instances.json', mimeType: 'application/json', base64: readFileSync(GT_FILE).toString('base64') }]);
  await app.waitForAlert(/ground truth with/);
  await app.dismissMessages();
  await app.page.locator('[data-testid=gallery] li').first().click();
  await app.enterLabelMode();
  for (let i = 0; i < k; i++) {
    await app.page.keyboard.press('u');
    await app.waitForAlert(/Ground truth is now your labels on 1 photo/);
    await app.dismissMessages();
    await app.page.keyboard.press('ArrowRight');
  }
  await app.page.keyboard.press('Escape');
}

export async function benchAdapt(args: string[]): Promise<Row[]> {
  if (!hasCocoDev()) throw new Error(`needs ${COCO_DEV_IMAGES}`);
  const n = Number(args[0] ?? 20), k = Number(args[1] ?? 5);
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  const server = await serveBuiltApp();
  const browser = await launchBrowser({ webgpu: false });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const app = await AppPage.open(context, server.url, '?refine=none&backend=wasm');
    const badge = await app.backendBadge();
    await app.drop(cocoDevPhotos(n));
    await app.waitForAllLabelled(n, 3_600_000);
    await labelWithGroundTruth(app, k);
    const rows: Row[] = [];
    for (const kind of ['linear', 'mlp'] as const) {
      process.stderr.write(`training ${kind} on ${n} photos (${k} labelled)…\n`);
      const t0 = Date.now();
      await app.trainHead({ kind, epochs: EPOCHS, rounds: 1, pseudoLabels: true }, 3_600_000);
      const seconds = (Date.now() - t0) / 1000;
      const head = await app.storedMeta<StoredHead>('adaptHead');
      const round = head?.summary.rounds[0];
      rows.push({
        model: badge,
        photos: n,
        'labelled by GT': k,
        head: kind === 'mlp' ? `mlp ${head?.summary.hiddenDim}` : 'linear',
        trainer: head?.summary.backend ?? '?',
        epochs: round?.history.length ?? 0,
        patches: round?.samples ?? 0,
        'median ms/epoch': median(round?.history.map((h) => h.ms) ?? []),
        'click → all relabelled s': seconds,
        'labelled patches right %': 100 * (round?.userAgreement ?? 0),
      });
    }
    return rows;
  } finally {
    await browser.close();
    await server.close();
  }
}
