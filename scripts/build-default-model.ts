// Builds the default CNN backbone (nsfwjs → ONNX, method.md §1) into public/models/<id>.onnx + .json
// from the installed npm package, offline; run by the setup step: `tsx scripts/build-default-model.ts`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDefaultCnn, DEFAULT_CNN, type CnnChoice } from '../src/model/cnn-default';
import { sha256Hex } from '../src/model/model-files';

export interface BuildResult {
  /** Model id (file stem), what scripts/setup.ts lists in public/models/index.json. */
  id: string;
  onnxPath: string;
  manifestPath: string;
  /** False when both files were already identical to what this build produces. */
  written: boolean;
  sha256: string;
}

function fileSha(file: string): string | null {
  return existsSync(file) ? sha256Hex(readFileSync(file)) : null;
}

/**
 * The conversion is deterministic and takes about a second, so the model is always converted in
 * memory and compared by sha: a stale file from an older converter can never be kept by mistake.
 */
export async function buildDefaultModel(outDir: string, choice: CnnChoice = DEFAULT_CNN): Promise<BuildResult> {
  const { bytes, manifest, stemBytes } = await buildDefaultCnn(choice);
  const onnxPath = path.join(outDir, manifest.file);
  const manifestPath = path.join(outDir, `${manifest.id}.json`);
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const stem = manifest.shiftAverage?.stem;
  const graphs = [{ file: onnxPath, sha256: manifest.sha256, bytes }];
  if (stem && stemBytes) graphs.push({ file: path.join(outDir, stem.file), sha256: stem.sha256, bytes: stemBytes });
  const stale = graphs.filter((g) => fileSha(g.file) !== g.sha256);
  const manifestCurrent = existsSync(manifestPath) && readFileSync(manifestPath, 'utf8') === manifestText;
  if (stale.length || !manifestCurrent) {
    mkdirSync(outDir, { recursive: true });
    for (const g of stale) writeFileSync(g.file, g.bytes);
    writeFileSync(manifestPath, manifestText);
  }
  return { id: manifest.id, onnxPath, manifestPath, written: stale.length > 0 || !manifestCurrent, sha256: manifest.sha256 };
}

async function main(): Promise<void> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const outArg = process.argv.indexOf('--out');
  const outDir = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : path.join(root, 'public', 'models');
  const started = performance.now();
  const r = await buildDefaultModel(outDir);
  const ms = Math.round(performance.now() - started);
  const verb = r.written ? 'wrote' : 'up to date:';
  console.log(`${verb} ${path.relative(root, r.onnxPath)} (sha256 ${r.sha256.slice(0, 12)}…, ${ms} ms)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
