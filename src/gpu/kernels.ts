// WGSL kernels both WebGPU trainers use (method.md §4 STEGO's head, §6 the adaptation head): the
// per-step `Batch` uniform, a tiled strided matmul with epilogues, AdamW; dense-layer matmul specs.
//
// Every kernel reads the current step from `Batch`, one 256-byte-aligned entry per step in a
// uniform buffer bound with a dynamic offset, so many steps can be encoded without writing a buffer
// between them. Float32 throughout.
import type { DenseSlot } from '../core/adapt/dense';

/** Byte layout of one Batch entry (8 × 4 bytes), written by the trainers. */
export const BATCH_ENTRY_BYTES = 32;

export const BATCH_STRUCT = /* wgsl */ `
struct Batch {
  start: u32,       // first position of the batch in the epoch's sample order
  count: u32,       // rows in this batch (the last one may be short)
  index: u32,       // the step's slot in the trainer's loss statistics
  step: u32,        // 0-based optimiser step
  lr: f32,
  c1: f32,          // Adam bias corrections 1 / (1 − β^t), t = step + 1
  c2: f32,
  weightDecay: f32,
}
@group(0) @binding(1) var<uniform> batch: Batch;
`;

/** Matmul uniform: 20 u32 (see MATMUL_WGSL). */
export interface MatmulSpec {
  m: number;
  n: number;
  k: number;
  /** Which dimension is the batch's row count at run time (the dispatch covers the full batch size). */
  batchDim: 'none' | 'm' | 'k';
  aOff: number;
  aStrideI: number;
  aStrideK: number;
  bOff: number;
  bStrideK: number;
  bStrideJ: number;
  cOff: number;
  cStrideI: number;
  auxOff: number;
  epilogue: { bias?: boolean; relu?: boolean; maskByAux?: boolean; accumulate?: boolean };
  /** Strides between the matrices of a batched product (workgroup z); 0 without. */
  aStrideZ?: number;
  bStrideZ?: number;
  cStrideZ?: number;
}

export const MATMUL_TILE = 16;

export function matmulUniform(spec: MatmulSpec): Uint32Array {
  const e = spec.epilogue;
  const flags = (e.bias ? 1 : 0) | (e.relu ? 2 : 0) | (e.maskByAux ? 4 : 0) | (e.accumulate ? 8 : 0);
  const batchDim = { none: 0, m: 1, k: 2 }[spec.batchDim];
  return Uint32Array.from([
    spec.m, spec.n, spec.k, batchDim,
    spec.aOff, spec.aStrideI, spec.aStrideK, spec.bOff,
    spec.bStrideK, spec.bStrideJ, spec.cOff, spec.cStrideI,
    spec.auxOff, flags, spec.aStrideZ ?? 0, spec.bStrideZ ?? 0,
    spec.cStrideZ ?? 0, 0, 0, 0,
  ]);
}

/**
 * c[cOff + z·cStrideZ + i·cStrideI + j] = Σ_k a[aOff + z·aStrideZ + i·aStrideI + k·aStrideK] ·
 * b[bOff + z·bStrideZ + k·bStrideK + j·bStrideJ], then optionally + aux[auxOff + j] (bias), ReLU,
 * zeroed where aux[auxOff + i·cStrideI + j] ≤ 0 (ReLU's derivative from the stored activations),
 * added to what c holds. Strides let one kernel serve X·Wᵀ, Gᵀ·X, G·W and batches of small products.
 */
export const MATMUL_WGSL = /* wgsl */ `
struct Mm {
  m: u32, n: u32, k: u32, batchDim: u32,
  aOff: u32, aStrideI: u32, aStrideK: u32, bOff: u32,
  bStrideK: u32, bStrideJ: u32, cOff: u32, cStrideI: u32,
  auxOff: u32, flags: u32, aStrideZ: u32, bStrideZ: u32,
  cStrideZ: u32, pad0: u32, pad1: u32, pad2: u32,
}
@group(0) @binding(0) var<uniform> mm: Mm;
${BATCH_STRUCT}
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read> aux: array<f32>;

const T = ${MATMUL_TILE}u;
var<workgroup> tileA: array<f32, ${MATMUL_TILE * MATMUL_TILE}>;  // [i][k]
var<workgroup> tileB: array<f32, ${MATMUL_TILE * MATMUL_TILE}>;  // [k][j]

@compute @workgroup_size(${MATMUL_TILE}, ${MATMUL_TILE})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  var M = mm.m;
  var K = mm.k;
  if (mm.batchDim == 1u) { M = batch.count; }
  if (mm.batchDim == 2u) { K = batch.count; }
  let aBase = mm.aOff + wg.z * mm.aStrideZ;
  let bBase = mm.bOff + wg.z * mm.bStrideZ;
  let i = wg.y * T + lid.y;
  let j = wg.x * T + lid.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < K; k0 += T) {
    let ka = k0 + lid.x;
    var av = 0.0;
    if (i < M && ka < K) { av = a[aBase + i * mm.aStrideI + ka * mm.aStrideK]; }
    tileA[lid.y * T + lid.x] = av;
    let kb = k0 + lid.y;
    var bv = 0.0;
    if (kb < K && j < mm.n) { bv = b[bBase + kb * mm.bStrideK + j * mm.bStrideJ]; }
    tileB[lid.y * T + lid.x] = bv;
    workgroupBarrier();
    for (var kk = 0u; kk < T; kk++) {
      acc += tileA[lid.y * T + kk] * tileB[kk * T + lid.x];
    }
    workgroupBarrier();
  }
  if (i >= M || j >= mm.n) { return; }
  let at = mm.cOff + wg.z * mm.cStrideZ + i * mm.cStrideI + j;
  if ((mm.flags & 1u) != 0u) { acc += aux[mm.auxOff + j]; }
  if ((mm.flags & 2u) != 0u) { acc = max(acc, 0.0); }
  if ((mm.flags & 4u) != 0u && aux[mm.auxOff + i * mm.cStrideI + j] <= 0.0) { acc = 0.0; }
  if ((mm.flags & 8u) != 0u) { acc += c[at]; }
  c[at] = acc;
}
`;

/** Workgroups of a matmul: tiles over n and m, one layer per batched product. */
export function matmulWorkgroups(spec: MatmulSpec, rows: number, products = 1): [number, number, number] {
  return [Math.ceil(spec.n / MATMUL_TILE), Math.ceil(rows / MATMUL_TILE), products];
}

/** out[r, o] = in[r, :]·W[o, :] + b[o] (ReLU optionally) for `rows` rows, W and b in the params buffer at the slot. */
export function denseForwardSpec(slot: DenseSlot, rows: number, batchDim: 'none' | 'm', epilogue: MatmulSpec['epilogue']): MatmulSpec {
  return {
    m: rows, n: slot.outDim, k: slot.inDim, batchDim, aOff: 0, aStrideI: slot.inDim, aStrideK: 1,
    bOff: slot.wOff, bStrideK: 1, bStrideJ: slot.inDim, cOff: 0, cStrideI: slot.outDim, auxOff: slot.bOff, epilogue: { bias: true, ...epilogue },
  };
}

/** dW[o, d] = Σ_r g[r, o]·in[r, d], into the gradient buffer at the slot's weights. */
export function denseGradWeightSpec(slot: DenseSlot, rows: number, batchDim: 'none' | 'k'): MatmulSpec {
  return {
    m: slot.outDim, n: slot.inDim, k: rows, batchDim, aOff: 0, aStrideI: 1, aStrideK: slot.outDim,
    bOff: 0, bStrideK: slot.inDim, bStrideJ: 1, cOff: slot.wOff, cStrideI: slot.inDim, auxOff: 0, epilogue: {},
  };
}

/** db[o] = Σ_r 1·g[r, o] (a buffer of ones as a, so the bias is a matmul too). */
export function denseGradBiasSpec(slot: DenseSlot, rows: number, batchDim: 'none' | 'k'): MatmulSpec {
  return {
    m: 1, n: slot.outDim, k: rows, batchDim, aOff: 0, aStrideI: 0, aStrideK: 1,
    bOff: 0, bStrideK: slot.outDim, bStrideJ: 1, cOff: slot.bOff, cStrideI: 0, auxOff: 0, epilogue: {},
  };
}

/** dIn[r, h] = Σ_o g[r, o]·W[o, h] of the layer at `slot`, zero where the input activation `aux` was ≤ 0 (ReLU). */
export function denseGradInputSpec(slot: DenseSlot, rows: number, batchDim: 'none' | 'm'): MatmulSpec {
  return {
    m: rows, n: slot.inDim, k: slot.outDim, batchDim, aOff: 0, aStrideI: slot.outDim, aStrideK: 1,
    bOff: slot.wOff, bStrideK: slot.inDim, bStrideJ: 1, cOff: 0, cStrideI: slot.inDim, auxOff: 0, epilogue: { maskByAux: true },
  };
}

export const ADAM_WORKGROUP = 64;

/** AdamW on every parameter; decay[i] is 1 for weights, 0 for biases (no decay on biases). */
export const ADAM_WGSL = /* wgsl */ `
struct Adam { count: u32, beta1: f32, beta2: f32, epsilon: f32 }
@group(0) @binding(0) var<uniform> ad: Adam;
${BATCH_STRUCT}
@group(0) @binding(2) var<storage, read_write> params: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;
@group(0) @binding(6) var<storage, read> decay: array<f32>;

@compute @workgroup_size(${ADAM_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = id.x + id.y * groups.x * ${ADAM_WORKGROUP}u;
  if (i >= ad.count) { return; }
  let g = grad[i];
  let m1 = ad.beta1 * m[i] + (1.0 - ad.beta1) * g;
  let v1 = ad.beta2 * v[i] + (1.0 - ad.beta2) * g * g;
  m[i] = m1;
  v[i] = v1;
  let p = params[i];
  params[i] = p - batch.lr * ((m1 * batch.c1) / (sqrt(v1 * batch.c2) + ad.epsilon) + decay[i] * batch.weightDecay * p);
}
`;
