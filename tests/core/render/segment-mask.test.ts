import { describe, expect, it } from 'vitest';
import type { LabelGrid } from '../../../src/core/render/overlay';
import { segmentMaskAt } from '../../../src/core/render/segment-mask';

// 4×3: thing segment 1 (category 2) top-left 2×2; stuff segments 2 (category 3) and 3 (category 4).
const grid: LabelGrid = {
  width: 4,
  height: 3,
  thingK: 2,
  labels: {
    semanticRowMajor: Uint16Array.from({ length: 12 }, (_, i) => (i % 4 < 2 ? 0 : 1)),
    panoptic: {
      idsRowMajor: Uint32Array.from([1, 1, 3, 3, 1, 1, 3, 3, 2, 2, 3, 0]),
      segments: [
        { id: 1, categoryId: 2, isThing: true, area: 4, bbox: [0, 0, 2, 2], score: 0.8 },
        { id: 2, categoryId: 3, isThing: false, area: 2, bbox: [0, 2, 2, 1] },
        { id: 3, categoryId: 4, isThing: false, area: 5, bbox: [2, 0, 2, 3] },
      ],
    },
  },
};

describe('segmentMaskAt', () => {
  it('panoptic view: the panoptic segment under the pixel', () => {
    const s = segmentMaskAt(grid, 'panoptic', 0.5, 1.2);
    expect(s && Array.from(s.maskRowMajor)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(s).toMatchObject({ areaPx: 4, categoryId: 2 });
    expect(segmentMaskAt(grid, 'panoptic', 0, 2)).toMatchObject({ areaPx: 2, categoryId: 3 });
  });

  it('instance view: things only; void and outside give null', () => {
    expect(segmentMaskAt(grid, 'instance', 1, 1)?.areaPx).toBe(4);
    expect(segmentMaskAt(grid, 'instance', 3, 0)).toBeNull();
    expect(segmentMaskAt(grid, 'panoptic', 3, 2)).toBeNull();
    expect(segmentMaskAt(grid, 'panoptic', 4, 0)).toBeNull();
    expect(segmentMaskAt(grid, 'panoptic', -0.5, 0)).toBeNull();
  });

  it('semantic view: the whole stuff cluster in this photo, as the overlay numbers it', () => {
    const s = segmentMaskAt(grid, 'semantic', 0, 0);
    expect(s && Array.from(s.maskRowMajor)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0]);
    expect(s).toMatchObject({ areaPx: 6, categoryId: 3 });
  });
});

describe('segmentMaskAt with an adapted head', () => {
  it('semantic view follows the head’s category ids; 0 is nothing', () => {
    const head: LabelGrid = { ...grid, labels: { ...grid.labels, semanticCategoryRowMajor: Uint16Array.from([5, 5, 0, 0, 5, 2, 2, 2, 5, 5, 2, 2]) } };
    const s = segmentMaskAt(head, 'semantic', 0, 0);
    expect(s).toMatchObject({ areaPx: 5, categoryId: 5 });
    expect(segmentMaskAt(head, 'semantic', 2, 0)).toBeNull();
  });
});
