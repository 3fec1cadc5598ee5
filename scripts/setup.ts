// The setup step of both README commands: copies onnxruntime-web's WASM files so the app serves
// them itself, builds the dense CRF's WebAssembly kernels and the models from npm packages and
// project code (no network), and with --test makes sure Debian's chromium (e2e tests) and
// redis-server (job queue test) are installed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { modelIsCurrent, writeModel, writeModelIndex } from '../src/model/model-files';
import { buildDenseCrfWasm, denseCrfWasmIsCurrent } from '../src/runtime/dense-crf-wasm-node';
import { buildTinyVitOnnx, tinyVitManifest } from '../src/model/vit/tiny-vit';

const root = path.resolve(import.meta.dirname, '..');
const modelsDir = path.join(root, 'public/models');
const log = (s: string): void => void process.stderr.write(`[setup] ${s}\n`);

function copyOrtAssets(): void {
  const src = path.join(root, 'node_modules/onnxruntime-web/dist');
  const dst = path.join(root, 'public/ort');
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });
  // The WebGPU build of onnxruntime-web (which also runs WASM) loads only the asyncify variant.
  const files = readdirSync(src).filter((f) => /^ort-wasm-simd-threaded\.asyncify\.(wasm|mjs)$/.test(f));
  for (const f of files) copyFileSync(path.join(src, f), path.join(dst, f));
  log(`copied ${files.length} onnxruntime-web files to public/ort/`);
}

/** The dense CRF's WebAssembly kernels (AssemblyScript, from npm) for the CLI and the workers. */
async function buildCrfWasm(): Promise<void> {
  if (denseCrfWasmIsCurrent()) return log('dense-crf.wasm is up to date');
  const { bytes, ms } = await buildDenseCrfWasm();
  log(`built public/wasm/dense-crf.wasm (${(bytes / 1024).toFixed(0)} KiB, ${(ms / 1000).toFixed(1)} s)`);
}

async function buildTinyVit(): Promise<void> {
  if (modelIsCurrent(modelsDir, 'tiny-vit')) return log('tiny-vit is up to date');
  const bytes = buildTinyVitOnnx(0);
  const { sha256: _s, file: _f, ...manifest } = tinyVitManifest('');
  await writeModel(modelsDir, bytes, manifest);
  log(`built tiny-vit (${(bytes.length / 1024).toFixed(0)} KiB)`);
}

/** The shipped default (an ImageNet CNN from the nsfwjs package), when its converter is present. */
async function buildDefault(): Promise<string[]> {
  const script = path.join(root, 'scripts/build-default-model.ts');
  if (!existsSync(script)) return [];
  const mod = (await import(script)) as { buildDefaultModel?: (dir: string) => Promise<{ id: string }> };
  if (!mod.buildDefaultModel) return [];
  const { id } = await mod.buildDefaultModel(modelsDir);
  log(`default model ${id} is ready`);
  return [id];
}

/** Debian packages the tests need, by the binary that must exist afterwards. */
const TEST_PACKAGES: { binary: string; pkg: string; why: string }[] = [
  { binary: '/usr/bin/chromium', pkg: 'chromium', why: 'the e2e tests' },
  { binary: '/usr/bin/redis-server', pkg: 'redis-server', why: 'the job queue test (tests/batch/queue)' },
];

function ensureTestPackages(): void {
  const missing = TEST_PACKAGES.filter((p) => !existsSync(p.binary));
  for (const p of TEST_PACKAGES) if (!missing.includes(p)) log(`${p.pkg} is installed`);
  if (!missing.length) return;
  log(`installing Debian ${missing.map((p) => `${p.pkg} (${p.why})`).join(', ')} with apt-get…`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args: string[]) => execFileSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  run(['apt-get', 'update', '-qq']);
  // Where systemd runs, Debian also starts its own redis service on port 6379; the tests never use
  // it (they start redis-server on a free port in a temp folder), so it is left as Debian set it up.
  run(['apt-get', 'install', '-y', '-qq', ...missing.map((p) => p.pkg)]);
}

async function main(): Promise<void> {
  copyOrtAssets();
  await buildCrfWasm();
  await buildTinyVit();
  const defaults = await buildDefault();
  const index = await writeModelIndex(modelsDir, [...defaults, 'tiny-vit'], [...defaults, 'tiny-vit']);
  log(`models: ${index.models.map((m) => m.id).join(', ')}; default ${index.default}`);
  if (process.argv.includes('--test')) ensureTestPackages();
}

main().catch((err: unknown) => {
  process.stderr.write(`[setup] failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
