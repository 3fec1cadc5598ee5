// WGSL compute kernels of the adaptation head's WebGPU trainer: batch gather, tiled strided matmul
// with bias/ReLU/mask epilogues, softmax cross-entropy, AdamW. Serves method.md §6 (light head).
//
// Every kernel reads the current batch from `Batch`, one 256-byte-aligned entry per batch of an
// epoch in a uniform buffer bound with a dynamic offset, so a whole epoch is encoded without
// writing a buffer between batches. Float32 throughout.

/** Byte layout of one Batch entry (8 × 4 bytes), written by the trainer. */
export const BATCH_ENTRY_BYTES = 32;

const BATCH_STRUCT = /* wgsl */ `
struct Batch {
  start: u32,       // first position of the batch in the epoch's sample order
  count: u32,       // rows in this batch (the last one may be short)
  index: u32,       // batch index within the epoch: its slot in the stats buffer
  step: u32,        // 0-based optimiser step
  lr: f32,
  c1: f32,          // Adam bias corrections 1 / (1 − β^t), t = step + 1
  c2: f32,
  weightDecay: f32,
}
@group(0) @binding(1) var<uniform> batch: Batch;
`;

/** x[r, d] = tokens[order[start + r] − chunkStart, d] for the batch rows whose sample lies in this token chunk. */
export const GATHER_WGSL = /* wgsl */ `
struct Gather { dim: u32, chunkStart: u32, chunkRows: u32, pad: u32 }
@group(0) @binding(0) var<uniform> g: Gather;
${BATCH_STRUCT}
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read> tokens: array<f32>;
@group(0) @binding(4) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u) {
  let d = id.x;
  let r = id.y;
  if (d >= g.dim || r >= batch.count) { return; }
  let s = order[batch.start + r];
  if (s < g.chunkStart || s >= g.chunkStart + g.chunkRows) { return; }
  x[r * g.dim + d] = tokens[(s - g.chunkStart) * g.dim + d];
}
`;

/** Matmul uniform: 16 u32 (see MATMUL_WGSL). */
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
  epilogue: { bias?: boolean; relu?: boolean; maskByAux?: boolean };
}

export const MATMUL_TILE = 16;

export function matmulUniform(spec: MatmulSpec): Uint32Array {
  const e = spec.epilogue;
  const flags = (e.bias ? 1 : 0) | (e.relu ? 2 : 0) | (e.maskByAux ? 4 : 0);
  const batchDim = { none: 0, m: 1, k: 2 }[spec.batchDim];
  return Uint32Array.from([
    spec.m, spec.n, spec.k, batchDim,
    spec.aOff, spec.aStrideI, spec.aStrideK, spec.bOff,
    spec.bStrideK, spec.bStrideJ, spec.cOff, spec.cStrideI,
    spec.auxOff, flags, 0, 0,
  ]);
}

/**
 * c[cOff + i·cStrideI + j] = Σ_k a[aOff + i·aStrideI + k·aStrideK] · b[bOff + k·bStrideK + j·bStrideJ],
 * then optionally + aux[auxOff + j] (bias), ReLU, or zeroed where aux[auxOff + i·cStrideI + j] ≤ 0
 * (ReLU's derivative from the stored activations). Strides let one kernel serve X·Wᵀ, Gᵀ·X and G·W.
 */
export const MATMUL_WGSL = /* wgsl */ `
struct Mm {
  m: u32, n: u32, k: u32, batchDim: u32,
  aOff: u32, aStrideI: u32, aStrideK: u32, bOff: u32,
  bStrideK: u32, bStrideJ: u32, cOff: u32, cStrideI: u32,
  auxOff: u32, flags: u32, pad0: u32, pad1: u32,
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
  let i = wg.y * T + lid.y;
  let j = wg.x * T + lid.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < K; k0 += T) {
    let ka = k0 + lid.x;
    var av = 0.0;
    if (i < M && ka < K) { av = a[mm.aOff + i * mm.aStrideI + ka * mm.aStrideK]; }
    tileA[lid.y * T + lid.x] = av;
    let kb = k0 + lid.y;
    var bv = 0.0;
    if (kb < K && j < mm.n) { bv = b[mm.bOff + kb * mm.bStrideK + j * mm.bStrideJ]; }
    tileB[lid.y * T + lid.x] = bv;
    workgroupBarrier();
    for (var kk = 0u; kk < T; kk++) {
      acc += tileA[lid.y * T + kk] * tileB[kk * T + lid.x];
    }
    workgroupBarrier();
  }
  if (i >= M || j >= mm.n) { return; }
  if ((mm.flags & 1u) != 0u) { acc += aux[mm.auxOff + j]; }
  if ((mm.flags & 2u) != 0u) { acc = max(acc, 0.0); }
  if ((mm.flags & 4u) != 0u && aux[mm.auxOff + i * mm.cStrideI + j] <= 0.0) { acc = 0.0; }
  c[mm.cOff + i * mm.cStrideI + j] = acc;
}
`;

export const LOSS_WORKGROUP = 256;

/**
 * One workgroup per batch: Σ w_y first (the mean's denominator), then per row the softmax, the
 * weighted cross-entropy and argmax, and logits overwritten by dLoss/dlogits = w_y/Σw·(p − onehot(y)).
 * stats[index·4 + 0..2] = (Σ w_y·CE, Σ w_y, correct) for the epoch's read-back.
 */
export const LOSS_WGSL = /* wgsl */ `
struct Loss { classes: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<uniform> lo: Loss;
${BATCH_STRUCT}
@group(0) @binding(2) var<storage, read> order: array<u32>;
@group(0) @binding(3) var<storage, read> targets: array<u32>;
@group(0) @binding(4) var<storage, read> classWeights: array<f32>;
@group(0) @binding(5) var<storage, read_write> logits: array<f32>;
@group(0) @binding(6) var<storage, read_write> stats: array<f32>;

const W = ${LOSS_WORKGROUP}u;
var<workgroup> sumA: array<f32, ${LOSS_WORKGROUP}>;
var<workgroup> sumB: array<f32, ${LOSS_WORKGROUP}>;

fn reduce(li: u32) {
  for (var s = W / 2u; s > 0u; s >>= 1u) {
    if (li < s) {
      sumA[li] += sumA[li + s];
      sumB[li] += sumB[li + s];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(${LOSS_WORKGROUP})
fn main(@builtin(local_invocation_index) li: u32) {
  let count = batch.count;
  let C = lo.classes;
  var w = 0.0;
  for (var r = li; r < count; r += W) { w += classWeights[targets[order[batch.start + r]]]; }
  sumA[li] = w;
  sumB[li] = 0.0;
  workgroupBarrier();
  reduce(li);
  let weightSum = sumA[0];
  workgroupBarrier();
  var scale = 0.0;
  if (weightSum > 0.0) { scale = 1.0 / weightSum; }
  var loss = 0.0;
  var correct = 0.0;
  for (var r = li; r < count; r += W) {
    let y = targets[order[batch.start + r]];
    let o = r * C;
    var mx = logits[o];
    var arg = 0u;
    for (var c = 1u; c < C; c++) {
      if (logits[o + c] > mx) { mx = logits[o + c]; arg = c; }
    }
    if (arg == y) { correct += 1.0; }
    var sum = 0.0;
    for (var c = 0u; c < C; c++) { sum += exp(logits[o + c] - mx); }
    let wy = classWeights[y];
    loss += wy * (log(sum) + mx - logits[o + y]);
    let k = wy * scale / sum;
    for (var c = 0u; c < C; c++) { logits[o + c] = k * exp(logits[o + c] - mx); }
    logits[o + y] -= wy * scale;
  }
  sumA[li] = loss;
  sumB[li] = correct;
  workgroupBarrier();
  reduce(li);
  if (li == 0u) {
    stats[batch.index * 4u] = sumA[0];
    stats[batch.index * 4u + 1u] = weightSum;
    stats[batch.index * 4u + 2u] = sumB[0];
  }
}
`;

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
