// WGSL compute kernels of the adaptation head's WebGPU trainer: batch gather and softmax
// cross-entropy; the matmul and AdamW are src/gpu's. Serves method.md §6 (light head).
//
// Every kernel reads the current batch from `Batch` (src/gpu/kernels.ts), one entry per batch of an
// epoch bound with a dynamic offset, so a whole epoch is encoded without writing a buffer between batches.
import { BATCH_STRUCT } from '../gpu/kernels';

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
