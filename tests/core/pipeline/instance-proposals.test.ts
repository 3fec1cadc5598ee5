import { describe, expect, it } from 'vitest';
import { decodeMask } from '../../../src/core/coco/rle';
import type { BackboneOutput } from '../../../src/core/backbone/types';
import { runImagePass } from '../../../src/core/pipeline/image-pass';
import { instanceProposals, PROPOSAL_DEFAULTS, wholeOf, type ProposalView } from '../../../src/core/pipeline/instance-proposals';
import { maskCut } from '../../../src/core/pipeline/maskcut';
import { upsampleMaskCutMasks } from '../../../src/core/pipeline/upsample';
import { gridKeys, iou, rectMask, type Rect } from './synthetic';

const DIM = 16;
const PHOTO = 48; // label size 48 × 48: a 24 × 24 grid of 2 px cells

function features(keys: Float32Array, grid: number): BackboneOutput {
  return { keys, keyDim: DIM, tokens: keys, tokenDim: DIM, cls: new Float32Array(DIM), gridH: grid, gridW: grid };
}

/** Objects in photo pixels → a view's grid (the crop seen at the same grid size, i.e. finer). */
function viewKeys(objects: Rect[], view: { x0: number; y0: number; x1: number; y1: number }, grid: number, seed: number): Float32Array {
  const sx = grid / ((view.x1 - view.x0) * PHOTO), sy = grid / ((view.y1 - view.y0) * PHOTO);
  const rects = objects.map((o) => ({
    r0: Math.round((o.r0 - view.y0 * PHOTO) * sy), r1: Math.round((o.r1 - view.y0 * PHOTO) * sy),
    c0: Math.round((o.c0 - view.x0 * PHOTO) * sx), c1: Math.round((o.c1 - view.x0 * PHOTO) * sx),
  }));
  return gridKeys(grid, grid, DIM, rects, { seed, noise: 0.1, objectDirection: objects.map((_, k) => k + 1) });
}

// Five objects of different kinds in photo pixels; the smallest (4 × 4 px: 2 × 2 cells of the
// whole view) is below MaskCut's 1 % area rule on the whole view and becomes 4 × 4 cells in a crop.
const OBJECTS: Rect[] = [
  { r0: 4, c0: 4, r1: 16, c1: 16 },
  { r0: 4, c0: 30, r1: 14, c1: 42 },
  { r0: 22, c0: 18, r1: 30, c1: 28 },
  { r0: 34, c0: 4, r1: 44, c1: 14 },
  { r0: 38, c0: 38, r1: 42, c1: 42 },
];

describe('instanceProposals on synthetic views with known objects', () => {
  const views: ProposalView[] = [
    { x0: 0, y0: 0, x1: 1, y1: 1 },
    { x0: 0, y0: 0, x1: 0.6, y1: 0.6 },
    { x0: 0.4, y0: 0, x1: 1, y1: 0.6 },
    { x0: 0, y0: 0.4, x1: 0.6, y1: 1 },
    { x0: 0.4, y0: 0.4, x1: 1, y1: 1 },
  ].map((view, i) => ({ view, features: features(viewKeys(OBJECTS, view, 24, 30 + i), 24) }));
  const size = { height: PHOTO, width: PHOTO };
  const truth = OBJECTS.map((o) => rectMask(PHOTO, PHOTO, o));
  const found = (masks: Uint8Array[]) => truth.filter((t) => masks.some((m) => iou(m, t) > 0.6)).length;

  it('finds every object, the small one through the crops, each once', () => {
    const proposals = instanceProposals(views, size, { ...PROPOSAL_DEFAULTS, tau: 0.15 });
    expect(found(proposals.map((p) => p.maskRowMajor))).toBe(5);
    // Views agree on the big objects: one proposal each, voted by several views.
    for (const t of truth.slice(0, 4)) {
      const matches = proposals.filter((p) => iou(p.maskRowMajor, t) > 0.5);
      expect(matches).toHaveLength(1);
      expect(matches[0].support).toBeGreaterThan(1);
    }
    // Scores are sorted, best first.
    for (let i = 1; i < proposals.length; i++) expect(proposals[i].score).toBeLessThanOrEqual(proposals[i - 1].score);
  });

  it('finds more objects than the reference MaskCut on the whole view', () => {
    const whole = views[0].features;
    const reference = maskCut(whole.keys, 24, 24, DIM, { tau: 0.15, maxMasks: 3 });
    const refMasks = upsampleMaskCutMasks(reference.masks, 24, 24, size);
    expect(found(refMasks)).toBeLessThanOrEqual(3);
    const pass = runImagePass(new Uint8Array(PHOTO * PHOTO * 4), size, whole, { tau: 0.15, refine: 'none', proposals: 'multi', maxMasks: 20 }, views);
    expect(found(pass.instances.map((inst) => decodeMask(inst.rle)))).toBe(5);
  });

  it('links parts to their smallest whole', () => {
    const big = rectMask(10, 10, { r0: 0, c0: 0, r1: 10, c1: 10 });
    const half = rectMask(10, 10, { r0: 0, c0: 0, r1: 10, c1: 5 });
    const quarter = rectMask(10, 10, { r0: 0, c0: 0, r1: 5, c1: 5 });
    const apart = rectMask(10, 10, { r0: 0, c0: 0, r1: 1, c1: 1 });
    expect(wholeOf([big, half, quarter])).toEqual([-1, 0, 1]);
    // Same area is not a whole; a mask mostly outside another is not its part.
    expect(wholeOf([half, half.slice()])).toEqual([-1, -1]);
    expect(wholeOf([quarter, rectMask(10, 10, { r0: 4, c0: 4, r1: 10, c1: 10 })])).toEqual([-1, -1]);
    expect(wholeOf([apart, big])[0]).toBe(1);
  });
});

describe("runImagePass 'reference' is MaskCut as before", () => {
  it('gives the masks of maskCut upsampled, in round order, scored by round', () => {
    const keys = viewKeys(OBJECTS.slice(0, 3), { x0: 0, y0: 0, x1: 1, y1: 1 }, 24, 5);
    const size = { height: PHOTO, width: PHOTO };
    const pass = runImagePass(new Uint8Array(PHOTO * PHOTO * 4), size, features(keys, 24), { tau: 0.15, refine: 'none', maxMasks: 3 });
    const cut = maskCut(keys, 24, 24, DIM, { tau: 0.15, maxMasks: 3 });
    const expected = upsampleMaskCutMasks(cut.masks, 24, 24, size).filter((m) => m.some((v) => v));
    expect(pass.instances).toHaveLength(expected.length);
    pass.instances.forEach((inst, i) => {
      expect(inst.area).toBe(expected[i].reduce((s, v) => s + v, 0));
      expect(inst.score).toBeCloseTo(1 - 0.1 * i, 10);
      expect(inst.wholeIndex).toBeUndefined();
    });
  });
});
