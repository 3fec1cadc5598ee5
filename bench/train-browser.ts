// `npm run bench -- train-browser [--images 100] [--patches 400] [--dim 768] [--classes 49] [--epochs 3] [--hidden 128]`:
// the adaptation head's training speed (method.md §6) inside the app's worker in headless chromium,
// TypeScript and (BENCH_WEBGPU=1) WebGPU, and the same TypeScript trainer in Node, all on the same
// seeded synthetic tokens in one run so the rows compare.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { launchBrowser } from '../e2e/harness/browser';
import { serveBuiltApp } from '../e2e/harness/server';
import { AppPage } from '../e2e/pages/app-page';
import { checkKnownFlags, intFlag, parseArgs } from '../src/cli/args';
import { trainHead } from '../src/core/adapt/train';
import { syntheticTrainingImages, type TrainBenchResult, type TrainBenchSpec } from '../workers/train-bench';
import { median, type Row } from './table';

const ROOT = path.resolve(import.meta.dirname, '..');

export async function benchTrainBrowser(args: string[]): Promise<Row[]> {
  const parsed = parseArgs(args);
  checkKnownFlags(parsed, ['images', 'patches', 'dim', 'classes', 'epochs', 'hidden']);
  const { flags } = parsed;
  const base: Omit<TrainBenchSpec, 'kind' | 'hiddenDim' | 'backend'> = {
    images: intFlag(flags, 'images', 1) ?? 100,
    patchesPerImage: intFlag(flags, 'patches', 1) ?? 400,
    tokenDim: intFlag(flags, 'dim', 1) ?? 768,
    classCount: intFlag(flags, 'classes', 2) ?? 49,
    epochs: intFlag(flags, 'epochs', 1) ?? 3,
    batchSize: 256,
    seed: 0,
  };
  const hidden = intFlag(flags, 'hidden', 1) ?? 128;
  const webgpu = process.env.BENCH_WEBGPU === '1';
  const backends: TrainBenchSpec['backend'][] = webgpu ? ['cpu', 'webgpu'] : ['cpu'];
  const heads = [{ kind: 'linear' as const, hiddenDim: 0 }, { kind: 'mlp' as const, hiddenDim: hidden }];

  const rows: Row[] = nodeRows(base, heads);
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  const server = await serveBuiltApp();
  const browser = await launchBrowser({ webgpu });
  try {
    // The tiny test model loads fast and leaves the cores to training.
    const app = await AppPage.open(browser, server.url, '?model=tiny-vit&debug&workers=1');
    await app.backendBadge();
    await app.page.waitForFunction(() => '__u2seg' in globalThis, undefined, { timeout: 60_000 });
    for (const backend of backends) {
      for (const h of heads) {
        const headName = h.kind === 'linear' ? 'linear' : `mlp ${h.hiddenDim}`;
        process.stderr.write(`training ${headName} on ${backend}…\n`);
        const spec: TrainBenchSpec = { ...base, ...h, backend };
        const r = await app.page.evaluate(
          (sp) => (globalThis as unknown as { __u2seg: { benchmarkTraining(s: TrainBenchSpec): Promise<TrainBenchResult> } }).__u2seg.benchmarkTraining(sp),
          spec,
        );
        const ms = median(r.msPerEpoch);
        rows.push({
          backend,
          device: r.device,
          head: headName,
          patches: r.samples,
          'setup ms': r.setupMs,
          'median ms/epoch': ms,
          'k patches/s': r.samples / ms,
          'final train acc %': 100 * (r.history[r.history.length - 1]?.accuracy ?? 0),
        });
      }
    }
    return rows;
  } finally {
    await browser.close();
    await server.close();
  }
}

/** The same trainer and data in Node (one thread), the reference row of the table. */
function nodeRows(base: Omit<TrainBenchSpec, 'kind' | 'hiddenDim' | 'backend'>, heads: { kind: 'linear' | 'mlp'; hiddenDim: number }[]): Row[] {
  const images = syntheticTrainingImages(base);
  const classes = { names: Array.from({ length: base.classCount }, (_, c) => `c${c}`), thingCount: 1 };
  return heads.map((h) => {
    const headName = h.kind === 'linear' ? 'linear' : `mlp ${h.hiddenDim}`;
    process.stderr.write(`training ${headName} in Node…\n`);
    const r = trainHead(images, base.tokenDim, classes, { ...h, epochs: base.epochs, batchSize: base.batchSize, seed: base.seed });
    const ms = median(r.history.map((e) => e.ms));
    return {
      backend: 'node', device: `TypeScript, Node ${process.version}`, head: headName, patches: r.sampleCount, 'setup ms': 0,
      'median ms/epoch': ms, 'k patches/s': r.sampleCount / ms, 'final train acc %': 100 * (r.history.at(-1)?.accuracy ?? 0),
    };
  });
}
