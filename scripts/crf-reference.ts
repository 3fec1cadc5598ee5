// Builds and runs the reference dense CRF (../shared/reference/densecrf: Krähenbühl & Koltun's
// densecrf as pydensecrf vendors it, method.md §2 step 7 and §4) for parity tests and benchmarks.
//
// The binary is built with Debian's g++ (the recipe of the reference's README) into
// .cache/crf-ref/<hash>/ (gitignored), keyed by a hash of the reference sources, the flags and
// the compiler version, so it is built once (~20 s) and rebuilt only when one of them changes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DenseCrfParams } from '../src/core/pipeline/dense-crf';

const ROOT = path.resolve(import.meta.dirname, '..');
export const CRF_REFERENCE_DIR = path.resolve(ROOT, '../shared/reference/densecrf');
const BUILD_ROOT = path.join(ROOT, '.cache/crf-ref');
const GXX = 'g++';
const FLAGS = ['-O2', '-std=c++11'];

function listFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

function gxxVersion(): string | null {
  try {
    return execFileSync(GXX, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return null;
  }
}

/** Why the reference cannot be built here (null when it can): names what is missing. */
export function crfReferenceMissing(): string | null {
  if (!existsSync(path.join(CRF_REFERENCE_DIR, 'crf_ref.cpp'))) return `${CRF_REFERENCE_DIR}/crf_ref.cpp is absent`;
  if (!gxxVersion()) return `${GXX} is not installed (apt-get install g++)`;
  return null;
}

/** Path of the reference command line, built first when this source/compiler has no build yet. */
export function ensureCrfReference(log: (line: string) => void = () => {}): string {
  const missing = crfReferenceMissing();
  if (missing) throw new Error(`cannot build the reference CRF: ${missing}`);
  const h = createHash('sha256').update(`${gxxVersion()}\0${FLAGS.join(' ')}\0`);
  for (const f of listFiles(CRF_REFERENCE_DIR).filter((f) => /\.(c|cpp|h|hpp)$|\/Eigen\//.test(f))) {
    h.update(path.relative(CRF_REFERENCE_DIR, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  const dir = path.join(BUILD_ROOT, h.digest('hex').slice(0, 16));
  const bin = path.join(dir, 'crf_ref');
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  const t0 = performance.now();
  const src = (p: string) => path.join(CRF_REFERENCE_DIR, p);
  execFileSync(GXX, [
    ...FLAGS, '-I', src('include'), '-I', src('external/liblbfgs/include'), src('crf_ref.cpp'),
    ...readdirSync(src('src')).filter((f) => f.endsWith('.cpp')).sort().map((f) => src(`src/${f}`)),
    src('external/liblbfgs/lib/lbfgs.c'), '-o', tmp,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(tmp, bin);
  log(`built the reference CRF ${path.relative(ROOT, bin)} with ${GXX} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return bin;
}

export interface ReferenceResult {
  /** Argmax label per pixel (ties to the lower label). */
  labels: Uint8Array;
  /** The reference's own timings: lattices and unary, then mean field. */
  setupMs: number;
  inferenceMs: number;
}

/**
 * Runs the reference on one image: `probsLabelMajor[l·W·H + i]` (the softmax the unary comes
 * from), L labels. The C++ reads its float parameters with atof, as pydensecrf passes floats.
 */
export function runCrfReference(
  bin: string, rgba: Uint8Array | Uint8ClampedArray, width: number, height: number,
  probsLabelMajor: Float32Array, numLabels: number, p: DenseCrfParams,
): ReferenceResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'crf-ref-'));
  try {
    const img = path.join(dir, 'image.rgba'), probs = path.join(dir, 'probs.f32'), out = path.join(dir, 'out.u8');
    writeFileSync(img, rgba);
    writeFileSync(probs, new Uint8Array(probsLabelMajor.buffer, probsLabelMajor.byteOffset, probsLabelMajor.byteLength));
    const args = [width, height, img, probs, numLabels, p.gaussianSxy, p.gaussianCompat, p.bilateralSxy, p.bilateralSrgb, p.bilateralCompat, p.iterations, out];
    const stdout = execFileSync(bin, args.map(String), { encoding: 'utf8' });
    const t = JSON.parse(stdout) as { setup_ms: number; inference_ms: number };
    return { labels: new Uint8Array(readFileSync(out)), setupMs: t.setup_ms, inferenceMs: t.inference_ms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Label-major probabilities of CutLER's unary for a 0/1 mask (softmax of the logits (1 − m, m)). */
export function maskProbsLabelMajor(maskRowMajor: Uint8Array, probOn: number): Float32Array {
  const n = maskRowMajor.length;
  const probs = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const fg = maskRowMajor[i] ? probOn : 1 - probOn;
    probs[i] = 1 - fg;
    probs[n + i] = fg;
  }
  return probs;
}
