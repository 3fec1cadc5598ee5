import { describe, expect, it } from 'vitest';
import { forwardScratch, headLayout, initialParams, type HeadClasses, type HeadShape } from '../../../src/core/adapt/head';
import {
  balancedClassWeights, IGNORE_TARGET, inputStatistics, lossAndGradient, trainHead, trainHeadAsync, type TrainingImage,
} from '../../../src/core/adapt/train';
import { gaussian, mulberry32 } from '../../../src/core/random';
import { separableImages } from './synthetic';

const CLASSES: HeadClasses = { names: ['a', 'b', 'c'], thingCount: 1 };

function lossOf(params: Float64Array, shape: HeadShape, x: Float64Array, targets: Uint8Array, weights: number[] | null): number {
  const layout = headLayout(shape);
  const scratch = forwardScratch(shape, targets.length);
  scratch.inputs.set(x);
  const r = lossAndGradient(params, layout, scratch, targets, targets.length, weights, new Float64Array(layout.paramCount));
  return r.lossSum / r.weightSum;
}

describe('lossAndGradient (method.md §6 training)', () => {
  for (const kind of ['linear', 'mlp'] as const) {
    it(`${kind}: matches central finite differences on every parameter`, () => {
      const shape: HeadShape = { kind, tokenDim: 5, hiddenDim: kind === 'mlp' ? 4 : 0, classCount: 3 };
      const layout = headLayout(shape);
      const params = initialParams(shape, 3);
      const normal = gaussian(mulberry32(7));
      for (let i = 0; i < params.length; i++) params[i] += 0.3 * normal(); // biases too, and away from ReLU kinks
      const rows = 6;
      const x = Float64Array.from({ length: rows * 5 }, () => normal());
      const targets = Uint8Array.from([0, 1, 2, 2, 1, 0]);
      const weights = [0.5, 2, 1];
      const scratch = forwardScratch(shape, rows);
      scratch.inputs.set(x);
      const grad = new Float64Array(layout.paramCount);
      lossAndGradient(params, layout, scratch, targets, rows, weights, grad);
      const eps = 1e-5;
      for (let i = 0; i < params.length; i++) {
        const plus = params.slice(), minus = params.slice();
        plus[i] += eps;
        minus[i] -= eps;
        const numeric = (lossOf(plus, shape, x, targets, weights) - lossOf(minus, shape, x, targets, weights)) / (2 * eps);
        expect(Math.abs(numeric - grad[i])).toBeLessThan(1e-6 + 1e-4 * Math.abs(numeric));
      }
    });
  }
});

describe('trainHead', () => {
  const images = separableImages(3, 30, 8, 3);

  it('is deterministic for a seed and differs between seeds', () => {
    const opts = { kind: 'mlp' as const, hiddenDim: 6, epochs: 3, batchSize: 16 };
    const a = trainHead(images, 8, CLASSES, { ...opts, seed: 4 });
    const b = trainHead(images, 8, CLASSES, { ...opts, seed: 4 });
    const c = trainHead(images, 8, CLASSES, { ...opts, seed: 5 });
    expect(b.head.params).toEqual(a.head.params);
    expect(b.history.map((h) => h.loss)).toEqual(a.history.map((h) => h.loss));
    expect(c.head.params).not.toEqual(a.head.params);
  });

  it('ignores ignored patches: their tokens do not matter, and dropping them gives the same head', () => {
    const withIgnored: TrainingImage[] = images.map((im) => ({ tokensRowMajor: im.tokensRowMajor.slice(), targets: im.targets.slice() }));
    for (const im of withIgnored) for (let p = 0; p < im.targets.length; p += 3) im.targets[p] = IGNORE_TARGET;
    const scrambled = withIgnored.map((im) => {
      const tokens = im.tokensRowMajor.slice();
      im.targets.forEach((t, p) => {
        if (t === IGNORE_TARGET) tokens.fill(1000 + p, p * 8, (p + 1) * 8);
      });
      return { tokensRowMajor: tokens, targets: im.targets };
    });
    const dropped = withIgnored.map((im) => {
      const keep = Array.from(im.targets.keys()).filter((p) => im.targets[p] !== IGNORE_TARGET);
      const tokens = new Float32Array(keep.length * 8);
      keep.forEach((p, i) => tokens.set(im.tokensRowMajor.subarray(p * 8, (p + 1) * 8), i * 8));
      return { tokensRowMajor: tokens, targets: Uint8Array.from(keep, (p) => im.targets[p]) };
    });
    const opts = { kind: 'linear' as const, epochs: 2, batchSize: 8, seed: 1 };
    const a = trainHead(withIgnored, 8, CLASSES, opts);
    expect(trainHead(scrambled, 8, CLASSES, opts).head.params).toEqual(a.head.params);
    expect(trainHead(dropped, 8, CLASSES, opts).head.params).toEqual(a.head.params);
    expect(a.sampleCount).toBe(60);
  });

  it('stops when shouldStop() says so, keeping the epochs done', () => {
    let polls = 0;
    const epochs: number[] = [];
    const r = trainHead(images, 8, CLASSES, { kind: 'linear', epochs: 50, batchSize: 10, shouldStop: () => ++polls > 20, onEpoch: (p) => epochs.push(p.epoch) });
    expect(r.stopped).toBe(true);
    expect(r.history).toHaveLength(2); // 9 batches per epoch: epochs 1–2 finish, the 3rd stops at its 3rd batch
    expect(epochs).toEqual([1, 2]);
    expect(polls).toBe(21);
  });

  it('trains asynchronously to the same head, and stops from a flag set between epochs', async () => {
    const opts = { kind: 'linear' as const, epochs: 3, batchSize: 16, seed: 2 };
    expect((await trainHeadAsync(images, 8, CLASSES, opts)).head.params).toEqual(trainHead(images, 8, CLASSES, opts).head.params);
    let cancel = false;
    const r = await trainHeadAsync(images, 8, CLASSES, { ...opts, epochs: 100, shouldStop: () => cancel, onEpoch: (p) => (cancel = p.epoch === 4) });
    expect(r.stopped).toBe(true);
    expect(r.history).toHaveLength(4);
  });

  it('rejects targets outside the classes, class weights of the wrong length, and all-void targets', () => {
    const bad = [{ tokensRowMajor: new Float32Array(16), targets: Uint8Array.from([0, 7]) }];
    expect(() => trainHead(bad, 8, CLASSES, {})).toThrow(/target 7/);
    expect(() => trainHead(images, 8, CLASSES, { classWeights: [1, 1] })).toThrow(/2 class weights/);
    const allVoid = [{ tokensRowMajor: new Float32Array(16), targets: Uint8Array.from([IGNORE_TARGET, IGNORE_TARGET]) }];
    expect(() => trainHead(allVoid, 8, CLASSES, {})).toThrow(/no training patches/);
  });

  it('class weights: balanced weights average 1 over present classes, absent classes 0', () => {
    const ims: TrainingImage[] = [{ tokensRowMajor: new Float32Array(5), targets: Uint8Array.from([0, 0, 0, 0, 2]) }];
    const w = balancedClassWeights(ims, 3, 1);
    expect(w[1]).toBe(0);
    expect(w[0] / w[2]).toBeCloseTo(1 / 4, 6);
    expect((w[0] + w[2]) / 2).toBeCloseTo(1, 6);
  });

  it('input statistics: per-channel mean and inverse standard deviation', () => {
    const s = inputStatistics([Float32Array.from([1, 10, 3, 10])], 2);
    expect(Array.from(s.mean)).toEqual([2, 10]);
    expect(s.invStd[0]).toBeCloseTo(1 / Math.sqrt(1 + 1e-3 * 0.5), 4);
  });
});
