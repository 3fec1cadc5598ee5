import { describe, expect, it } from 'vitest';
import { headLabels } from '../../../src/core/adapt/head-labels';
import { decodeMask, encodeMask } from '../../../src/core/coco/rle';

// Grid 2×2 over a 4×4 photo (each patch 2×2 pixels). Classes: dog (thing), cat (thing), grass (stuff)
// mapped to table categories 7, 3, 12. Patch classes: dog grass / grass cat.
const CLASSES = { names: ['dog', 'cat', 'grass'], thingCount: 2 };
const CATEGORIES = [7, 3, 12];
const SIZE = { height: 4, width: 4 };
const oneHot = (cls: number[]) => Float32Array.from(cls.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 0.9 : 0.05))));

function maskOf(pixels: [number, number][]): { rle: ReturnType<typeof encodeMask> } {
  const m = new Uint8Array(16);
  for (const [y, x] of pixels) m[y * 4 + x] = 1;
  return { rle: encodeMask(m, 4, 4) };
}

describe('head labels in category space (method.md §6)', () => {
  const probs = oneHot([0, 2, 2, 1]);

  it('semantics take the table category of the head class everywhere', () => {
    const out = headLabels(probs, 2, 2, CLASSES, CATEGORIES, SIZE, []);
    expect(new Set(out.semanticCategoryRowMajor)).toEqual(new Set([7, 12, 3]));
    expect(out.semanticCategoryRowMajor[0]).toBe(7);
    expect(out.semanticCategoryRowMajor[15]).toBe(3);
    expect(out.semanticCategoryRowMajor[3]).toBe(12);
  });

  it('keeps a MaskCut mask the head calls a thing, with its mean probability; drops one it calls stuff', () => {
    const dogMask = maskOf([[0, 0], [0, 1], [1, 0], [1, 1]]); // the dog patch exactly
    const grassMask = maskOf([[0, 2], [0, 3], [1, 2], [1, 3]]); // a grass patch
    const out = headLabels(probs, 2, 2, CLASSES, CATEGORIES, SIZE, [dogMask, grassMask]);
    expect(out.instances.map((i) => i.categoryId)).toEqual([7]); // the cat patch has no MaskCut mask: no instance
    expect(out.instances[0].score).toBeCloseTo(0.9, 6);
    expect(Array.from(decodeMask(out.instances[0].rle))).toEqual(Array.from(decodeMask(dogMask.rle)));
    const thingCats = out.panoptic.segments.filter((s) => s.isThing).map((s) => s.categoryId);
    const stuffCats = out.panoptic.segments.filter((s) => !s.isThing).map((s) => s.categoryId);
    expect(thingCats).toEqual([7]);
    expect(stuffCats.every((c) => c === 12)).toBe(true);
  });

  it("paints a disjoint set of the multi-view stage's overlapping masks, every mask of MaskCut's", () => {
    const dog = maskOf([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const dogWithMore = { rle: maskOf([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1]]).rle, score: 0.9 };
    const part = { ...dog, score: 0.5 };
    const things = (proposals?: 'reference' | 'multi') =>
      headLabels(probs, 2, 2, CLASSES, CATEGORIES, SIZE, [dogWithMore, part], proposals).panoptic.segments.filter((s) => s.isThing);
    // Both masks are instances either way; only the panoptic map differs.
    expect(headLabels(probs, 2, 2, CLASSES, CATEGORIES, SIZE, [dogWithMore, part], 'multi').instances).toHaveLength(2);
    expect(things('reference').map((s) => s.area).sort()).toEqual([2, 4]); // the part cuts its whole
    expect(things('multi').map((s) => s.area)).toEqual([6]); // the better-scored whole only
  });

  it('refuses a category list that does not match the classes', () => {
    expect(() => headLabels(probs, 2, 2, CLASSES, [7, 3], SIZE, [])).toThrow(/categories/);
  });
});
