import { describe, expect, it } from 'vitest';
import { confidentTargets, selfTrain, type SessionImage } from '../../../src/core/adapt/self-train';
import { IGNORE_TARGET } from '../../../src/core/adapt/train';
import { separableImages } from './synthetic';

describe('self-training (method.md §6)', () => {
  const classes = { names: ['thing 1', 'stuff 1', 'stuff 2'], thingCount: 1 };
  // 4×4 grids of 6-dim tokens; a quarter of the pseudo labels are flipped to the next class.
  const images: SessionImage[] = separableImages(3, 16, 6, 3).map((im) => ({
    tokensRowMajor: im.tokensRowMajor, gridH: 4, gridW: 4, labelSizeHW: { height: 8, width: 8 },
    pseudoTargets: im.targets.map((t, p) => (p % 4 === 0 ? (t + 1) % 3 : t)),
  }));

  it('two rounds: each re-predicts every image; round 2 learns the confident round-1 labels', () => {
    const epochs: string[] = [];
    const rounds = selfTrain(images, 6, classes, { train: { kind: 'linear', epochs: 20, batchSize: 8, learningRate: 0.02 }, onEpoch: (r, p) => epochs.push(`${r}.${p.epoch}`) });
    expect(rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(epochs).toHaveLength(40);
    for (const r of rounds) {
      expect(r.predictions).toHaveLength(3);
      expect(r.predictions[0].semanticRowMajor).toHaveLength(64);
    }
    // The flipped quarter is outvoted by the tokens: both rounds predict (nearly) the clean classes.
    const clean = separableImages(3, 16, 6, 3).flatMap((im) => Array.from(im.targets));
    for (const r of rounds) {
      const predicted = r.predictions.flatMap((p) => Array.from(p.patchClasses));
      expect(predicted.filter((c, i) => c === clean[i]).length / clean.length).toBeGreaterThan(0.95);
    }
  });

  it('one round when asked, when stopped, or when no round-1 patch is confident', () => {
    expect(selfTrain(images, 6, classes, { rounds: 1, train: { epochs: 1 } })).toHaveLength(1);
    expect(selfTrain(images, 6, classes, { minConfidence: 1.01, train: { epochs: 1 } })).toHaveLength(1);
    const stopped = selfTrain(images, 6, classes, { train: { epochs: 5 }, shouldStop: () => true });
    expect(stopped).toHaveLength(1);
    expect(stopped[0].stopped).toBe(true);
  });

  it('confident targets void the unsure patches', () => {
    const probs = Float32Array.from([0.9, 0.05, 0.05, 0.4, 0.35, 0.25]);
    const pred = { patchClasses: Uint8Array.from([0, 0]), patchProbabilities: probs } as Parameters<typeof confidentTargets>[0];
    expect(Array.from(confidentTargets(pred, 3, 0.5))).toEqual([0, IGNORE_TARGET]);
  });
});
