// The dense CRF of method.md §2 step 7 and §4 on the WebAssembly kernels built from
// wasm/dense-crf (float32 SIMD, the reference's operation order); dense-crf.ts picks it when loaded.
//
// Memory: one module instance per image (its own linear memory, freed with the object). The
// image's two lattices and their normalisations stay resident; every inference allocates its
// energy and marginals above them and rewinds afterwards. Several binary masks of one image run
// as one batch of independent two-label CRFs, four channels (two masks) per SIMD pass; each
// lane sees the arithmetic of a CRF of its own, so the batch gives every mask's own result.

import type { DenseCrfParams } from './dense-crf';

let registered: WebAssembly.Module | null = null;

/**
 * Registers the compiled kernels (public/wasm/dense-crf.wasm) for every DenseCrf made from now
 * on, or unregisters them (null: the TypeScript engine). The runtime loads it: Node in
 * src/runtime/dense-crf-wasm-node.ts, the browser workers in workers/dense-crf-wasm.ts.
 */
export function setDenseCrfWasm(module: WebAssembly.Module | null): void {
  if (module) {
    const missing = REQUIRED_EXPORTS.filter((name) => !WebAssembly.Module.exports(module).some((e) => e.name === name));
    if (missing.length) throw new Error(`dense-crf.wasm lacks ${missing.join(', ')}: rebuild it with "npm run setup"`);
  }
  registered = module;
}

export function denseCrfWasmModule(): WebAssembly.Module | null {
  return registered;
}

const REQUIRED_EXPORTS = ['memory', 'alloc', 'heapTop', 'setHeapTop', 'buildLattice', 'lastNeighbours', 'filter4', 'filter8', 'normFromSums', 'softmaxPairs', 'softmaxRows'];

export interface DenseCrfWasmExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  heapTop(): number;
  setHeapTop(ptr: number): void;
  buildLattice(feat: number, n: number, d: number, scale: number, invD1: number, offsets: number, weights: number): number;
  lastNeighbours(): number;
  filter4: FilterKernel;
  filter8: FilterKernel;
  normFromSums(sums: number, stride: number, n: number, norm: number): void;
  softmaxPairs(energy: number, q: number, n: number, stride: number): void;
  softmaxRows(energy: number, q: number, n: number, k: number, stride: number): void;
}

type FilterKernel = (
  offsets: number, weights: number, d1: number, n: number, neighbours: number, m: number,
  input: number, inStride: number, c0: number, preScale: number,
  bufA: number, bufB: number, alpha: number, sseSlice: number,
  out: number, outStride: number, weight: number, postScale: number,
) => void;

interface WasmKernel {
  d1: number;
  offsets: number;
  weights: number;
  neighbours: number;
  vertices: number;
  /** N^-1/2 per pixel. */
  norm: number;
  weight: number;
  /** densecrf's blur normalisation α = float32(1 / (1 + 2^-d)). */
  alpha: number;
}

/** Channels per SIMD vector; a lattice pass filters one or two vectors' worth. */
const LANES = 4;
const WIDE = 8;

const roundUp = (v: number, to: number): number => Math.ceil(v / to) * to;

/** float32 of densecrf's unary clip and log: log(clip(p, 1e-5, 1)) = −U. */
export const F32_PROB_FLOOR = Math.fround(1e-5);

export class DenseCrfWasm {
  private readonly x: DenseCrfWasmExports;
  private readonly n: number;
  private readonly kernels: WasmKernel[];
  private readonly bufA: number;
  private readonly bufB: number;

  constructor(
    module: WebAssembly.Module,
    rgba: Uint8Array | Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
    private readonly params: DenseCrfParams,
  ) {
    this.x = new WebAssembly.Instance(module, {}).exports as unknown as DenseCrfWasmExports;
    const n = (this.n = width * height);
    const gSxy = Math.fround(params.gaussianSxy), bSxy = Math.fround(params.bilateralSxy), bSrgb = Math.fround(params.bilateralSrgb);
    const gauss = this.buildKernel(2, params.gaussianCompat, (f) => {
      for (let y = 0, i = 0; y < height; y++) {
        for (let x = 0; x < width; x++, i++) {
          f[2 * i] = x / gSxy;
          f[2 * i + 1] = y / gSxy;
        }
      }
    });
    const bilateral = this.buildKernel(5, params.bilateralCompat, (f) => {
      for (let y = 0, i = 0; y < height; y++) {
        for (let x = 0; x < width; x++, i++) {
          f[5 * i] = x / bSxy;
          f[5 * i + 1] = y / bSxy;
          for (let c = 0; c < 3; c++) f[5 * i + 2 + c] = rgba[4 * i + c] / bSrgb;
        }
      }
    });
    this.kernels = [gauss, bilateral];
    const slots = Math.max(gauss.vertices, bilateral.vertices) + 1;
    this.bufA = this.x.alloc(slots * WIDE * 4);
    this.bufB = this.x.alloc(slots * WIDE * 4);
    // N = K·1 for each kernel (densecrf filters a vector of ones, value size 1: seq slicing).
    for (const k of this.kernels) k.norm = this.x.alloc(n * 4);
    const mark = this.x.heapTop();
    const ones = this.x.alloc(n * LANES * 4);
    const sums = this.x.alloc(n * LANES * 4);
    this.f32(ones, n * LANES).fill(1);
    for (const k of this.kernels) {
      this.filter(k, ones, LANES, 0, LANES, 0, false, sums, LANES, 0, 0);
      this.x.normFromSums(sums, LANES, n, k.norm);
    }
    this.x.setHeapTop(mark);
  }

  private f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.x.memory.buffer, ptr, length);
  }

  private buildKernel(d: number, weight: number, fill: (featuresPointMajor: Float32Array) => void): WasmKernel {
    const n = this.n, d1 = d + 1;
    const offsets = this.x.alloc(n * d1 * 4);
    const weights = this.x.alloc(n * d1 * 4);
    const feat = this.x.alloc(n * d * 4);
    const scale = this.x.alloc(d * 4);
    fill(this.f32(feat, n * d));
    // densecrf: inv_std_dev = float(sqrt(2/3)·(d+1)); scale_i = float(1/sqrt((i+1)(i+2)) · inv_std_dev).
    const invStd = Math.fround(Math.sqrt(2 / 3) * d1);
    const sc = this.f32(scale, d);
    for (let i = 0; i < d; i++) sc[i] = (1 / Math.sqrt((i + 2) * (i + 1))) * invStd;
    const vertices = this.x.buildLattice(feat, n, d, scale, Math.fround(1 / d1), offsets, weights);
    return {
      d1, offsets, weights, neighbours: this.x.lastNeighbours(), vertices, norm: 0, weight: Math.fround(weight),
      alpha: Math.fround(1 / (1 + Math.pow(2, -d))),
    };
  }

  /** Filters channels [c0, c0 + width), width 4 or 8. */
  private filter(
    k: WasmKernel, input: number, inStride: number, c0: number, width: number, preScale: number, sse: boolean,
    out: number, outStride: number, weight: number, postScale: number,
  ): void {
    (width === WIDE ? this.x.filter8 : this.x.filter4)(
      k.offsets, k.weights, k.d1, this.n, k.neighbours, k.vertices, input, inStride, c0, preScale,
      this.bufA, this.bufB, k.alpha, sse ? 1 : 0, out, outStride, weight, postScale,
    );
  }

  /**
   * Mean field over `stride` channels per pixel, from −U (written by `fillNegUnary`); returns the
   * marginals in the same layout. `labelsPerCrf` = 2 with pairs of channels per CRF, else one CRF
   * of `labelsPerCrf` labels.
   */
  private meanField(stride: number, labelsPerCrf: number, fillNegUnary: (negUnary: Float32Array) => void): Float32Array {
    const n = this.n, x = this.x, len = n * stride;
    const mark = x.heapTop();
    try {
      const negUnary = x.alloc(len * 4), q = x.alloc(len * 4), energy = x.alloc(len * 4);
      fillNegUnary(this.f32(negUnary, len));
      const softmax = labelsPerCrf === 2
        ? (from: number) => x.softmaxPairs(from, q, n, stride)
        : (from: number) => x.softmaxRows(from, q, n, labelsPerCrf, stride);
      // densecrf: seqCompute for a value size ≤ 2, sseCompute above.
      const sse = labelsPerCrf > 2;
      softmax(negUnary);
      for (let it = 0; it < this.params.iterations; it++) {
        this.f32(energy, len).set(this.f32(negUnary, len));
        for (const k of this.kernels) {
          for (let c0 = 0; c0 < stride; ) {
            const width = stride - c0 >= WIDE ? WIDE : LANES;
            this.filter(k, q, stride, c0, width, k.norm, sse, energy, stride, k.weight, k.norm);
            c0 += width;
          }
        }
        softmax(energy);
      }
      return this.f32(q, len).slice();
    } finally {
      x.setHeapTop(mark);
    }
  }

  /** Marginals [pixels, labels] from per-pixel probabilities in the same layout (unary −log p). */
  inferFromProbabilities(probs: Float32Array, numLabels: number): Float32Array {
    const n = this.n, k = numLabels, stride = roundUp(k, LANES);
    const q = this.meanField(stride, k, (negUnary) => {
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < k; c++) negUnary[i * stride + c] = Math.log(clipProb(probs[i * k + c]));
      }
    });
    if (stride === k) return q;
    const out = new Float32Array(n * k);
    for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = q[i * stride + c];
    return out;
  }

  /** CutLER's densecrf() for several 0/1 masks at once; see DenseCrf.refineBinaryMask. */
  refineBinaryMasks(masksRowMajor: readonly Uint8Array[], probOn: number): Uint8Array[] {
    const n = this.n, count = masksRowMajor.length, stride = roundUp(2 * count, LANES);
    if (count === 0) return [];
    // float32 probabilities (1 − fg, fg) with fg = p(on) on the mask and 1 − p(on) off it, as
    // DenseCrf writes them for the TypeScript engine and the reference.
    const logs = [1 - probOn, probOn].map((fg) => [Math.log(clipProb(Math.fround(1 - fg))), Math.log(clipProb(Math.fround(fg)))]);
    const q = this.meanField(stride, 2, (negUnary) => {
      masksRowMajor.forEach((mask, m) => {
        for (let i = 0, o = 2 * m; i < n; i++, o += stride) {
          const [l0, l1] = logs[mask[i] ? 1 : 0];
          negUnary[o] = l0;
          negUnary[o + 1] = l1;
        }
      });
    });
    return masksRowMajor.map((_, m) => {
      const out = new Uint8Array(n);
      for (let i = 0, o = 2 * m; i < n; i++, o += stride) out[i] = q[o + 1] > q[o] ? 1 : 0;
      return out;
    });
  }
}

function clipProb(p: number): number {
  return p < F32_PROB_FLOOR ? F32_PROB_FLOOR : p > 1 ? 1 : p;
}
