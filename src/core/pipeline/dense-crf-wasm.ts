// The dense CRF of method.md §2 step 7 and §4 on the WebAssembly kernels built from
// wasm/dense-crf (float32 SIMD, the reference's operation order); dense-crf.ts picks it when loaded.
//
// Memory: one module instance per image (its own linear memory; dispose() hands it to the next
// image, else it is freed with the object). The image's two lattices and their normalisations
// stay resident (the Gaussian one also in a cache by image size); every inference allocates its
// energy, marginals and blur buffers above them and rewinds afterwards. Several binary masks of
// one image run as one batch of independent two-label CRFs, eight channels (four masks) per pass
// over each lattice; each SIMD lane sees the arithmetic of a CRF of its own, so the batch gives
// every mask its own result.

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
  out: number, outStride: number, weight: number, postScale: number, base: number,
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

/** Channels per SIMD vector; a lattice pass filters one or two vectors' worth (filter4, filter8). */
const LANES = 4;
const WIDE = 2 * LANES;

const roundUp = (v: number, to: number): number => Math.ceil(v / to) * to;

/** float32 of densecrf's unary clip and log: log(clip(p, 1e-5, 1)) = −U. */
export const F32_PROB_FLOOR = Math.fround(1e-5);

interface Instance {
  module: WebAssembly.Module;
  x: DenseCrfWasmExports;
  /** Where the heap starts in a fresh instance. */
  heapBase: number;
}

/**
 * Instances handed back by dispose(), reused by the next image: a fresh instance's memory costs
 * page faults as it grows (~50 ms of system time per photo at 640 px). One is kept, and only
 * while its memory is at most POOL_MAX_BYTES (a 27-label CRF grows it to several hundred MB).
 */
const pool: Instance[] = [];
const POOL_MAX_BYTES = 512 << 20;

function acquireInstance(module: WebAssembly.Module): Instance {
  const i = pool.findIndex((p) => p.module === module);
  if (i >= 0) {
    const inst = pool.splice(i, 1)[0];
    inst.x.setHeapTop(inst.heapBase);
    return inst;
  }
  const x = new WebAssembly.Instance(module, {}).exports as unknown as DenseCrfWasmExports;
  return { module, x, heapBase: x.heapTop() };
}

function releaseInstance(inst: Instance): void {
  if (inst.x.memory.buffer.byteLength > POOL_MAX_BYTES) return;
  pool.length = 0;
  pool.push(inst);
}

/** A lattice and its normalisation, as copied out of (and back into) an instance's memory. */
interface KernelArrays {
  vertices: number;
  offsets: Int32Array;
  weights: Float32Array;
  neighbours: Int32Array;
  norm: Float32Array;
}

/**
 * The Gaussian kernel's lattice depends on the image size and sxy only: the last two built are
 * kept (a folder of photos from one camera shares one size; MaskCut's and STEGO's sxy differ).
 */
const gaussianCache = new Map<string, KernelArrays>();
const GAUSSIAN_CACHE_SIZE = 2;

export class DenseCrfWasm {
  private inst: Instance | null;
  private readonly x: DenseCrfWasmExports;
  private readonly n: number;
  private readonly kernels: WasmKernel[];
  /** Vertices of the larger lattice + the zero slot: the blur buffers' length in vertices. */
  private readonly slots: number;

  constructor(
    module: WebAssembly.Module,
    rgba: Uint8Array | Uint8ClampedArray,
    readonly width: number,
    readonly height: number,
    private readonly params: DenseCrfParams,
  ) {
    this.inst = acquireInstance(module);
    this.x = this.inst.x;
    this.n = width * height;
    const gSxy = Math.fround(params.gaussianSxy), bSxy = Math.fround(params.bilateralSxy), bSrgb = Math.fround(params.bilateralSrgb);
    const gaussKey = `${width}×${height}/${gSxy}`;
    const cached = gaussianCache.get(gaussKey);
    const gauss = cached ? this.restoreKernel(2, params.gaussianCompat, cached) : this.buildKernel(2, params.gaussianCompat, (f) => {
      for (let y = 0, i = 0; y < height; y++) {
        for (let x = 0; x < width; x++, i++) {
          f[2 * i] = x / gSxy;
          f[2 * i + 1] = y / gSxy;
        }
      }
    });
    if (!cached) {
      gaussianCache.delete(gaussKey);
      gaussianCache.set(gaussKey, this.copyKernel(gauss));
      while (gaussianCache.size > GAUSSIAN_CACHE_SIZE) gaussianCache.delete(gaussianCache.keys().next().value as string);
    }
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
    this.slots = Math.max(gauss.vertices, bilateral.vertices) + 1;
  }

  /** Hands the instance back for the next image; this object cannot be used afterwards. */
  dispose(): void {
    if (this.inst) releaseInstance(this.inst);
    this.inst = null;
  }

  private live(): void {
    if (!this.inst) throw new Error('DenseCrf: used after dispose()');
  }

  private f32(ptr: number, length: number): Float32Array {
    return new Float32Array(this.x.memory.buffer, ptr, length);
  }

  private buildKernel(d: number, weight: number, fill: (featuresPointMajor: Float32Array) => void): WasmKernel {
    const n = this.n, d1 = d + 1, x = this.x;
    const offsets = x.alloc(n * d1 * 4);
    const weights = x.alloc(n * d1 * 4);
    const norm = x.alloc(n * 4);
    const feat = x.alloc(n * d * 4);
    const scale = x.alloc(d * 4);
    fill(this.f32(feat, n * d));
    // densecrf: inv_std_dev = float(sqrt(2/3)·(d+1)); scale_i = float(1/sqrt((i+1)(i+2)) · inv_std_dev).
    const invStd = Math.fround(Math.sqrt(2 / 3) * d1);
    const sc = this.f32(scale, d);
    for (let i = 0; i < d; i++) sc[i] = (1 / Math.sqrt((i + 2) * (i + 1))) * invStd;
    // Frees everything from `feat` up, keeping the neighbour table there.
    const vertices = x.buildLattice(feat, n, d, scale, Math.fround(1 / d1), offsets, weights);
    const kernel: WasmKernel = {
      d1, offsets, weights, neighbours: x.lastNeighbours(), vertices, norm, weight: Math.fround(weight),
      alpha: Math.fround(1 / (1 + Math.pow(2, -d))),
    };
    // N = K·1 (densecrf filters a vector of ones, value size 1: seq slicing), then N^-1/2.
    const mark = x.heapTop();
    const ones = x.alloc(n * LANES * 4), sums = x.alloc(n * LANES * 4);
    const bytes = (vertices + 1) * LANES * 4;
    const bufs: [number, number] = [x.alloc(bytes), x.alloc(bytes)];
    this.f32(ones, n * LANES).fill(1);
    this.filter(kernel, bufs, ones, LANES, 0, false, sums, 0, 0);
    x.normFromSums(sums, LANES, n, norm);
    x.setHeapTop(mark);
    return kernel;
  }

  private copyKernel(k: WasmKernel): KernelArrays {
    const n = this.n, buf = this.x.memory.buffer;
    return {
      vertices: k.vertices,
      offsets: new Int32Array(buf, k.offsets, n * k.d1).slice(),
      weights: new Float32Array(buf, k.weights, n * k.d1).slice(),
      neighbours: new Int32Array(buf, k.neighbours, k.d1 * k.vertices * 2).slice(),
      norm: new Float32Array(buf, k.norm, n).slice(),
    };
  }

  private restoreKernel(d: number, weight: number, c: KernelArrays): WasmKernel {
    const x = this.x;
    const k: WasmKernel = {
      d1: d + 1, vertices: c.vertices, weight: Math.fround(weight), alpha: Math.fround(1 / (1 + Math.pow(2, -d))),
      offsets: x.alloc(c.offsets.byteLength), weights: x.alloc(c.weights.byteLength),
      neighbours: x.alloc(c.neighbours.byteLength), norm: x.alloc(c.norm.byteLength),
    };
    const buf = x.memory.buffer;
    new Int32Array(buf, k.offsets, c.offsets.length).set(c.offsets);
    new Float32Array(buf, k.weights, c.weights.length).set(c.weights);
    new Int32Array(buf, k.neighbours, c.neighbours.length).set(c.neighbours);
    new Float32Array(buf, k.norm, c.norm.length).set(c.norm);
    return k;
  }

  /** The blur's two vertex buffers, for passes of up to `channels` channels. */
  private allocBuffers(channels: number): [number, number] {
    const bytes = this.slots * Math.min(channels, WIDE) * 4;
    return [this.x.alloc(bytes), this.x.alloc(bytes)];
  }

  /**
   * Filters all `stride` channels of `input` (stride a multiple of 4; `out` has the same layout)
   * in passes of 8 channels and a last one of 4. (One pass over more channels per vertex was
   * measured no faster for 27 labels: the blur's sweeps over the vertex buffers bound it.)
   */
  private filter(
    k: WasmKernel, [bufA, bufB]: [number, number], input: number, stride: number, preScale: number, sse: boolean,
    out: number, weight: number, postScale: number, base = 0,
  ): void {
    for (let c0 = 0; c0 < stride; ) {
      const width = stride - c0 >= WIDE ? WIDE : LANES;
      (width === WIDE ? this.x.filter8 : this.x.filter4)(
        k.offsets, k.weights, k.d1, this.n, k.neighbours, k.vertices, input, stride, c0, preScale,
        bufA, bufB, k.alpha, sse ? 1 : 0, out, stride, weight, postScale, base,
      );
      c0 += width;
    }
  }

  /**
   * Mean field over `stride` channels per pixel, from −U (written by `fillNegUnary`); returns the
   * marginals in the same layout. `labelsPerCrf` = 2 with pairs of channels per CRF, else one CRF
   * of `labelsPerCrf` labels.
   */
  private meanField<T>(stride: number, labelsPerCrf: number, fillNegUnary: (negUnary: Float32Array) => void, read: (q: Float32Array) => T): T {
    this.live();
    const n = this.n, x = this.x, len = n * stride;
    const mark = x.heapTop();
    try {
      const negUnary = x.alloc(len * 4), q = x.alloc(len * 4), energy = x.alloc(len * 4);
      const bufs = this.allocBuffers(stride);
      // Padding channels (past the last mask or label) must hold numbers: the memory may be reused.
      const negU = this.f32(negUnary, len).fill(0);
      fillNegUnary(negU);
      const softmax = labelsPerCrf === 2
        ? (from: number) => x.softmaxPairs(from, q, n, stride)
        : (from: number) => x.softmaxRows(from, q, n, labelsPerCrf, stride);
      // densecrf: seqCompute for a value size ≤ 2, sseCompute above.
      const sse = labelsPerCrf > 2;
      softmax(negUnary);
      for (let it = 0; it < this.params.iterations; it++) {
        // energy = −U + Σ_k messages, −U read by the first kernel's pass (densecrf: tmp1 = −unary; tmp1 −= …).
        this.kernels.forEach((k, i) => this.filter(k, bufs, q, stride, k.norm, sse, energy, k.weight, k.norm, i === 0 ? negUnary : 0));
        softmax(energy);
      }
      return read(this.f32(q, len));
    } finally {
      x.setHeapTop(mark);
    }
  }

  /** Marginals [pixels, labels] from per-pixel probabilities in the same layout (unary −log p). */
  inferFromProbabilities(probs: Float32Array, numLabels: number): Float32Array {
    const n = this.n, k = numLabels, stride = roundUp(k, LANES);
    return this.meanField(stride, k, (negUnary) => {
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < k; c++) negUnary[i * stride + c] = Math.log(clipProb(probs[i * k + c]));
      }
    }, (q) => {
      if (stride === k) return q.slice();
      const out = new Float32Array(n * k);
      for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = q[i * stride + c];
      return out;
    });
  }

  /** CutLER's densecrf() for several 0/1 masks at once; see DenseCrf.refineBinaryMask. */
  refineBinaryMasks(masksRowMajor: readonly Uint8Array[], probOn: number): Uint8Array[] {
    const n = this.n, count = masksRowMajor.length, stride = roundUp(2 * count, LANES);
    if (count === 0) return [];
    // float32 probabilities (1 − fg, fg) with fg = p(on) on the mask and 1 − p(on) off it, as
    // DenseCrf writes them for the TypeScript engine and the reference.
    const negU = (p: number) => Math.log(clipProb(Math.fround(p)));
    const fgOff = 1 - probOn, offL0 = negU(1 - fgOff), offL1 = negU(fgOff), onL0 = negU(1 - probOn), onL1 = negU(probOn);
    return this.meanField(stride, 2, (negUnary) => {
      masksRowMajor.forEach((mask, m) => {
        for (let i = 0, o = 2 * m; i < n; i++, o += stride) {
          const on = mask[i] !== 0;
          negUnary[o] = on ? onL0 : offL0;
          negUnary[o + 1] = on ? onL1 : offL1;
        }
      });
    }, (q) => masksRowMajor.map((_, m) => {
      const out = new Uint8Array(n);
      for (let i = 0, o = 2 * m; i < n; i++, o += stride) out[i] = q[o + 1] > q[o] ? 1 : 0;
      return out;
    }));
  }
}

function clipProb(p: number): number {
  return p < F32_PROB_FLOOR ? F32_PROB_FLOOR : p > 1 ? 1 : p;
}
