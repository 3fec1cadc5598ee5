import { describe, expect, it } from 'vitest';
import { cosineMatrix } from '../../../src/core/pipeline/maskcut-rounds';
import { MASK_SPLIT_DEFAULTS, splitMask } from '../../../src/core/pipeline/mask-split';
import { l2NormalizeRows } from '../../../src/core/pipeline/ncut-eigen';
import { gridKeys, iou, rectMask, type Rect } from './synthetic';

const G = 20;
const DIM = 16;

function cosinesOf(keys: Float32Array): Float64Array {
  return cosineMatrix(l2NormalizeRows(keys, G * G, DIM), G * G, DIM);
}

function union(a: Uint8Array, b: Uint8Array): Uint8Array {
  return a.map((v, i) => v | b[i]);
}

describe('splitMask: divide a mask over its own features', () => {
  // Two instances side by side, touching along a column: one connected mask on the grid.
  const left: Rect = { r0: 5, c0: 3, r1: 14, c1: 10 };
  const right: Rect = { r0: 5, c0: 10, r1: 14, c1: 17 };
  const whole = union(rectMask(G, G, left), rectMask(G, G, right));

  it('separates two touching instances whose features differ', () => {
    // Both instances are far from the background and closer to each other than to it: at the
    // photo's τ they form one mask, and only the mask's own graph tells them apart.
    const keys = gridKeys(G, G, DIM, [left, right], { seed: 2, noise: 0.15, objectDirection: [1, 2] });
    for (let r = 0; r < G; r++) for (let c = 0; c < G; c++) if (whole[r * G + c]) keys[(r * G + c) * DIM + 3] += 1.2;
    const parts = splitMask(cosinesOf(keys), G, G, whole, MASK_SPLIT_DEFAULTS).filter((p) => p.depth === 1);
    expect(parts).toHaveLength(2);
    for (const truth of [left, right]) expect(Math.max(...parts.map((p) => iou(p.maskRowMajor, rectMask(G, G, truth))))).toBeGreaterThan(0.85);
  });

  it('leaves a mask of one uniform instance whole', () => {
    const keys = gridKeys(G, G, DIM, [{ r0: 5, c0: 3, r1: 14, c1: 17 }], { seed: 2, noise: 0.15 });
    expect(splitMask(cosinesOf(keys), G, G, whole, MASK_SPLIT_DEFAULTS)).toHaveLength(0);
  });

  it('does not split masks below twice the smallest part', () => {
    const small = rectMask(G, G, { r0: 0, c0: 0, r1: 2, c1: 5 });
    const keys = gridKeys(G, G, DIM, [{ r0: 0, c0: 0, r1: 2, c1: 2 }], { seed: 3 });
    expect(splitMask(cosinesOf(keys), G, G, small, MASK_SPLIT_DEFAULTS)).toHaveLength(0);
  });
});
