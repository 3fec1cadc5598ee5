import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random';
import { emptyPlan, planStep, type StepShape } from '../../../src/core/stego/sampling';

const SHAPE: StepShape = { batchSize: 4, pointsPerImage: 5, negatives: 2, projectionDim: 3, dropout: 0.5 };
const photos = [{ cells: 9 }, { cells: 4 }, { cells: 12 }, { cells: 7 }, { cells: 2 }];
// Photo i's nearest photos: the next two.
const knn = photos.map((_, i) => Int32Array.from([(i + 1) % photos.length, (i + 2) % photos.length]));

describe('one STEGO step plan', () => {
  const plan = planStep(photos, knn, SHAPE, mulberry32(3), emptyPlan(SHAPE));
  const b = SHAPE.batchSize, s = SHAPE.pointsPerImage;
  const photoOfBlock = (block: number) => plan.photo[block * s];

  it('lays out anchors, their nearest partners and one block per random permutation', () => {
    expect(plan.negatives).toBe(2);
    expect(plan.rows).toBe(4 * b * s);
    const anchors = Array.from({ length: b }, (_, i) => photoOfBlock(i));
    expect(new Set(anchors).size).toBe(b);
    for (let i = 0; i < b; i++) {
      expect(Array.from(knn[anchors[i]])).toContain(photoOfBlock(b + i));
      for (let k = 0; k < plan.negatives; k++) {
        const other = photoOfBlock((2 + k) * b + i);
        expect(anchors).toContain(other);
        expect(other).not.toBe(anchors[i]);
      }
    }
  });

  it('reads every row within its photo, through its own photo’s mask, with a block’s photo constant', () => {
    for (let r = 0; r < plan.rows; r++) {
      const block = Math.floor(r / s);
      expect(plan.photo[r]).toBe(photoOfBlock(block));
      expect(plan.cell[r]).toBeGreaterThanOrEqual(0);
      expect(plan.cell[r]).toBeLessThan(photos[plan.photo[r]].cells);
      if (block < 2 * b) expect(plan.mask[r]).toBe(block);
      else expect(photoOfBlock(plan.mask[r])).toBe(plan.photo[r]);
    }
    expect(new Set(plan.masks)).toEqual(new Set([0, 2]));
  });

  it('is the same plan for the same seed and another for another seed', () => {
    const again = planStep(photos, knn, SHAPE, mulberry32(3), emptyPlan(SHAPE));
    expect(Array.from(again.cell)).toEqual(Array.from(plan.cell));
    expect(Array.from(again.masks)).toEqual(Array.from(plan.masks));
    const other = planStep(photos, knn, SHAPE, mulberry32(4), emptyPlan(SHAPE));
    expect(Array.from(other.cell)).not.toEqual(Array.from(plan.cell));
  });

  it('draws no random partners from a single photo', () => {
    const one = planStep([{ cells: 6 }], [Int32Array.from([0])], SHAPE, mulberry32(1), emptyPlan(SHAPE));
    expect(one.negatives).toBe(0);
    expect(one.rows).toBe(2 * b * s);
    expect(Array.from(one.photo.subarray(0, one.rows)).every((p) => p === 0)).toBe(true);
  });
});
