// Fully connected CRF with Gaussian edge potentials (Krähenbühl & Koltun 2011), mean-field
// inference over permutohedral-lattice filtering, as pydensecrf's DenseCRF2D. Implements the
// refinement of method.md §2 step 7 and §4's multi-label refinement.
//
// Matches pydensecrf's defaults: Potts compatibility, DIAG kernels with symmetric normalisation
// (K̃ = N^-1/2 K N^-1/2, N = K·1), unary −log(clip(p, 1e-5)), Q₀ = softmax(−U), and per iteration
// Q ← softmax(−U + Σ_k w_k·K̃_k Q). Pixel features: (x, y)/sxy for the Gaussian kernel and
// (x, y)/sxy ⊕ (r, g, b)/srgb on 0–255 colour for the bilateral kernel.
//
// Two engines: WebAssembly (dense-crf-wasm.ts; float32 SIMD in the reference's operation order,
// several masks of an image in one batch) once a module is registered with setDenseCrfWasm(),
// else TypeScript (dense-crf-ts.ts). Both give the reference's labels (tests/core/pipeline/
// dense-crf-parity.test.ts checks them against the C++ densecrf).

import { DenseCrfTs } from './dense-crf-ts';
import { DenseCrfWasm, denseCrfWasmModule } from './dense-crf-wasm';

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

export type DenseCrfBackend = 'wasm' | 'ts';

export interface DenseCrfOptions {
  /** 'auto' (default): WebAssembly when a module is registered, else TypeScript. */
  backend?: DenseCrfBackend | 'auto';
}

/** CutLER's unary for a 0/1 mask: softmax of the logits (1 − m, m), so p(on) = σ(1). */
export const MASK_PROB_ON = 1 / (1 + Math.exp(-1));

/**
 * The image-dependent part of the CRF (two lattices), built once per image and reused for every
 * mask or probability map of that image.
 */
export class DenseCrf {
  readonly width: number;
  readonly height: number;
  readonly backend: DenseCrfBackend;
  private readonly wasm: DenseCrfWasm | null;
  private readonly ts: DenseCrfTs | null;

  constructor(
    rgba: Uint8Array | Uint8ClampedArray, width: number, height: number,
    params: DenseCrfParams = MASKCUT_CRF_PARAMS, options: DenseCrfOptions = {},
  ) {
    if (rgba.length < width * height * 4) throw new Error(`DenseCrf: RGBA has ${rgba.length} bytes; expected ${width}×${height}×4`);
    this.width = width;
    this.height = height;
    const module = denseCrfWasmModule();
    const want = options.backend ?? 'auto';
    if (want === 'wasm' && !module) throw new Error('DenseCrf: no WebAssembly module registered (setDenseCrfWasm)');
    this.backend = want === 'ts' || !module ? 'ts' : 'wasm';
    this.wasm = this.backend === 'wasm' && module ? new DenseCrfWasm(module, rgba, width, height, params) : null;
    this.ts = this.wasm ? null : new DenseCrfTs(rgba, width, height, params);
  }

  /**
   * Releases the engine's memory for the next image (WebAssembly: the module instance goes back
   * to a pool). Optional; the object cannot be used afterwards.
   */
  dispose(): void {
    this.wasm?.dispose();
  }

  /**
   * Mean-field marginals Q, [pixels, labels] row-major, from per-pixel label probabilities
   * (same layout) that become the unary −log p.
   */
  inferFromProbabilities(probs: Float32Array, numLabels: number): Float32Array {
    if (probs.length !== this.width * this.height * numLabels) throw new Error(`DenseCrf: ${probs.length} probabilities for ${this.width}×${this.height}×${numLabels}`);
    return this.wasm ? this.wasm.inferFromProbabilities(probs, numLabels) : (this.ts as DenseCrfTs).inferFromProbabilities(probs, numLabels);
  }

  /**
   * CutLER's densecrf(): unary from softmax([1 − m, m]) of the 0/1 mask, returns the MAP
   * foreground (argmax, ties to background) as 0/1.
   */
  refineBinaryMask(maskRowMajor: Uint8Array): Uint8Array {
    return this.refineBinaryMasks([maskRowMajor])[0];
  }

  /** refineBinaryMask for several masks of the image; each result is that mask's own CRF's. */
  refineBinaryMasks(masksRowMajor: readonly Uint8Array[]): Uint8Array[] {
    const n = this.width * this.height;
    for (const m of masksRowMajor) if (m.length !== n) throw new Error(`DenseCrf: a mask has ${m.length} pixels; expected ${n}`);
    if (this.wasm) return this.wasm.refineBinaryMasks(masksRowMajor, MASK_PROB_ON);
    const ts = this.ts as DenseCrfTs;
    return masksRowMajor.map((mask) => {
      const probs = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        const fg = mask[i] ? MASK_PROB_ON : 1 - MASK_PROB_ON;
        probs[2 * i] = 1 - fg;
        probs[2 * i + 1] = fg;
      }
      const q = ts.inferFromProbabilities(probs, 2);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = q[2 * i + 1] > q[2 * i] ? 1 : 0;
      return out;
    });
  }
}

export { setDenseCrfWasm, denseCrfWasmModule } from './dense-crf-wasm';
