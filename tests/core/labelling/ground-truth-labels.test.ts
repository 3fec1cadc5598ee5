import { describe, expect, it } from 'vitest';
import { readInstancesDataset } from '../../../src/core/coco/instances-reader';
import { groundTruthNames, groundTruthUserLabels, planGroundTruthClasses } from '../../../src/core/labelling/ground-truth-labels';
import { labelCounts } from '../../../src/core/labelling/label-map';
import { applyClusterEdit, newClusterTable, type ClusterTable } from '../../../src/core/session/cluster-table';

const rect = (x0: number, y0: number, x1: number, y1: number) => [[x0, y0, x1, y0, x1, y1, x0, y1]];
const ann = (id: number, category: number, seg: number[][], iscrowd = 0) => ({ id, image_id: 7, category_id: category, segmentation: seg, area: 1, bbox: [0, 0, 1, 1], iscrowd });

// A 40×20 photo: a big "Table" (x 0–30), a small "cup" on it (x 10–16), a crowd of "person" (x 32–40).
const parsed = readInstancesDataset({
  images: [{ id: 7, file_name: 'val/photo.jpg', width: 40, height: 20 }, { id: 8, file_name: 'other.jpg', width: 4, height: 4 }],
  categories: [{ id: 1, name: 'Table' }, { id: 2, name: 'cup' }, { id: 3, name: 'person' }],
  annotations: [ann(1, 2, rect(10, 4, 16, 10)), ann(2, 1, rect(0, 0, 30, 20)), ann(3, 3, rect(32, 0, 40, 20), 1)],
});

function table(): ClusterTable {
  const t = newClusterTable(2, 2);
  return applyClusterEdit(t, { type: 'rename', id: 1, name: 'table' }).table;
}

describe('ground truth as the user’s labels', () => {
  it('lists the names annotated in the photos (crowds aside), matching file names without folders', () => {
    expect(groundTruthNames(parsed, ['photo.jpg'])).toEqual(['cup', 'Table']);
    expect(groundTruthNames(parsed, ['nothing.jpg'])).toEqual([]);
  });

  it('matches names case-insensitively, adds the missing ones as things and a stuff background', () => {
    const t = table();
    const plan = planGroundTruthClasses(t, ['cup', 'Table']);
    expect(plan.idByName).toEqual({ cup: 5, table: 1 });
    expect(plan.backgroundId).toBe(6);
    expect(plan.edits.map((e) => e.type === 'add' && [e.cluster.id, e.cluster.kind, e.cluster.name])).toEqual([[5, 'thing', 'cup'], [6, 'stuff', 'background']]);
    let after = t;
    for (const e of plan.edits) after = applyClusterEdit(after, e).table;
    const again = planGroundTruthClasses(after, ['CUP', 'table']);
    expect(again.edits).toEqual([]);
    expect(again).toMatchObject({ idByName: { cup: 5, table: 1 }, backgroundId: 6 });
  });

  it('a merged cluster of that name stands for the cluster it was merged into', () => {
    const t = applyClusterEdit(applyClusterEdit(table(), { type: 'rename', id: 2, name: 'cup' }).table, { type: 'merge', from: 2, into: 1 }).table;
    expect(planGroundTruthClasses(t, ['cup']).idByName.cup).toBe(1);
  });

  it('rasterises at the label resolution: small objects on top, background elsewhere, crowds unlabelled', () => {
    const idByName = { table: 1, cup: 5 };
    const labels = groundTruthUserLabels(parsed, 'photo.jpg', { height: 10, width: 20 }, idByName, 6);
    expect(labels).not.toBeNull();
    const at = (x: number, y: number) => labels?.[y * 20 + x];
    expect(at(6, 3)).toBe(5); // the cup (photo x 12–14, y 6–8) survives on the table
    expect(at(2, 8)).toBe(1);
    expect(at(15, 5)).toBe(6); // x 30–32: nothing annotated
    expect(at(18, 5)).toBe(0); // the crowd
    const counts = labelCounts(labels ?? new Uint16Array());
    expect(counts.get(5)).toBe(9); // 6×6 photo px → 3×3 label px
    expect(counts.get(0)).toBe(40);
    expect(groundTruthUserLabels(parsed, 'nothing.jpg', { height: 10, width: 20 }, idByName, 6)).toBeNull();
  });

  it('leaves annotations of names it was not given unlabelled', () => {
    const labels = groundTruthUserLabels(parsed, 'photo.jpg', { height: 20, width: 40 }, { table: 1 }, 6);
    expect(labels?.[7 * 40 + 12]).toBe(0);
    expect(labels?.[15 * 40 + 2]).toBe(1);
  });
});
