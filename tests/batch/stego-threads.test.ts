// STEGO's training steps with a helper thread (src/batch/stego-threads.ts): the same head bit for
// bit as on one thread; a helper that fails makes the steps fail with a message, not hang, and a
// batch run then trains the same head again on one thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gaussian, mulberry32 } from '../../src/core/random';
import { drainStego, projectSession, STEGO_DEFAULTS, stegoTrainingOnRows, type StegoTrainOptions } from '../../src/core/stego/train';
import { trainStegoModel } from '../../src/batch/semantic-head';
import { StegoHelperThread } from '../../src/batch/stego-threads';

const DIM = 24, CELLS = 30, PHOTOS = 9;
const OPTIONS: Partial<StegoTrainOptions> = { steps: 12, reportEvery: 4, projectionDim: 8, hiddenDim: 8, codeDim: 6, pointsPerImage: 9, batchSize: 5 };

function tokens(): Float32Array[] {
  const normal = gaussian(mulberry32(5));
  return Array.from({ length: PHOTOS }, (_, p) => Float32Array.from({ length: CELLS * DIM }, (_, i) => Math.max(0, normal() + ((i % DIM) === p % DIM ? 2 : 0))));
}

describe("STEGO's steps on a helper thread", () => {
  const { projection, photos } = projectSession(tokens(), DIM, OPTIONS);
  let helper: StegoHelperThread;
  beforeAll(async () => {
    helper = await StegoHelperThread.start();
  }, 60_000);
  afterAll(() => helper?.close());

  it('trains the same head, bit for bit, and can be attached again for the next run', () => {
    const one = drainStego(stegoTrainingOnRows(projection, photos, OPTIONS));
    for (let run = 0; run < 2; run++) {
      const two = drainStego(stegoTrainingOnRows(projection, photos, OPTIONS, helper.parallel()));
      expect(Array.from(two.params)).toEqual(Array.from(one.params));
      expect(two.history.map((h) => h.loss)).toEqual(one.history.map((h) => h.loss));
    }
    expect(one.steps).toBe(12);
  });

  it('fails with a message when the helper fails in a phase', async () => {
    const failing = await StegoHelperThread.start({ failAt: 'score' });
    try {
      expect(() => drainStego(stegoTrainingOnRows(projection, photos, OPTIONS, failing.parallel()))).toThrow(/helper thread failed while score/);
    } finally {
      await failing.close();
    }
  }, 60_000);
});

describe("a batch run's STEGO head when its helper fails", () => {
  it('is trained again on one thread, says so, and is the same head', async () => {
    const { projection, photos } = projectSession(tokens(), DIM, OPTIONS);
    const options = { ...STEGO_DEFAULTS, ...OPTIONS };
    const failing = await StegoHelperThread.start({ failAt: 'backprop' });
    let log = '';
    try {
      const model = trainStegoModel(projection, photos, options, failing, { write: (t: string) => (log += t) });
      expect(log).toMatch(/helper thread failed while backprop.*training again on one thread/);
      expect(Array.from(model.params)).toEqual(Array.from(drainStego(stegoTrainingOnRows(projection, photos, options)).params));
    } finally {
      await failing.close();
    }
  }, 60_000);
});
