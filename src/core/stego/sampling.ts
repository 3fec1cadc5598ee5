// The random draws of one STEGO training step (method.md §4): the batch's photos, each one's
// nearest-photo partner, the sampled points, the dropout masks and the random-partner derangements.
//
// Both trainers (TypeScript, WebGPU) plan their steps here from one seeded generator, so they see
// identical batches; the plan says, for every row of the step, which photo cell it reads and
// through which dropout mask. Rows: anchors' points, partners' points, then one block per
// random-partner permutation (anchor perm[i] seen at partner i's points, as STEGO samples them).
import type { Rng } from '../random';

/** What a step needs of a photo: its number of cells. */
export interface SampledPhoto {
  cells: number;
}

export interface StepShape {
  batchSize: number;
  pointsPerImage: number;
  /** Random-partner permutations asked for (fewer are drawn when nothing can be paired). */
  negatives: number;
  projectionDim: number;
  dropout: number;
}

export interface StepPlan {
  /** Random-partner permutations drawn this step: 0 with one photo or a batch of one. */
  negatives: number;
  /** Rows in use: (2 + negatives)·batchSize·pointsPerImage. */
  rows: number;
  /** Per row: the photo, its cell, and its dropout mask (0…b−1 the anchors', b…2b−1 the partners'). */
  photo: Int32Array;
  cell: Int32Array;
  mask: Int32Array;
  /** [2·batchSize, projectionDim] channel multipliers: 0 (dropped) or 1/(1 − p). */
  masks: Float64Array;
}

/** Random-partner permutations a run draws each step, for the photos and batch it has. */
export function negativesPerStep(photos: number, shape: StepShape): number {
  return photos > 1 && shape.batchSize > 1 ? shape.negatives : 0;
}

/** A plan with room for the largest step of these settings. */
export function emptyPlan(shape: StepShape): StepPlan {
  const rows = (2 + shape.negatives) * shape.batchSize * shape.pointsPerImage;
  return {
    negatives: 0, rows: 0, photo: new Int32Array(rows), cell: new Int32Array(rows), mask: new Int32Array(rows),
    masks: new Float64Array(2 * shape.batchSize * shape.projectionDim),
  };
}

/** A permutation of [0, n) without fixed points (n ≥ 2), as STEGO's super_perm intends. */
function derangement(n: number, rng: Rng): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  for (let i = 0; i < n; i++) {
    if (p[i] !== i) continue;
    const j = (i + 1) % n;
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** The photos of one step: distinct while the session has enough, else drawn with repeats. */
function drawBatch(images: number, size: number, rng: Rng): Int32Array {
  if (images >= size) {
    const pool = Int32Array.from({ length: images }, (_, i) => i);
    for (let i = 0; i < size; i++) {
      const j = i + Math.floor(rng() * (images - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, size);
  }
  return Int32Array.from({ length: size }, () => Math.floor(rng() * images));
}

function dropoutMask(mask: Float64Array, p: number, rng: Rng): void {
  for (let j = 0; j < mask.length; j++) mask[j] = p > 0 && rng() < p ? 0 : 1 / (1 - p);
}

/** Draws one step into `plan` (the draws' order is part of the seeded runs' results: keep it). */
export function planStep(photos: readonly SampledPhoto[], knn: readonly Int32Array[], shape: StepShape, rng: Rng, plan: StepPlan): StepPlan {
  const b = shape.batchSize, s = shape.pointsPerImage, d = shape.projectionDim;
  const anchors = drawBatch(photos.length, b, rng);
  const partners = Int32Array.from(anchors, (a) => knn[a][Math.floor(rng() * knn[a].length)]);
  const cells = (p: number) => Int32Array.from({ length: s }, () => Math.floor(rng() * photos[p].cells));
  const coords1 = Array.from(anchors, (a) => cells(a));
  const coords2 = Array.from(partners, (p) => cells(p));
  for (let i = 0; i < b; i++) {
    dropoutMask(plan.masks.subarray(i * d, (i + 1) * d), shape.dropout, rng);
    dropoutMask(plan.masks.subarray((b + i) * d, (b + i + 1) * d), shape.dropout, rng);
  }
  const put = (r0: number, photo: number, at: Int32Array, mask: number) => {
    plan.photo.fill(photo, r0, r0 + s);
    plan.cell.set(at, r0);
    plan.mask.fill(mask, r0, r0 + s);
  };
  for (let i = 0; i < b; i++) {
    put(i * s, anchors[i], coords1[i], i);
    put((b + i) * s, partners[i], coords2[i], b + i);
  }
  plan.negatives = negativesPerStep(photos.length, shape);
  for (let k = 0; k < plan.negatives; k++) {
    const perm = derangement(b, rng);
    for (let i = 0; i < b; i++) {
      const other = anchors[perm[i]];
      // A random partner smaller than the sampled one is read at its last cell (photos differ in size).
      put((2 + k) * b * s + i * s, other, Int32Array.from(coords2[i], (c) => Math.min(c, photos[other].cells - 1)), perm[i]);
    }
  }
  plan.rows = (2 + plan.negatives) * b * s;
  return plan;
}
