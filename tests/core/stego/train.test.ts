import { describe, expect, it } from 'vitest';
import { sphericalKMeans } from '../../../src/core/pipeline/kmeans';
import { gaussian, mulberry32 } from '../../../src/core/random';
import { nearestImages, globalFeatures } from '../../../src/core/stego/knn';
import { fitProjection } from '../../../src/core/stego/projection';
import { semanticHeadOf, tokensToCodes } from '../../../src/core/stego/semantic-head';
import { stegoTrainingSteps, trainStego } from '../../../src/core/stego/train';

const DIM = 24, CELLS = 64, MATERIALS = 3;

/**
 * Photos made of materials: each cell's token is its material's direction plus a strong nuisance
 * direction shared by every material on the photo (lighting, say) and noise. Raw tokens cluster by
 * photo as much as by material. Within a photo the nuisance makes every pair of points alike, so
 * the self-pair shift must sit near that level (0.75 here): below it, gathering a whole photo into
 * one code is what the loss rewards (STEGO tunes its shifts per backbone for this reason).
 */
function photos(count: number, seed: number): { tokens: Float32Array[]; materials: Uint8Array[] } {
  const normal = gaussian(mulberry32(seed));
  const dirs = Array.from({ length: MATERIALS }, () => Float64Array.from({ length: DIM }, normal));
  const tokens: Float32Array[] = [], materials: Uint8Array[] = [];
  for (let p = 0; p < count; p++) {
    const nuisance = Float64Array.from({ length: DIM }, () => 1.5 * normal());
    const m = Uint8Array.from({ length: CELLS }, (_, i) => (Math.floor(i / 8) + p + (i % 8 > 4 ? 1 : 0)) % MATERIALS);
    const t = new Float32Array(CELLS * DIM);
    for (let i = 0; i < CELLS; i++) for (let j = 0; j < DIM; j++) t[i * DIM + j] = dirs[m[i]][j] + nuisance[j] + 0.4 * normal();
    tokens.push(t);
    materials.push(m);
  }
  return { tokens, materials };
}

/** Share of cells whose cluster's majority material is their own. */
function purity(assign: Int32Array, truth: Uint8Array, k: number): number {
  const counts = Array.from({ length: k }, () => new Array<number>(MATERIALS).fill(0));
  assign.forEach((c, i) => counts[c][truth[i]]++);
  return counts.reduce((s, row) => s + Math.max(...row), 0) / truth.length;
}

describe('STEGO training on synthetic photos', () => {
  const { tokens, materials } = photos(12, 5);
  const truth = Uint8Array.from(materials.flatMap((m) => Array.from(m)));
  const flat = (sets: Float32Array[], dim: number) => {
    const out = new Float32Array(sets.length * CELLS * dim);
    sets.forEach((s, i) => out.set(s, i * CELLS * dim));
    return out;
  };

  it('the projection keeps the variance of low-rank tokens and is orthogonal', () => {
    const p = fitProjection(tokens, DIM, { outDim: 8 });
    expect(p.varianceKept).toBeGreaterThan(0.6);
    const rows = Array.from({ length: 8 }, (_, r) => p.basis.subarray(r * DIM, (r + 1) * DIM));
    const norm0 = Math.hypot(...rows[0]);
    for (let a = 0; a < 8; a++) for (let b = 0; b < 8; b++) {
      const d = rows[a].reduce((s, v, j) => s + v * rows[b][j], 0) / norm0 ** 2;
      expect(d).toBeCloseTo(a === b ? 1 : 0, 4);
    }
  });

  it('finds neighbours: the photo most like a photo is never itself', () => {
    const g = globalFeatures(tokens.map((t) => Float64Array.from(t)), DIM);
    const knn = nearestImages(g, tokens.length, DIM, 3);
    knn.forEach((list, i) => {
      expect(list).toHaveLength(3);
      expect(Array.from(list)).not.toContain(i);
    });
  });

  it('learns codes whose clusters follow the materials better than the raw tokens', () => {
    const model = trainStego(tokens, DIM, { steps: 150, batchSize: 6, pointsPerImage: 24, negatives: 2, projectionDim: 12, hiddenDim: 12, codeDim: 8, learningRate: 5e-3, reportEvery: 50, seed: 1, shifts: { intra: 0.75, knn: 0.1, random: 0.2 } });
    expect(model.steps).toBe(150);
    expect(model.history.map((h) => h.step)).toEqual([50, 100, 150]);
    expect(model.history[2].loss).toBeLessThan(model.history[0].loss);
    const head = semanticHeadOf(model);
    const codes = flat(tokens.map((t) => tokensToCodes(head, t, CELLS)), 8);
    const raw = flat(tokens, DIM);
    const onCodes = purity(sphericalKMeans(codes, truth.length, 8, { k: MATERIALS, seed: 0 }).assignments, truth, MATERIALS);
    const onRaw = purity(sphericalKMeans(raw, truth.length, DIM, { k: MATERIALS, seed: 0 }).assignments, truth, MATERIALS);
    expect(onCodes).toBeGreaterThan(0.9);
    expect(onCodes).toBeGreaterThan(onRaw + 0.1);
  });

  it('stops when the caller says so and returns the head trained so far', () => {
    const it = stegoTrainingSteps(tokens, DIM, { steps: 100, batchSize: 4, pointsPerImage: 8, projectionDim: 6, hiddenDim: 6, codeDim: 4, reportEvery: 10 });
    expect(it.next().done).toBe(false);
    expect(it.next(true).done).toBe(false);
    const r = it.next(false);
    expect(r.done).toBe(true);
    if (r.done) {
      expect(r.value.steps).toBe(20);
      expect(r.value.params.every(Number.isFinite)).toBe(true);
    }
  });
});
