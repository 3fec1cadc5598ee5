import { describe, expect, it } from 'vitest';
import { disjointThings, fusePanopticPredictions, mergePanopticPseudoLabels } from '../../../src/core/pipeline/panoptic-merge';

const W = 10, H = 10;
const SIZE = { height: H, width: W };

/** Mask of the pixels (x, y) with x0 ≤ x < x1, y0 ≤ y < y1 on a w×h image. */
function box(x0: number, y0: number, x1: number, y1: number, w = W, h = H): Uint8Array {
  const m = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = 1;
  return m;
}

function count(ids: Uint32Array, id: number): number {
  return ids.reduce((s, v) => s + (v === id ? 1 : 0), 0);
}

describe('mergePanopticPseudoLabels (method.md §5 steps 1–2)', () => {
  it('paints larger boxes first so smaller instances overwrite them, whatever the input order', () => {
    const small = { maskRowMajor: box(2, 2, 5, 5), clusterId: 4 }; // 3×3
    const large = { maskRowMajor: box(0, 0, 6, 6), clusterId: 0 }; // 6×6
    const sem = new Uint8Array(W * H).fill(255); // all void: no stuff
    const r = mergePanopticPseudoLabels(SIZE, [small, large], sem, 10, 27);
    // large painted first → id 1; small → id 2, on top.
    expect(r.segments.map((s) => [s.id, s.categoryId, s.isThing, s.area, s.instanceIndex])).toEqual([
      [1, 1, true, 36 - 9, 1],
      [2, 5, true, 9, 0],
    ]);
    expect(r.idsRowMajor[3 * W + 3]).toBe(2);
    expect(r.idsRowMajor[0]).toBe(1);
    expect(r.segments[1].bbox).toEqual([2, 2, 3, 3]);
  });

  it('drops an instance left with no pixel; its id is still consumed', () => {
    const covered = { maskRowMajor: box(0, 0, 4, 2), clusterId: 2 }; // box 8
    const left = { maskRowMajor: box(0, 0, 2, 2), clusterId: 3 }; // box 4
    const right = { maskRowMajor: box(2, 0, 4, 2), clusterId: 3 }; // box 4
    const sem = new Uint8Array(W * H); // class 0 everywhere
    const r = mergePanopticPseudoLabels(SIZE, [covered, left, right], sem, 5, 27);
    expect(r.segments.filter((s) => s.isThing).map((s) => s.instanceIndex)).toEqual([1, 2]);
    const stuff = r.segments.filter((s) => !s.isThing);
    expect(stuff).toHaveLength(1);
    expect(stuff[0].id).toBe(4); // ids 1–3 went to the instances, the dropped one included
    expect(stuff[0].categoryId).toBe(5 + 0 + 1);
    expect(stuff[0].area).toBe(100 - 8);
  });

  it('ties in box area keep the input order (later instance on top)', () => {
    const a = { maskRowMajor: box(0, 0, 2, 2), clusterId: 0 };
    const b = { maskRowMajor: box(1, 0, 3, 2), clusterId: 1 };
    const r = mergePanopticPseudoLabels(SIZE, [a, b], new Uint8Array(100).fill(9), 2, 3);
    expect(r.idsRowMajor[1]).toBe(2);
  });

  // "more than 70 %" skips; exactly 70 % is kept.
  for (const [covered, kept] of [[69, true], [70, true], [71, false]] as const) {
    it(`70 % rule: ${covered} of a class's 100 px under instances → stuff ${kept ? 'kept' : 'skipped'}`, () => {
      // Class 1 occupies the whole 10×10 image; the instance covers `covered` of its pixels.
      const mask = new Uint8Array(100);
      for (let i = 0; i < covered; i++) mask[i] = 1;
      const r = mergePanopticPseudoLabels(SIZE, [{ maskRowMajor: mask, clusterId: 0 }], new Uint8Array(100).fill(1), 3, 2);
      const stuff = r.segments.filter((s) => !s.isThing);
      if (kept) {
        expect(stuff).toHaveLength(1);
        expect(stuff[0].area).toBe(100 - covered);
        expect(stuff[0].categoryId).toBe(3 + 1 + 1);
      } else {
        expect(stuff).toHaveLength(0);
        expect(count(r.idsRowMajor, 0)).toBe(100 - covered); // those pixels stay void
      }
    });
  }

  it('skips empty classes and classes whose pixels are all taken; ignores void labels', () => {
    const sem = new Uint8Array(100);
    for (let i = 0; i < 100; i++) sem[i] = i < 20 ? 0 : i < 60 ? 2 : 255; // class 1, 3 empty; 40 px void
    const inst = { maskRowMajor: box(0, 0, 10, 2), clusterId: 7 }; // rows 0–1 = all of class 0
    const r = mergePanopticPseudoLabels(SIZE, [inst], sem, 8, 4);
    expect(r.segments.map((s) => [s.categoryId, s.area])).toEqual([
      [8, 20],
      [8 + 2 + 1, 40],
    ]);
    expect(count(r.idsRowMajor, 0)).toBe(40);
  });
});

describe('fusePanopticPredictions (detectron2 defaults, method.md §5 step 3)', () => {
  const S = 100; // 100×100 = 10 000 px, so the 4096 px stuff limit is reachable
  const size = { height: S, width: S };
  const b = (x0: number, y0: number, x1: number, y1: number) => box(x0, y0, x1, y1, S, S);

  it('orders by score, stops below 0.5, and skips instances more than 50 % taken', () => {
    const sem = new Uint8Array(S * S); // all "thing" label 0: no stuff
    const r = fusePanopticPredictions(size, [
      { maskRowMajor: b(0, 0, 10, 10), score: 0.6, categoryId: 1 }, // 100 px
      { maskRowMajor: b(5, 0, 15, 10), score: 0.9, categoryId: 2 }, // placed first
      { maskRowMajor: b(0, 0, 10, 10), score: 0.49, categoryId: 3 }, // below threshold
      { maskRowMajor: b(50, 50, 60, 60), score: 0.4, categoryId: 4 }, // after the stop
      { maskRowMajor: b(10, 0, 20, 10), score: 0.7, categoryId: 5 }, // 50 px of 100 taken: exactly 50 % → kept
      { maskRowMajor: b(11, 0, 20, 10), score: 0.65, categoryId: 6 }, // fully taken → skipped
    ], sem);
    expect(r.segments.map((s) => [s.categoryId, s.area])).toEqual([
      [2, 100],
      [5, 50],
      [1, 50],
    ]);
  });

  it('keeps stuff regions of ≥ 4096 free px, drops smaller ones, never uses label 0', () => {
    const sem = new Uint8Array(S * S);
    for (let i = 0; i < S * S; i++) sem[i] = i < 4096 ? 3 : i < 4096 + 4095 ? 7 : 0;
    const r = fusePanopticPredictions(size, [], sem);
    expect(r.segments.map((s) => [s.categoryId, s.area, s.isThing])).toEqual([[3, 4096, false]]);
    const withThing = fusePanopticPredictions(size, [{ maskRowMajor: b(0, 0, 1, 1), score: 0.9, categoryId: 1 }], sem);
    expect(withThing.segments.filter((s) => !s.isThing)).toHaveLength(0); // 4095 free px of label 3
  });
});

describe('disjointThings (the multi-view stage in the panoptic map)', () => {
  const area = (m: Uint8Array | null) => (m ? m.reduce((s, v) => s + v, 0) : null);

  it('skips a part of a better-scored whole, and keeps a whole around a better-scored part minus the part', () => {
    const whole = box(0, 0, 10, 10), part = box(0, 0, 6, 5);
    expect(disjointThings([whole, part], [0.9, 0.5]).map(area)).toEqual([100, null]);
    const [w, p] = disjointThings([whole, part], [0.5, 0.9]);
    expect([area(w), area(p)]).toEqual([70, 30]);
    for (let i = 0; i < W * H; i++) expect(w![i] + p![i]).toBe(1);
  });

  it('skips a mask more than half taken and keeps one exactly half taken, with its free pixels only', () => {
    const first = box(0, 0, 10, 4); // rows 0–3
    expect(disjointThings([first, box(0, 0, 10, 6)], [1, 0.5]).map(area)).toEqual([40, null]); // 40 of 60 taken
    const [, half] = disjointThings([first, box(0, 2, 10, 6)], [1, 0.5]); // rows 2–5: 20 of 40 taken
    expect(area(half)).toBe(20);
    for (let i = 0; i < W * H; i++) expect(half![i]).toBe(i >= 4 * W && i < 6 * W ? 1 : 0);
  });

  it('orders by score, not by input order, and skips empty masks', () => {
    const a = box(0, 0, 5, 10), b = box(0, 0, 10, 10);
    expect(disjointThings([a, b, new Uint8Array(W * H)], [0.2, 0.8, 0.9]).map(area)).toEqual([null, 100, null]);
  });
});
