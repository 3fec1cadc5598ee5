// WGSL kernels of STEGO's WebGPU trainer (method.md §4) beside src/gpu's matmul and AdamW: the
// step's rows gathered through dropout masks, L2 normalisation of codes and its gradient, and the
// pointwise-centred correlation loss of each pair kind with its gradient on the code correlations.
//
// Float32 throughout; the TypeScript trainer (src/core/stego) computes the same in float64.
import { BATCH_STRUCT } from '../gpu/kernels';

/** Threads per workgroup of the row-wise kernels; their uniform is (row width, rows, unused, unused). */
export const ROWS_WORKGROUP = 64;

/**
 * x[r, j] = photoX[src(r), j]·masks[mask(r), j] (the head's input through the row's dropout
 * mask) and f[r, j] = photoUnit[src(r), j], with rowInfo[2r] = src, rowInfo[2r + 1] = mask.
 */
export const GATHER_ROWS_WGSL = /* wgsl */ `
struct Rows { dim: u32, rows: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> u: Rows;
${BATCH_STRUCT}
@group(0) @binding(2) var<storage, read> rowInfo: array<u32>;
@group(0) @binding(3) var<storage, read> masks: array<f32>;
@group(0) @binding(4) var<storage, read> photoX: array<f32>;
@group(0) @binding(5) var<storage, read> photoUnit: array<f32>;
@group(0) @binding(6) var<storage, read_write> x: array<f32>;
@group(0) @binding(7) var<storage, read_write> f: array<f32>;

@compute @workgroup_size(${ROWS_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let j = id.x;
  let r = id.y;
  if (j >= u.dim || r >= u.rows) { return; }
  let src = rowInfo[2u * r] * u.dim + j;
  x[r * u.dim + j] = photoX[src] * masks[rowInfo[2u * r + 1u] * u.dim + j];
  f[r * u.dim + j] = photoUnit[src];
}
`;

/** unit[r] = code[r] / max(‖code[r]‖, 1e-10), norms[r] = that norm; one thread per row. */
export const NORMALISE_WGSL = /* wgsl */ `
struct Rows { dim: u32, rows: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> u: Rows;
${BATCH_STRUCT}
@group(0) @binding(2) var<storage, read> code: array<f32>;
@group(0) @binding(3) var<storage, read_write> unit: array<f32>;
@group(0) @binding(4) var<storage, read_write> norms: array<f32>;

@compute @workgroup_size(${ROWS_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let r = id.x;
  if (r >= u.rows) { return; }
  let o = r * u.dim;
  var sq = 0.0;
  for (var j = 0u; j < u.dim; j++) { sq += code[o + j] * code[o + j]; }
  let norm = max(sqrt(sq), 1e-10);
  norms[r] = norm;
  for (var j = 0u; j < u.dim; j++) { unit[o + j] = code[o + j] / norm; }
}
`;

/** dCode[r] = (dUnit[r] − unit[r]·(unit[r]·dUnit[r])) / norms[r], in place over dUnit; one thread per row. */
export const NORMALISE_BACKWARD_WGSL = /* wgsl */ `
struct Rows { dim: u32, rows: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> u: Rows;
${BATCH_STRUCT}
@group(0) @binding(2) var<storage, read> unit: array<f32>;
@group(0) @binding(3) var<storage, read> norms: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(${ROWS_WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3u) {
  let r = id.x;
  if (r >= u.rows) { return; }
  let o = r * u.dim;
  var proj = 0.0;
  for (var j = 0u; j < u.dim; j++) { proj += unit[o + j] * grad[o + j]; }
  let inv = 1.0 / norms[r];
  for (var j = 0u; j < u.dim; j++) { grad[o + j] = (grad[o + j] - unit[o + j] * proj) * inv; }
}
`;

export const PAIR_LOSS_WORKGROUP = 256;

/** The loss uniform: points per photo, then per pair kind (intra, knn, random) its pairs, shift and weight. */
export function pairLossUniform(points: number, kinds: readonly { start: number; count: number; shift: number; weight: number }[]): ArrayBuffer {
  const bytes = new ArrayBuffer(16 + 16 * 3);
  new Uint32Array(bytes, 0, 1)[0] = points;
  kinds.forEach((k, i) => {
    new Uint32Array(bytes, 16 + 16 * i, 2).set([k.start, k.count]);
    new Float32Array(bytes, 16 + 16 * i + 8, 2).set([k.shift, k.weight]);
  });
  return bytes;
}

/**
 * One workgroup per pair kind. fd [pairs, S, S] holds the feature correlations, cd the code
 * correlations. Each row of fd loses its mean over the second photo's points, the kind's overall
 * mean is added back (STEGO's "pointwise" centring), then with t = fd − shift:
 * loss = −weight/(pairs·S²)·Σ_{cd > 0} cd·t, and cd is overwritten by ∂loss/∂cd (−t·weight/(pairs·S²)
 * where cd > 0, else 0). stats[batch.index·3 + kind] = the kind's weighted loss.
 */
export const PAIR_LOSS_WGSL = /* wgsl */ `
struct Kind { start: u32, count: u32, shift: f32, weight: f32 }
struct PairLoss { points: u32, pad0: u32, pad1: u32, pad2: u32, kinds: array<Kind, 3> }
@group(0) @binding(0) var<uniform> lo: PairLoss;
${BATCH_STRUCT}
@group(0) @binding(2) var<storage, read_write> fd: array<f32>;
@group(0) @binding(3) var<storage, read_write> cd: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;

const W = ${PAIR_LOSS_WORKGROUP}u;
var<workgroup> partial: array<f32, ${PAIR_LOSS_WORKGROUP}>;

fn total(li: u32, value: f32) -> f32 {
  partial[li] = value;
  workgroupBarrier();
  for (var s = W / 2u; s > 0u; s >>= 1u) {
    if (li < s) { partial[li] += partial[li + s]; }
    workgroupBarrier();
  }
  let sum = partial[0];
  workgroupBarrier();
  return sum;
}

@compute @workgroup_size(${PAIR_LOSS_WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let kind = lo.kinds[wg.x];
  let S = lo.points;
  let base = kind.start * S * S;
  let values = kind.count * S * S;
  var rowSums = 0.0;
  for (var q = li; q < kind.count * S; q += W) {
    let o = base + q * S;
    var sum = 0.0;
    for (var n = 0u; n < S; n++) { sum += fd[o + n]; }
    let mean = sum / f32(S);
    for (var n = 0u; n < S; n++) { fd[o + n] -= mean; }
    rowSums += sum;
  }
  // The second loop reads rows other invocations centred.
  storageBarrier();
  let overall = total(li, rowSums) / max(f32(values), 1.0);
  let scale = kind.weight / max(f32(values), 1.0);
  var loss = 0.0;
  for (var i = li; i < values; i += W) {
    let t = fd[base + i] + overall - kind.shift;
    let c = cd[base + i];
    var g = 0.0;
    if (c > 0.0) {
      loss -= c * t;
      g = -t * scale;
    }
    cd[base + i] = g;
  }
  let kindLoss = total(li, loss) * scale;
  if (li == 0u) { stats[batch.index * 3u + wg.x] = kindLoss; }
}
`;
