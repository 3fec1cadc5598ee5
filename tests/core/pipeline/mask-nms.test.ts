import { describe, expect, it } from 'vitest';
import { canvasIou, canvasMask, groupByIou, voteMask } from '../../../src/core/pipeline/mask-nms';
import { gridMaskOnCanvas, type ViewBox } from '../../../src/core/pipeline/maskcut-crops';
import { rectMask } from './synthetic';

const W = 40, H = 40;

/** A 0/1 rectangle on the canvas as soft values. */
function rect(x0: number, y0: number, x1: number, y1: number) {
  const soft = new Float32Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) soft[y * W + x] = 1;
  return canvasMask(soft, W);
}

describe('mask NMS with voting', () => {
  it('maps one object seen by the whole view and by a crop onto the same canvas pixels', () => {
    // Object at canvas x 8..16, y 8..16 (of 40). Whole view, 20×20 grid: cells 4..8. Crop [0, 0.5]²
    // of the photo, 20×20 grid: each cell is 1 canvas pixel, cells 8..16.
    const whole = canvasMask(gridMaskOnCanvas(rectMask(20, 20, { r0: 4, c0: 4, r1: 8, c1: 8 }), 20, 20, { x0: 0, y0: 0, x1: 1, y1: 1 }, H, W), W);
    const crop: ViewBox = { x0: 0, y0: 0, x1: 0.5, y1: 0.5 };
    const fromCrop = canvasMask(gridMaskOnCanvas(rectMask(20, 20, { r0: 8, c0: 8, r1: 16, c1: 16 }), 20, 20, crop, H, W), W);
    expect(canvasIou(whole, rect(8, 8, 16, 16), W)).toBeGreaterThan(0.75);
    expect(canvasIou(fromCrop, rect(8, 8, 16, 16), W)).toBe(1);
    // Outside its crop a crop's mask is empty.
    expect(fromCrop.soft.slice(H / 2 * W).every((v) => v === 0)).toBe(true);
  });

  it('merges duplicates across views into one group and keeps distinct objects apart', () => {
    const masks = [rect(5, 5, 15, 15), rect(25, 25, 35, 35), rect(6, 5, 16, 15), rect(5, 6, 15, 16), rect(26, 24, 35, 34)];
    const groups = groupByIou(masks, [0, 1, 2, 3, 4], W, 0.5);
    expect(groups.map((g) => g.members)).toEqual([[0, 2, 3], [1, 4]]);
  });

  it('groups in the order given: the best-scored duplicate opens the group', () => {
    const masks = [rect(5, 5, 15, 15), rect(6, 6, 16, 16)];
    expect(groupByIou(masks, [1, 0], W, 0.5)[0].members).toEqual([1, 0]);
  });

  it("votes a group's mask: pixels that most members hold", () => {
    // Three views of one square, each off by one pixel in another direction: the vote is the
    // pixels at least two of them hold.
    const members = [rect(5, 5, 15, 15), rect(6, 5, 16, 15), rect(5, 6, 15, 16)];
    const voted = voteMask(members, W);
    // The 10×10 square less its corner (5, 5), which only the first member holds.
    expect(voted.area).toBe(99);
    expect(voted.bits[5 * W + 5]).toBe(0);
    expect(voted.box).toEqual([5, 5, 15, 15]);
  });
});
