import { describe, expect, it } from 'vitest';
import { cellBounds, groundTruthClassMap, patchTargetsFromClassMap, pseudoClassMap } from '../../../src/core/adapt/targets';
import { IGNORE_TARGET } from '../../../src/core/adapt/train';
import { encodeMask } from '../../../src/core/coco/rle';
import type { PanopticResult } from '../../../src/core/pipeline/panoptic-merge';

const V = IGNORE_TARGET;

function mask(h: number, w: number, pixelsXY: [number, number][]): Uint8Array {
  const m = new Uint8Array(h * w);
  for (const [x, y] of pixelsXY) m[y * w + x] = 1;
  return m;
}

describe('patch targets (method.md §6)', () => {
  it('cell bounds cover every pixel once', () => {
    expect(Array.from(cellBounds(10, 3))).toEqual([0, 3, 6, 10]);
    expect(Array.from(cellBounds(4, 2))).toEqual([0, 2, 4]);
  });

  it('majority per cell, ties to the lowest class, void only when more than half the cell is void', () => {
    // 2×4 image, grid 1×2: cells are 2×2.
    // cell 0: 3 1 / 1 3 → tie → 1; cell 1: V V / 1 0 → exactly half void is kept → tie → 0.
    const classes = [3, 1, V, V, 1, 3, 1, 0];
    expect(Array.from(patchTargetsFromClassMap(classes, { height: 2, width: 4 }, 1, 2, 4))).toEqual([1, 0]);
    // cell 0: V V / V 2 → ¾ void → void (unless 0.8 is allowed: 2); cell 1: 0 V / 1 1 → 1.
    const voidy = [V, V, 0, V, V, 2, 1, 1];
    expect(Array.from(patchTargetsFromClassMap(voidy, { height: 2, width: 4 }, 1, 2, 4))).toEqual([V, 1]);
    expect(Array.from(patchTargetsFromClassMap(voidy, { height: 2, width: 4 }, 1, 2, 4, { maxVoidFraction: 0.8 }))).toEqual([2, 1]);
  });

  // 4×6 pixels, grid 2×3 (2×2 cells); thingK 2, stuffK 3: thing t → class t, stuff c → class 2 + c.
  const semantic = [
    0, 0, 1, 1, 2, 2,
    0, 0, 1, 1, 2, 2,
    0, 1, 1, 1, 2, 2,
    0, 0, 1, 1, 2, 2,
  ];
  const ids = Uint32Array.from([
    2, 2, 1, 1, 3, 3,
    2, 2, 1, 4, 3, 3,
    2, 4, 4, 4, 0, 0,
    2, 2, 4, 4, 0, 0,
  ]);
  const bbox: [number, number, number, number] = [0, 0, 1, 1];
  const panoptic: PanopticResult = {
    idsRowMajor: ids,
    segments: [
      { id: 1, categoryId: 2, isThing: true, area: 3, bbox },
      { id: 2, categoryId: 3, isThing: false, area: 7, bbox },
      { id: 3, categoryId: 5, isThing: false, area: 4, bbox },
      { id: 4, categoryId: 4, isThing: false, area: 6, bbox },
    ],
  };

  it('from a hand-made panoptic pseudo label: things over stuff, panoptic void takes its stuff cluster', () => {
    const classMap = pseudoClassMap(semantic, panoptic, 2, 3);
    expect(Array.from(classMap)).toEqual([
      2, 2, 1, 1, 4, 4,
      2, 2, 1, 3, 4, 4,
      2, 3, 3, 3, 4, 4,
      2, 2, 3, 3, 4, 4,
    ]);
    expect(Array.from(patchTargetsFromClassMap(classMap, { height: 4, width: 6 }, 2, 3, 5))).toEqual([2, 1, 4, 2, 3, 4]);
  });

  it('keepPanopticVoid leaves the merge’s void pixels void', () => {
    const classMap = pseudoClassMap(semantic, panoptic, 2, 3, { keepPanopticVoid: true });
    expect(Array.from(patchTargetsFromClassMap(classMap, { height: 4, width: 6 }, 2, 3, 5))).toEqual([2, 1, 4, 2, 3, V]);
  });

  it('from a hand-made ground truth: larger annotations under smaller ones, crowd void, the rest background', () => {
    const h = 4, w = 4;
    const small = encodeMask(mask(h, w, [[2, 0], [3, 0], [2, 1], [1, 1]]), h, w); // class 1, listed first
    const big = encodeMask(mask(h, w, [[0, 0], [1, 0], [2, 0], [3, 0], [0, 1], [1, 1], [2, 1], [3, 1]]), h, w); // class 0
    const crowd = encodeMask(mask(h, w, [[0, 2], [1, 2], [0, 3], [1, 3]]), h, w);
    const classMap = groundTruthClassMap(
      [{ rle: small, classIndex: 1, iscrowd: 0 }, { rle: big, classIndex: 0, iscrowd: 0 }, { rle: crowd, classIndex: 0, iscrowd: 1 }],
      { height: h, width: w }, 2,
    );
    expect(Array.from(classMap)).toEqual([
      0, 0, 1, 1,
      0, 1, 1, 0,
      V, V, 2, 2,
      V, V, 2, 2,
    ]);
    expect(Array.from(patchTargetsFromClassMap(classMap, { height: h, width: w }, 2, 2, 3))).toEqual([0, 1, V, 2]);
  });

  it('an annotation outside the head’s classes (−1) is void; a wrong-size mask is refused', () => {
    const m = encodeMask(mask(2, 2, [[0, 0]]), 2, 2);
    expect(Array.from(groundTruthClassMap([{ rle: m, classIndex: -1, iscrowd: 0 }], { height: 2, width: 2 }, 0))).toEqual([V, 0, 0, 0]);
    expect(() => groundTruthClassMap([{ rle: m, classIndex: 0, iscrowd: 0 }], { height: 3, width: 2 }, 0)).toThrow(/2×2/);
  });
});
