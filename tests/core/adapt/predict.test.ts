import { describe, expect, it } from 'vitest';
import { classifyMasks, gridComponents, predictFromProbabilities } from '../../../src/core/adapt/predict';
import { decodeMask } from '../../../src/core/coco/rle';

const CLASSES = { names: ['cat', 'dog', 'sky'], thingCount: 2 };
const CAT = 0, DOG = 1, SKY = 2;

/** Grid 2×3: cat cat sky / sky dog cat; argmax probability 0.8 (0.6 on patch 1), the rest shared. */
function probabilities(): Float32Array {
  const labels = [CAT, CAT, SKY, SKY, DOG, CAT];
  const p = new Float32Array(6 * 3);
  labels.forEach((c, i) => {
    const top = i === 1 ? 0.6 : 0.8;
    for (let k = 0; k < 3; k++) p[i * 3 + k] = k === c ? top : (1 - top) / 2;
  });
  return p;
}

const SIZE = { height: 4, width: 6 };

describe('predictions from head scores (method.md §6)', () => {
  it('grid components are 4-connected and per class', () => {
    const comps = gridComponents([0, 0, 2, 2, 1, 0], 2, 3, (c) => c < 2);
    expect(comps).toEqual([
      { classIndex: 0, patches: [0, 1] },
      { classIndex: 1, patches: [4] },
      { classIndex: 0, patches: [5] },
    ]);
  });

  it('a hand-made score grid gives the expected semantic map, instances and panoptic segments', () => {
    const pred = predictFromProbabilities(probabilities(), 2, 3, CLASSES, SIZE);
    expect(Array.from(pred.patchClasses)).toEqual([CAT, CAT, SKY, SKY, DOG, CAT]);
    expect(Array.from(pred.semanticRowMajor)).toEqual([
      CAT, CAT, CAT, CAT, SKY, SKY,
      CAT, CAT, CAT, CAT, SKY, SKY,
      SKY, SKY, DOG, DOG, CAT, CAT,
      SKY, SKY, DOG, DOG, CAT, CAT,
    ]);
    expect(pred.instances.map((i) => [i.classIndex, i.area, i.bbox, i.patchCount])).toEqual([
      [CAT, 8, [0, 0, 4, 2], 2],
      [DOG, 4, [2, 2, 2, 2], 1],
      [CAT, 4, [4, 2, 2, 2], 1],
    ]);
    expect(pred.instances[0].score).toBeCloseTo(0.7, 6);
    expect(pred.instances[1].score).toBeCloseTo(0.8, 6);
    expect(Array.from(decodeMask(pred.instances[1].rle))).toEqual([
      0, 0, 0, 0, 0, 0,
      0, 0, 0, 0, 0, 0,
      0, 0, 1, 1, 0, 0,
      0, 0, 1, 1, 0, 0,
    ]);
    expect(pred.panoptic?.segments.map((s) => [s.categoryId, s.isThing, s.area])).toEqual([
      [1, true, 8], [2, true, 4], [1, true, 4], [3, false, 8],
    ]);
  });

  it('minPatches drops small components; the panoptic map can be skipped', () => {
    const pred = predictFromProbabilities(probabilities(), 2, 3, CLASSES, SIZE, { minPatches: 2, panoptic: false });
    expect(pred.instances.map((i) => i.classIndex)).toEqual([CAT]);
    expect(pred.panoptic).toBeNull();
  });

  it('classifies given masks by their mean patch probability over thing classes', () => {
    const m = new Uint8Array(24);
    for (const [x, y] of [[2, 2], [3, 2], [2, 3], [4, 3]]) m[y * 6 + x] = 1; // 3 dog-cell pixels, 1 cat-cell pixel
    const [r, empty] = classifyMasks(probabilities(), 2, 3, CLASSES, [m, new Uint8Array(24)], SIZE);
    expect(r.classIndex).toBe(DOG);
    expect(r.score).toBeCloseTo((3 * 0.8 + 0.1) / 4, 6);
    expect(empty.classIndex).toBe(-1);
  });
});
