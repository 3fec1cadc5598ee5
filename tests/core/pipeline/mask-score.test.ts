import { describe, expect, it } from 'vitest';
import { scoreGridMask } from '../../../src/core/pipeline/mask-score';
import { cosineMatrix, MASKCUT_ROUNDS_DEFAULTS, maskCutRoundsOnCosines } from '../../../src/core/pipeline/maskcut-rounds';
import { FULL_VIEW } from '../../../src/core/pipeline/maskcut-crops';
import { l2NormalizeRows } from '../../../src/core/pipeline/ncut-eigen';
import { gridKeys, iou, rectMask, type Rect } from './synthetic';

const G = 24;
const DIM = 16;

describe('scoreGridMask: objects first', () => {
  it('ranks the objects of a photo above the background regions that rounds also cut', () => {
    // Two objects in the middle; the background has a kind of its own above (a sky along three
    // photo edges), which separates from the rest as cleanly as the objects do.
    const sky: Rect = { r0: 0, c0: 0, r1: 8, c1: G };
    const a: Rect = { r0: 10, c0: 4, r1: 15, c1: 9 };
    const b: Rect = { r0: 11, c0: 14, r1: 16, c1: 20 };
    const keys = gridKeys(G, G, DIM, [sky, a, b], { seed: 6, noise: 0.1, objectDirection: [5, 1, 2] });
    const n = G * G;
    const cosines = cosineMatrix(l2NormalizeRows(keys, n, DIM), n, DIM);
    const rounds = maskCutRoundsOnCosines(cosines, G, G, { ...MASKCUT_ROUNDS_DEFAULTS, tau: 0.15 });
    const scored = rounds.map((r) => ({ mask: r.maskRowMajor, score: scoreGridMask(1 - r.eigenvalue, G, G, r.maskRowMajor, FULL_VIEW).score }));
    scored.sort((x, y) => y.score - x.score);
    const isObject = (m: Uint8Array) => [a, b].some((r) => iou(m, rectMask(G, G, r)) > 0.8);
    expect(scored.filter((s) => isObject(s.mask))).toHaveLength(2);
    expect(scored.length).toBeGreaterThan(2);
    expect(isObject(scored[0].mask) && isObject(scored[1].mask)).toBe(true);
  });

  it('lowers a mask that covers the photo edge and one cut by its crop edge', () => {
    const centre = rectMask(G, G, { r0: 8, c0: 8, r1: 16, c1: 16 });
    const band = rectMask(G, G, { r0: 0, c0: 0, r1: 6, c1: G });
    expect(scoreGridMask(0.7, G, G, centre, FULL_VIEW).score).toBeCloseTo(0.7, 10);
    expect(scoreGridMask(0.7, G, G, band, FULL_VIEW).border).toBeLessThan(0.75);
    // In the top-left crop the right edge lies inside the photo: a mask running into it is truncated.
    const crop = { x0: 0, y0: 0, x1: 0.6, y1: 0.6 };
    const atCropEdge = rectMask(G, G, { r0: 8, c0: 14, r1: 16, c1: G });
    expect(scoreGridMask(0.7, G, G, atCropEdge, crop).truncation).toBeLessThan(0.8);
    expect(scoreGridMask(0.7, G, G, atCropEdge, FULL_VIEW).truncation).toBe(1);
  });
});
