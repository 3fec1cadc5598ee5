import { describe, expect, it } from 'vitest';
import { readInstancesDataset } from '../../../src/core/coco/instances-reader';
import { groundTruthFor, renderGroundTruth } from '../../../src/core/render/ground-truth';

const dataset = {
  images: [{ id: 7, file_name: 'train/a.jpg', width: 6, height: 4 }],
  categories: [{ id: 1, name: 'dog' }, { id: 2, name: 'person' }],
  annotations: [
    // A 2×2 dog at x 1..2, y 1..2 (polygon corners on pixel edges).
    { id: 1, image_id: 7, category_id: 1, iscrowd: 0, area: 4, bbox: [1, 1, 2, 2], segmentation: [[1, 1, 3, 1, 3, 3, 1, 3]] },
    // A person box over the whole right half, painted first because it is larger.
    { id: 2, image_id: 7, category_id: 2, iscrowd: 0, area: 12, bbox: [3, 0, 3, 4], segmentation: [[3, 0, 6, 0, 6, 4, 3, 4]] },
  ],
};

describe('ground truth overlay', () => {
  const parsed = readInstancesDataset(dataset);

  it('matches the photo by file name and paints smaller annotations over larger ones', () => {
    const gt = groundTruthFor(parsed, 'a.jpg');
    expect(gt).not.toBeNull();
    const ids = Array.from(gt?.idsRowMajor ?? []);
    // Row 1: x=1,2 dog (painted second → id 2), x=3..5 person (id 1).
    expect(ids.slice(6, 12)).toEqual([0, 2, 2, 1, 1, 1]);
    expect(gt?.labels.map((l) => l.name)).toEqual(['person', 'dog']);
    expect(groundTruthFor(parsed, 'other.jpg')).toBeNull();
  });

  it('renders category colours with outlines and leaves background clear', () => {
    const gt = groundTruthFor(parsed, 'a.jpg');
    if (!gt) throw new Error('no gt');
    const rgba = renderGroundTruth(gt, (name) => (name === 'dog' ? [1, 2, 3] : [9, 9, 9]));
    expect(Array.from(rgba.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(rgba[(1 * 6 + 1) * 4 + 3]).toBe(255);
  });
});
