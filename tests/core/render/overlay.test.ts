import { describe, expect, it } from 'vitest';
import { pixelInfo, renderOverlay, type LabelGrid } from '../../../src/core/render/overlay';

// 3×4 image: a thing segment (id 1, category 2) in the top-left 2×2, stuff elsewhere
// (semantic 0 → category thingK+1 = 3 on the left half, 1 → category 4 on the right).
const W = 4, H = 3;
const grid: LabelGrid = {
  width: W,
  height: H,
  thingK: 2,
  labels: {
    semanticRowMajor: Uint16Array.from({ length: W * H }, (_, i) => (i % W < 2 ? 0 : 1)),
    panoptic: {
      idsRowMajor: Uint32Array.from([1, 1, 3, 3, 1, 1, 3, 3, 2, 2, 3, 3]),
      segments: [
        { id: 1, categoryId: 2, isThing: true, area: 4, bbox: [0, 0, 2, 2], score: 0.8 },
        { id: 2, categoryId: 3, isThing: false, area: 2, bbox: [0, 2, 2, 1] },
        { id: 3, categoryId: 4, isThing: false, area: 6, bbox: [2, 0, 2, 3] },
      ],
    },
  },
};
const lut = new Uint8Array(5 * 4);
lut.set([10, 20, 30, 200], 2 * 4);
lut.set([40, 50, 60, 200], 3 * 4);
lut.set([70, 80, 90, 0], 4 * 4); // category 4 hidden
const px = (rgba: Uint8ClampedArray, x: number, y: number) => Array.from(rgba.subarray((y * W + x) * 4, (y * W + x) * 4 + 4));

describe('renderOverlay', () => {
  it('panoptic view colours segments by category and leaves hidden categories clear', () => {
    const o = renderOverlay(grid, { mode: 'panoptic', colourBy: 'cluster', outlines: false, lutRgba: lut });
    expect(px(o, 0, 0)).toEqual([10, 20, 30, 200]);
    expect(px(o, 0, 2)).toEqual([40, 50, 60, 200]);
    expect(px(o, 3, 1)).toEqual([0, 0, 0, 0]);
  });
  it('instance view shows things only', () => {
    const o = renderOverlay(grid, { mode: 'instance', colourBy: 'cluster', outlines: false, lutRgba: lut });
    expect(px(o, 1, 1)).toEqual([10, 20, 30, 200]);
    expect(px(o, 0, 2)[3]).toBe(0);
  });
  it('semantic view colours by stuff category', () => {
    const o = renderOverlay(grid, { mode: 'semantic', colourBy: 'cluster', outlines: false, lutRgba: lut });
    expect(px(o, 0, 0)).toEqual([40, 50, 60, 200]);
  });
  it('outlines mark segment borders', () => {
    const o = renderOverlay(grid, { mode: 'panoptic', colourBy: 'cluster', outlines: true, lutRgba: lut });
    expect(px(o, 1, 0)).toEqual([255, 255, 255, 255]);
    expect(px(o, 0, 0)).toEqual([10, 20, 30, 200]);
  });
});

describe('pixelInfo', () => {
  it('names the segment under the pointer with its area and score', () => {
    expect(pixelInfo(grid, 'panoptic', 0.5, 0.5)).toEqual({ categoryId: 2, segmentId: 1, isThing: true, areaPx: 4, score: 0.8 });
    expect(pixelInfo(grid, 'instance', 0, 2)).toBeNull();
    expect(pixelInfo(grid, 'semantic', 3, 2)).toEqual({ categoryId: 4, segmentId: 0, isThing: false, areaPx: 6 });
    expect(pixelInfo(grid, 'panoptic', 9, 9)).toBeNull();
  });
});

describe('category semantics (an adapted head labels things too)', () => {
  // Head semantics: category 2 (a thing class) on the top-left 2×2 and the bottom-left, 3 elsewhere.
  const semanticCategoryRowMajor = Uint16Array.from([2, 2, 3, 3, 2, 2, 3, 3, 2, 3, 3, 3]);
  const headGrid: LabelGrid = { ...grid, thingK: 0, labels: { ...grid.labels, semanticRowMajor: new Uint16Array(0), semanticCategoryRowMajor } };

  it('the semantic view paints the category map, thing categories included', () => {
    const o = renderOverlay(headGrid, { mode: 'semantic', colourBy: 'cluster', outlines: false, lutRgba: lut });
    expect(px(o, 0, 0)).toEqual([10, 20, 30, 200]);
    expect(px(o, 0, 2)).toEqual([10, 20, 30, 200]);
    expect(px(o, 3, 0)).toEqual([40, 50, 60, 200]);
  });

  it('hover counts the category’s pixels in the photo; the panoptic view is unchanged', () => {
    expect(pixelInfo(headGrid, 'semantic', 0, 2)).toEqual({ categoryId: 2, segmentId: 0, isThing: false, areaPx: 5 });
    expect(pixelInfo(headGrid, 'panoptic', 0.5, 0.5)).toEqual(pixelInfo(grid, 'panoptic', 0.5, 0.5));
  });
});
