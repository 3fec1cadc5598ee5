import { describe, expect, it } from 'vitest';
import { maskCut } from '../../../src/core/pipeline/maskcut';
import { MASKCUT_ROUNDS_DEFAULTS, maskCutRounds } from '../../../src/core/pipeline/maskcut-rounds';
import { gridKeys, iou, rectMask, type Rect } from './synthetic';

const G = 24;
const DIM = 16;
const OPTS = { ...MASKCUT_ROUNDS_DEFAULTS, tau: 0.15 };

// Five well separated objects of different kinds on a background of its own kind.
const RECTS: Rect[] = [
  { r0: 2, c0: 2, r1: 8, c1: 8 },
  { r0: 2, c0: 14, r1: 7, c1: 21 },
  { r0: 11, c0: 8, r1: 15, c1: 14 },
  { r0: 17, c0: 2, r1: 22, c1: 7 },
  { r0: 17, c0: 16, r1: 22, c1: 22 },
];

function bestIous(masks: Uint8Array[]): number[] {
  return RECTS.map((r) => Math.max(0, ...masks.map((m) => iou(m, rectMask(G, G, r)))));
}

describe('maskCutRounds: rounds until the graph has no structure left', () => {
  it('finds every one of five separated objects where the reference (N = 3) cannot', () => {
    const keys = gridKeys(G, G, DIM, RECTS, { seed: 21, noise: 0.1 });
    const reference = maskCut(keys, G, G, DIM, { tau: 0.15, maxMasks: 3 });
    const rounds = maskCutRounds(keys, G, G, DIM, OPTS);
    const found = (ious: number[]) => ious.filter((v) => v > 0.8).length;
    expect(found(bestIous(reference.masks))).toBeLessThanOrEqual(3);
    expect(found(bestIous(rounds.map((r) => r.maskRowMajor)))).toBe(5);
  });

  it('stops on the eigenvalue criterion, not the round cap, once only background is left', () => {
    const keys = gridKeys(G, G, DIM, RECTS.slice(0, 2), { seed: 4, noise: 0.1 });
    const rounds = maskCutRounds(keys, G, G, DIM, { ...OPTS, maxRounds: 12 });
    expect(rounds.length).toBeGreaterThanOrEqual(2);
    expect(rounds.length).toBeLessThan(6);
    // Every kept round is one of the two objects: nothing is cut out of the uniform background.
    const truth = RECTS.slice(0, 2).map((r) => rectMask(G, G, r));
    const objectRounds = rounds.filter((r) => truth.some((t) => iou(t, r.maskRowMajor) > 0.8));
    expect(objectRounds).toHaveLength(2);
  });

  it('never returns the same patch twice', () => {
    const rounds = maskCutRounds(gridKeys(G, G, DIM, RECTS, { seed: 8, noise: 0.1 }), G, G, DIM, OPTS);
    const seen = new Uint8Array(G * G);
    for (const r of rounds) {
      r.maskRowMajor.forEach((v, i) => {
        if (v) {
          expect(seen[i]).toBe(0);
          seen[i] = 1;
        }
      });
    }
  });
});
