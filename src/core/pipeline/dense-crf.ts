// Fully connected CRF with Gaussian edge potentials (Krähenbühl & Koltun 2011), mean-field
// inference over permutohedral-lattice filtering, as pydensecrf's DenseCRF2D. Implements the
// refinement of method.md §2 step 7 (and is reusable for §4's multi-label refinement).
//
// Matches pydensecrf's defaults: Potts compatibility, DIAG kernels with symmetric normalisation
// (K̃ = N^-1/2 K N^-1/2, N = K·1), unary −log(clip(p, 1e-5)), Q₀ = softmax(−U), and per iteration
// Q ← softmax(−U + Σ_k w_k·K̃_k Q). Pixel features: (x, y)/sxy for the Gaussian kernel and
// (x, y)/sxy ⊕ (r, g, b)/srgb on 0–255 colour for the bilateral kernel.

import { PermutohedralLattice } from './permutohedral';

export interface DenseCrfParams {
  gaussianSxy: number;
  gaussianCompat: number;
  bilateralSxy: number;
  bilateralSrgb: number;
  bilateralCompat: number;
  iterations: number;
}

/** CutLER's maskcut/crf.py settings (method.md §2). */
export const MASKCUT_CRF_PARAMS: DenseCrfParams = {
  gaussianSxy: 3,
  gaussianCompat: 7,
  bilateralSxy: 50,
  bilateralSrgb: 5,
  bilateralCompat: 10,
  iterations: 10,
};

/** STEGO's settings for semantic maps (method.md §4). */
export const STEGO_CRF_PARAMS: DenseCrfParams = {
  gaussianSxy: 1,
  gaussianCompat: 3,
  bilateralSxy: 67,
  bilateralSrgb: 3,
  bilateralCompat: 4,
  iterations: 10,
};

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

/**
 * The image-dependent part of the CRF (two lattices), built once per image and reused for every
 * mask of that image.
 */
export class DenseCrf {
  readonly width: number;
  readonly height: number;
  private readonly kernels: Kernel[];
  private readonly iterations: number;

  constructor(rgba: Uint8Array | Uint8ClampedArray, width: number, height: number, params: DenseCrfParams = MASKCUT_CRF_PARAMS) {
    this.width = width;
    this.height = height;
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

  /**
   * Mean-field marginals Q, [pixels, labels] row-major, from per-pixel label probabilities
   * (same layout) that become the unary −log p.
   */
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

  /**
   * CutLER's densecrf(): unary from softmax([1 − m, m]) of the 0/1 mask, returns the MAP
   * foreground (argmax, ties to background) as 0/1.
   */
  refineBinaryMask(maskRowMajor: Uint8Array): Uint8Array {
    const n = this.width * this.height;
    const probs = new Float32Array(n * 2);
    const pOn = 1 / (1 + Math.exp(-1)); // softmax of logits (0, 1)
    for (let i = 0; i < n; i++) {
      const fg = maskRowMajor[i] ? pOn : 1 - pOn;
      probs[2 * i] = 1 - fg;
      probs[2 * i + 1] = fg;
    }
    const q = this.inferFromProbabilities(probs, 2);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = q[2 * i + 1] > q[2 * i] ? 1 : 0;
    return out;
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
