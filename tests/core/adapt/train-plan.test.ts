import { describe, expect, it } from 'vitest';
import type { HeadClasses } from '../../../src/core/adapt/head';
import { IGNORE_TARGET, learningRateAt, planTraining, trainHead } from '../../../src/core/adapt/train';
import { separableImages } from './synthetic';

const CLASSES: HeadClasses = { names: ['a', 'b', 'c'], thingCount: 1 };

describe('the plan both trainers share (method.md §6)', () => {
  it('counts batches and steps over the non-ignored patches only', () => {
    const images = separableImages(2, 25, 4, 3);
    images[1].targets.fill(IGNORE_TARGET, 0, 5);
    const plan = planTraining(images, 4, CLASSES, { batchSize: 16, epochs: 3 });
    expect(plan.samples.imageOf.length).toBe(45);
    expect(plan.batches).toBe(3);
    expect(plan.totalSteps).toBe(9);
    expect(plan.shape).toEqual({ kind: 'mlp', tokenDim: 4, hiddenDim: 128, classCount: 3 });
  });

  it('decays the learning rate from the base rate along a half cosine', () => {
    const opts = { learningRate: 0.01, schedule: 'cosine' as const };
    expect(learningRateAt(opts, 0, 10)).toBeCloseTo(0.01, 12);
    expect(learningRateAt(opts, 5, 10)).toBeCloseTo(0.005, 12);
    expect(learningRateAt({ ...opts, schedule: 'constant' }, 7, 10)).toBe(0.01);
  });
});

describe('onBatch', () => {
  it('reports every batch, 1-based, with the epoch, after it has run', () => {
    const calls: string[] = [];
    const r = trainHead(separableImages(2, 20, 4, 3), 4, CLASSES, {
      kind: 'linear', epochs: 2, batchSize: 16, onBatch: (b, n, e) => calls.push(`${e}:${b}/${n}`),
    });
    expect(calls).toEqual(['1:1/3', '1:2/3', '1:3/3', '2:1/3', '2:2/3', '2:3/3']);
    expect(r.history).toHaveLength(2);
  });

  it('is not called for the batch a stop prevents', () => {
    let polls = 0, batches = 0;
    const r = trainHead(separableImages(2, 20, 4, 3), 4, CLASSES, {
      kind: 'linear', epochs: 2, batchSize: 16, shouldStop: () => ++polls > 4, onBatch: () => batches++,
    });
    expect(batches).toBe(4);
    expect(r.stopped).toBe(true);
    expect(r.history).toHaveLength(1);
  });
});
