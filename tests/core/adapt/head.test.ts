import { describe, expect, it } from 'vitest';
import { headLogits, headProbabilities, type HeadClasses } from '../../../src/core/adapt/head';
import { base64ToBytes, bytesToBase64, headFromJson, headToJson } from '../../../src/core/adapt/head-codec';
import { trainHead } from '../../../src/core/adapt/train';
import { separableImages } from './synthetic';

const CLASSES: HeadClasses = { names: ['a', 'b', 'c', 'd'], thingCount: 2 };

function accuracy(images: ReturnType<typeof separableImages>, logitsOf: (t: Float32Array, n: number) => Float32Array): number {
  let right = 0, total = 0;
  for (const im of images) {
    const n = im.targets.length;
    const logits = logitsOf(im.tokensRowMajor, n);
    for (let p = 0; p < n; p++) {
      const row = Array.from(logits.subarray(p * 4, p * 4 + 4));
      if (row.indexOf(Math.max(...row)) === im.targets[p]) right++;
      total++;
    }
  }
  return right / total;
}

describe('adaptation head (method.md §6)', () => {
  for (const kind of ['linear', 'mlp'] as const) {
    it(`${kind}: learns a separable synthetic problem to ~100 % on held-out patches`, () => {
      const train = separableImages(6, 40, 16, 4, 1, 2);
      const test = separableImages(3, 40, 16, 4, 1, 99);
      const { head, history } = trainHead(train, 16, CLASSES, { kind, hiddenDim: 16, epochs: 15, batchSize: 32, learningRate: 0.01 });
      expect(history).toHaveLength(15);
      expect(history[14].loss).toBeLessThan(history[0].loss);
      expect(accuracy(test, (t, n) => headLogits(head, t, n))).toBeGreaterThan(0.99);
    });
  }

  it('probabilities are a softmax per patch', () => {
    const images = separableImages(1, 8, 6, 4);
    const { head } = trainHead(images, 6, CLASSES, { kind: 'linear', epochs: 1 });
    const probs = headProbabilities(head, images[0].tokensRowMajor, 8);
    for (let p = 0; p < 8; p++) expect(probs.subarray(p * 4, p * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('rejects tokens of the wrong size', () => {
    const images = separableImages(1, 8, 6, 4);
    const { head } = trainHead(images, 6, CLASSES, { kind: 'linear', epochs: 1 });
    expect(() => headLogits(head, new Float32Array(7 * 6), 8)).toThrow(/expected 8×6/);
  });
});

describe('head serialisation', () => {
  it('base64 matches Node Buffer both ways, for every tail length', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(text)).toEqual(bytes);
    }
  });

  for (const kind of ['linear', 'mlp'] as const) {
    it(`${kind}: JSON and bytes round trips give identical weights and logits`, () => {
      const images = separableImages(2, 10, 6, 4);
      const { head } = trainHead(images, 6, CLASSES, { kind, hiddenDim: 5, epochs: 2 });
      const json = JSON.parse(JSON.stringify(headToJson(head, { model: 'tiny-vit' }))) as unknown;
      for (const back of [headFromJson(json), headFromJson(JSON.parse(JSON.stringify(json)) as unknown)]) {
        expect(back.shape).toEqual(head.shape);
        expect(back.classes).toEqual(head.classes);
        expect(back.params).toEqual(head.params);
        expect(back.input.mean).toEqual(head.input.mean);
        expect(headLogits(back, images[0].tokensRowMajor, 10)).toEqual(headLogits(head, images[0].tokensRowMajor, 10));
      }
    });
  }

  it('refuses foreign, truncated or inconsistent files', () => {
    const images = separableImages(1, 10, 6, 4);
    const json = headToJson(trainHead(images, 6, CLASSES, { kind: 'linear', epochs: 1 }).head);
    expect(() => headFromJson({ ...json, format: 'other' })).toThrow(/not a u2seg-patch-head/);
    expect(() => headFromJson({ ...json, params: json.params.slice(0, 8) })).toThrow(/params/);
    expect(() => headFromJson({ ...json, thingCount: 9 })).toThrow(/thingCount/);
    expect(() => headFromJson({ ...json, kind: 'cnn' })).toThrow(/kind/);
  });
});
