// `npm run bench -- backbone`: ms per image for each backbone at 224/320/480 px in Node
// (onnxruntime-node, one process per model for its peak memory) and in headless Chromium (WASM;
// WebGPU only on a real adapter, never SwiftShader), with model size.
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../e2e/harness/browser';
import { serveBuiltApp } from '../e2e/harness/server';
import { buildBenchModels, BENCH_MODEL_DIR, type BenchModel } from './backbone-models';
import { median, type Row } from './table';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEFAULT_FAMILIES = ['cnn-default', 'vit-tiny', 'dino-vit-s16', 'dino-vit-s8', 'dino-vit-b16'];
const SIZES = [224, 320, 480];
const BUDGET_MS = 15000;

function nodeTiming(m: BenchModel): { ms: number[]; threads: number; peakRssMiB: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'backbone-node-child.ts'), m.manifestPath, String(BUDGET_MS)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out) as { ms: number[]; threads: number; peakRssMiB: number };
}

type BenchHook = { benchmark(url: string, manifest: unknown, pref: string, runs: number): Promise<{ info: { backend: string; threads: number; detail?: string }; msPerRun: number[] }> };

async function browserTimings(models: BenchModel[], webgpu: boolean): Promise<Map<string, Row>> {
  execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' });
  // Served by the preview server itself: large bodies through Playwright's routing kill the browser.
  cpSync(BENCH_MODEL_DIR, path.join(ROOT, 'dist/bench-models'), { recursive: true });
  const server = await serveBuiltApp();
  const browser = await launchBrowser({ webgpu });
  const results = new Map<string, Row>();
  try {
    const page = await browser.newPage();
    page.on('crash', () => process.stderr.write('[bench] page crashed\n'));
    page.on('console', (msg) => process.stderr.write(`[page] ${msg.text().slice(0, 200)}\n`));
    await page.goto(`${server.url}?model=tiny-vit&debug`);
    await page.waitForFunction(() => 'u2seg' in globalThis || '__u2seg' in globalThis);
    const prefs = webgpu ? ['wasm', 'webgpu'] : ['wasm'];
    for (const m of models) {
      for (const pref of prefs) {
        const url = `${server.url}bench-models/${m.manifest.file}`;
        const r = await page.evaluate(
          ([u, man, p]) => (globalThis as unknown as { __u2seg: BenchHook }).__u2seg.benchmark(u, man, p, 3),
          [url, m.manifest, pref] as const,
        );
        results.set(`${m.manifest.id}/${pref}`, { backend: r.info.backend, threads: r.info.threads, ms: median(r.msPerRun) });
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return results;
}

export async function benchBackbone(args: string[]): Promise<Row[]> {
  const families = args.length ? args : DEFAULT_FAMILIES;
  const models = await buildBenchModels(families, SIZES);
  const webgpu = process.env.BENCH_WEBGPU === '1';
  const browser = await browserTimings(models, webgpu);
  const rows: Row[] = [];
  for (const m of models) {
    const node = nodeTiming(m);
    const wasm = browser.get(`${m.manifest.id}/wasm`);
    const gpu = browser.get(`${m.manifest.id}/webgpu`);
    rows.push({
      model: m.family,
      px: m.sizePx,
      grid: `${Math.floor(m.sizePx / m.manifest.stride)}²`,
      'MiB': +(m.bytes / 2 ** 20).toFixed(1),
      'node ms': median(node.ms),
      'node threads': node.threads,
      'node peak RSS MiB': Math.round(node.peakRssMiB),
      'wasm ms': wasm ? Number(wasm.ms) : 'n/a',
      'wasm threads': wasm ? Number(wasm.threads) : 'n/a',
      'webgpu ms': gpu?.backend === 'webgpu' ? Number(gpu.ms) : 'n/a',
    });
    process.stderr.write(`[bench] ${m.manifest.id} done\n`);
  }
  return rows;
}
