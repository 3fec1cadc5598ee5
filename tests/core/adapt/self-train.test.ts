// The one self-training loop (method.md §6) that the app's adaptation worker and the Node evaluation
// both run: rounds, the confidence filter, the user's weighted targets, stopping.
import { describe, expect, it } from 'vitest';
import { confidentTargets, selfTrain, weightedTrainingImages, type HeadTrainer, type SessionImage } from '../../../src/core/adapt/self-train';
import { IGNORE_TARGET, trainHeadAsync, type TrainingImage } from '../../../src/core/adapt/train';
import { separableImages } from './synthetic';

describe('self-training (method.md §6)', () => {
  const classes = { names: ['thing 1', 'stuff 1', 'stuff 2'], thingCount: 1 };
  // 4×4 grids of 6-dim tokens; a quarter of the pseudo labels are flipped to the next class.
  const images: SessionImage[] = separableImages(3, 16, 6, 3).map((im) => ({
    tokensRowMajor: im.tokensRowMajor, gridH: 4, gridW: 4,
    pseudoTargets: im.targets.map((t, p) => (p % 4 === 0 ? (t + 1) % 3 : t)),
  }));
  const clean = separableImages(3, 16, 6, 3).flatMap((im) => Array.from(im.targets));

  it('two rounds: each re-predicts every image; round 2 learns the confident round-1 labels', async () => {
    const epochs: string[] = [];
    const rounds = await selfTrain(images, 6, classes, { train: { kind: 'linear', epochs: 20, batchSize: 8, learningRate: 0.02 }, onEpoch: (r, p) => epochs.push(`${r}.${p.epoch}`) });
    expect(rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(epochs).toHaveLength(40);
    for (const r of rounds) {
      expect(r.patchClasses).toHaveLength(3);
      expect(r.patchProbabilities[0]).toHaveLength(16 * 3);
    }
    // Round 2's targets are round 1's classes where confident, void elsewhere.
    expect(rounds[1].targets[0]).toEqual(confidentTargets(rounds[0].patchClasses[0], rounds[0].patchProbabilities[0], 3, 0.5));
    // The flipped quarter is outvoted by the tokens: both rounds predict (nearly) the clean classes.
    for (const r of rounds) {
      const predicted = r.patchClasses.flatMap((p) => Array.from(p));
      expect(predicted.filter((c, i) => c === clean[i]).length / clean.length).toBeGreaterThan(0.95);
    }
  });

  it('one round when asked, when stopped, or when no round-1 patch is confident', async () => {
    expect(await selfTrain(images, 6, classes, { rounds: 1, train: { epochs: 1 } })).toHaveLength(1);
    expect(await selfTrain(images, 6, classes, { minConfidence: 1.01, train: { epochs: 1 } })).toHaveLength(1);
    const stopped = await selfTrain(images, 6, classes, { train: { epochs: 5 }, shouldStop: () => true });
    expect(stopped).toHaveLength(1);
    expect(stopped[0].stopped).toBe(true);
  });

  it("trains the user's targets userWeight times, keeps them out of round 2's targets, and runs round 2 for them alone", async () => {
    const user = new Uint8Array(16).fill(IGNORE_TARGET);
    user[0] = 2;
    user[5] = 0;
    const withUser: SessionImage[] = images.map((im, i) => (i === 0 ? { ...im, userTargets: user } : im));
    const seen: TrainingImage[][] = [];
    const recording: HeadTrainer = (training, ...rest) => {
      seen.push([...training]);
      return trainHeadAsync(training, ...rest);
    };
    // Nothing confident: round 2 still runs, on the user's targets only.
    const rounds = await selfTrain(withUser, 6, classes, { userWeight: 3, minConfidence: 1.01, trainer: recording, train: { kind: 'linear', epochs: 2 } });
    expect(rounds).toHaveLength(2);
    expect(seen[0].map((t) => t.targets)).toEqual([images[0].pseudoTargets, user, user, user, images[1].pseudoTargets, images[2].pseudoTargets]);
    expect(rounds[1].targets.every((t) => t.every((c) => c === IGNORE_TARGET))).toBe(true);
    expect(seen[1].filter((t) => t.targets === user)).toHaveLength(3);
    // Painted patches never become round-2 targets, however confident.
    const sure = Float32Array.from({ length: 16 * 3 }, (_, k) => (k % 3 === 1 ? 1 : 0));
    const targets = confidentTargets(new Uint8Array(16).fill(1), sure, 3, 0.5, user);
    expect([targets[0], targets[5], targets[1]]).toEqual([IGNORE_TARGET, IGNORE_TARGET, 1]);
    expect(weightedTrainingImages(withUser, withUser.map((im) => im.pseudoTargets), 0)).toHaveLength(3);
  });

  it('confident targets void the unsure patches', () => {
    const probs = Float32Array.from([0.9, 0.05, 0.05, 0.4, 0.35, 0.25]);
    expect(Array.from(confidentTargets(Uint8Array.from([0, 0]), probs, 3, 0.5))).toEqual([0, IGNORE_TARGET]);
  });
});
