// The sharded STEGO step (step-shards.ts) against the step computed over the whole batch at once,
// as the trainer did before shards: codes of all rows, each pair kind's loss over all its pairs
// (correlationLoss), one backward pass. Odd sizes, so the halves are uneven.
import { describe, expect, it } from 'vitest';
import { correlationLoss, PairScratch, type PairBatch } from '../../../src/core/stego/correlation-loss';
import { initialStegoParams, StegoHeadPass, type StegoHeadShape } from '../../../src/core/stego/head';
import { mulberry32 } from '../../../src/core/random';
import { allocStepShared, combineShards, inTurn, STEP_PHASES, STEP_SHARDS, StepShard, type ShardSettings } from '../../../src/core/stego/step-shards';

const settings: ShardSettings = {
  batchSize: 5, pointsPerImage: 3, negatives: 2, projectionDim: 6, codeDim: 7,
  weights: { intra: 0.67, knn: 0.25, random: 0.63 }, shifts: { intra: 0, knn: -0.02, random: 0.45 },
};
const shape: StegoHeadShape = { inDim: 6, hiddenDim: 5, codeDim: 7 };

function wholeBatchStep(x: Float64Array, features: Float64Array, params: Float64Array, rows: number, negatives: number) {
  const { batchSize: b, pointsPerImage: s } = settings;
  const head = new StegoHeadPass(shape, rows);
  const codes = head.forward(params, x, rows);
  const dCodes = new Float64Array(rows * shape.codeDim);
  const sc = new PairScratch(s, shape.codeDim, Math.max(1, negatives) * b);
  const blocks = (start: number, n: number) => Int32Array.from({ length: n }, (_, i) => (start + i) * s);
  const kind = (first: Int32Array, second: Int32Array, k: 'intra' | 'knn' | 'random') => {
    const batch: PairBatch = { features, codes, featDim: settings.projectionDim, codeDim: shape.codeDim, points: s, firstRows: first, secondRows: second };
    return correlationLoss(batch, settings.shifts[k], settings.weights[k], sc, dCodes).loss;
  };
  const intra = kind(blocks(0, b), blocks(0, b), 'intra');
  const knn = kind(blocks(0, b), blocks(b, b), 'knn');
  const random = negatives ? kind(Int32Array.from({ length: negatives * b }, (_, i) => (i % b) * s), blocks(2 * b, negatives * b), 'random') : 0;
  const grad = new Float64Array(params.length);
  head.backward(params, x, rows, dCodes, grad);
  return { grad, terms: { intra, knn, random } };
}

function shardedStep(x: Float64Array, features: Float64Array, params: Float64Array, rows: number, negatives: number) {
  const shared = allocStepShared(settings, shape);
  shared.x.set(x);
  shared.features.set(features);
  shared.params.set(params);
  const runner = inTurn(Array.from({ length: STEP_SHARDS }, (_, i) => new StepShard(settings, shape, shared, i)));
  const g = { rows, negatives };
  for (const phase of STEP_PHASES) runner.phase(phase, g);
  const grad = new Float64Array(params.length);
  const terms = combineShards(settings, shared, g, grad);
  return { grad, terms };
}

describe('a STEGO step in shards', () => {
  for (const negatives of [2, 0]) {
    it(`has the whole batch's loss and gradient (${negatives} random partners)`, () => {
      const rows = (2 + negatives) * settings.batchSize * settings.pointsPerImage;
      const rng = mulberry32(11 + negatives);
      const x = Float64Array.from({ length: rows * settings.projectionDim }, () => rng() - 0.5);
      const features = Float64Array.from({ length: rows * settings.projectionDim }, () => rng() - 0.2);
      const params = initialStegoParams(shape, 4);
      const whole = wholeBatchStep(x, features, params, rows, negatives);
      const sharded = shardedStep(x, features, params, rows, negatives);
      const scale = Math.max(...whole.grad.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-4);
      whole.grad.forEach((v, i) => expect(Math.abs(sharded.grad[i] - v)).toBeLessThan(1e-12 * scale));
      for (const k of ['intra', 'knn', 'random'] as const) expect(sharded.terms[k]).toBeCloseTo(whole.terms[k], 12);
      if (negatives) expect(sharded.terms.random).not.toBe(0);
    });
  }
});
