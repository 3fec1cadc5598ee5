import { describe, expect, it } from 'vitest';
import { readInstancesDataset, readInstancesResults } from '../../../src/core/coco/instances-reader';
import { readPanopticFiles } from '../../../src/core/coco/panoptic';
import { decodeMask, encodeMask } from '../../../src/core/coco/rle';
import { pngToLabelMap } from '../../../src/core/coco/semantic-png';
import { buildSessionExport, exportCategories, resizeNearestLabels, type ExportImage } from '../../../src/core/export/session-export';
import { applyClusterEdit, newClusterTable } from '../../../src/core/session/cluster-table';

/** A 4×6 label-resolution image shown at 8×12: one thing (cluster 1) over two stuff regions. */
function image(id: number): ExportImage {
  const H = 4, W = 6;
  const thing = new Uint8Array(H * W);
  for (const i of [7, 8, 13, 14]) thing[i] = 1;
  const semantic = new Uint16Array(H * W).map((_, i) => (i % W < 3 ? 0 : 1));
  // Things are categories 1..2, stuff 3..4 (2 thing clusters, 2 stuff clusters).
  const ids = new Uint32Array(H * W).map((_, i) => (thing[i] ? 1 : i % W < 3 ? 2 : 3));
  return {
    image: { id, file_name: `photo${id}.jpg`, height: 8, width: 12 },
    labelSizeHW: { height: H, width: W },
    instances: [{ rle: encodeMask(thing, H, W), score: 0.9, categoryId: 1 }],
    semanticRowMajor: semantic,
    panopticIdsRowMajor: ids,
    segments: [{ id: 1, categoryId: 1 }, { id: 2, categoryId: 3 }, { id: 3, categoryId: 4 }],
  };
}

describe('buildSessionExport', () => {
  const table = newClusterTable(2, 2);
  const named = applyClusterEdit(table, { type: 'rename', id: 1, name: 'dog' }).table;

  it('writes instances that read back as valid COCO at the photos\' full size, with user names', () => {
    const files = buildSessionExport([image(1), image(2)], named);
    const { dataset, masks } = readInstancesDataset(files['annotations/instances_u2seg.json']);
    expect(dataset.categories.map((c) => c.name)).toEqual(['dog', 'thing 2']);
    expect(dataset.annotations).toHaveLength(2);
    expect(masks[0].size).toEqual([8, 12]);
    expect(dataset.annotations[0].area).toBe(16);
    const results = readInstancesResults(files['annotations/instances_u2seg_results.json'], dataset.images, dataset.categories);
    expect(results.results.map((r) => r.score)).toEqual([0.9, 0.9]);
  });

  it('writes panoptic files that pass the evaluator\'s checks', () => {
    const files = buildSessionExport([image(1)], named);
    const parsed = readPanopticFiles(files, 'panoptic_u2seg');
    expect(parsed.dataset.annotations[0].segments_info.map((s) => [s.id, s.category_id, s.area])).toEqual([
      [1, 1, 16],
      [2, 3, 32],
      [3, 4, 48],
    ]);
  });

  it('applies merges: merged stuff becomes one segment and one category', () => {
    const merged = applyClusterEdit(named, { type: 'merge', from: 4, into: 3 }).table;
    expect(exportCategories(merged).map((c) => c.id)).toEqual([1, 2, 3]);
    const files = buildSessionExport([image(1)], merged);
    const info = readPanopticFiles(files, 'panoptic_u2seg').dataset.annotations[0].segments_info;
    expect(info.map((s) => [s.category_id, s.area])).toEqual([[1, 16], [3, 80]]);
    const sem = pngToLabelMap(files['semantic/photo1.png']);
    expect(new Set(sem.labelsRowMajor)).toEqual(new Set([3]));
  });

  it('semantic PNGs carry category ids at full size', () => {
    const sem = pngToLabelMap(buildSessionExport([image(1)], named)['semantic/photo1.png']);
    expect([sem.height, sem.width]).toEqual([8, 12]);
    expect(sem.labelsRowMajor[0]).toBe(3);
    expect(sem.labelsRowMajor[11]).toBe(4);
  });

  it('nearest resize doubles each label into a 2×2 block', () => {
    const up = resizeNearestLabels(new Uint8Array([1, 2, 3, 4]), { height: 2, width: 2 }, 4, 4);
    expect(Array.from(up)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const bin = resizeNearestLabels(new Uint8Array([0, 1, 1, 0]), { height: 2, width: 2 }, 4, 4);
    expect(Array.from(decodeMask(encodeMask(bin, 4, 4)))).toEqual(Array.from(bin));
  });
});
