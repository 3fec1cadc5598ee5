// The dense CRF of method.md §2 step 7 and §4 in plain TypeScript (double-precision arithmetic
// stored in float32): the fallback where WebAssembly is not loaded, and the old path in benchmarks.
//
// Potts compatibility, DIAG kernels with symmetric normalisation (K̃ = N^-1/2 K N^-1/2, N = K·1),
// Q₀ = softmax(−U), and per iteration Q ← softmax(−U + Σ_k w_k·K̃_k Q), as pydensecrf.

import type { DenseCrfParams } from './dense-crf';
import { PermutohedralLattice } from './permutohedral';

interface Kernel {
  lattice: PermutohedralLattice;
  /** N^-1/2 per pixel. */
  norm: Float32Array;
  weight: number;
}

function buildKernel(features: Float32Array, numPixels: number, dim: number, weight: number): Kernel {
  const lattice = new PermutohedralLattice(features, numPixels, dim);
  const sums = lattice.filter(new Float32Array(numPixels).fill(1), 1);
  const norm = new Float32Array(numPixels);
  for (let i = 0; i < numPixels; i++) norm[i] = 1 / Math.sqrt(sums[i] + 1e-20);
  return { lattice, norm, weight };
}

/** The image's two lattices, built once and reused for every inference on the image. */
export class DenseCrfTs {
  private readonly kernels: Kernel[];
  private readonly iterations: number;

  constructor(
    rgba: Uint8Array | Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
    params: DenseCrfParams,
  ) {
    this.iterations = params.iterations;
    const n = width * height;
    const pos = new Float32Array(n * 2);
    const bil = new Float32Array(n * 5);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        pos[2 * i] = x / params.gaussianSxy;
        pos[2 * i + 1] = y / params.gaussianSxy;
        bil[5 * i] = x / params.bilateralSxy;
        bil[5 * i + 1] = y / params.bilateralSxy;
        for (let ch = 0; ch < 3; ch++) bil[5 * i + 2 + ch] = rgba[4 * i + ch] / params.bilateralSrgb;
      }
    }
    this.kernels = [buildKernel(pos, n, 2, params.gaussianCompat), buildKernel(bil, n, 5, params.bilateralCompat)];
  }

  /** Mean-field marginals [pixels, labels] from per-pixel probabilities in the same layout. */
  inferFromProbabilities(probs: Float32Array, numLabels: number): Float32Array {
    const n = this.width * this.height, l = numLabels;
    const negUnary = new Float32Array(n * l);
    for (let i = 0; i < n * l; i++) negUnary[i] = Math.log(Math.min(Math.max(probs[i], 1e-5), 1));
    const q = new Float32Array(n * l);
    softmaxRows(negUnary, q, n, l);
    const scaled = new Float32Array(n * l);
    const energy = new Float32Array(n * l);
    for (let it = 0; it < this.iterations; it++) {
      energy.set(negUnary);
      for (const k of this.kernels) {
        for (let i = 0; i < n; i++) for (let c = 0; c < l; c++) scaled[i * l + c] = q[i * l + c] * k.norm[i];
        const filtered = k.lattice.filter(scaled, l);
        for (let i = 0; i < n; i++) {
          const s = k.weight * k.norm[i];
          for (let c = 0; c < l; c++) energy[i * l + c] += s * filtered[i * l + c];
        }
      }
      softmaxRows(energy, q, n, l);
    }
    return q;
  }
}

function softmaxRows(logits: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, logits[o + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(logits[o + c] - max);
      out[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < cols; c++) out[o + c] /= sum;
  }
}
