import { describe, expect, it } from 'vitest';
import { encodeMask } from '../../../src/core/coco/rle';
import { pngToLabelMap } from '../../../src/core/coco/semantic-png';
import { buildSessionExport, type ExportImage } from '../../../src/core/export/session-export';
import { applyClusterEdit, newClusterTable, newUserCluster } from '../../../src/core/session/cluster-table';

// 2×2 at label resolution: stuff cluster 0 on the left (category 3), 1 on the right (category 4).
const image: ExportImage = {
  image: { id: 1, file_name: 'a.jpg', height: 2, width: 2 },
  labelSizeHW: { height: 2, width: 2 },
  instances: [{ rle: encodeMask([1, 0, 0, 0], 2, 2), score: 0.5, categoryId: 1 }],
  semanticRowMajor: Uint16Array.from([0, 1, 0, 1]),
  panopticIdsRowMajor: Uint32Array.from([1, 3, 2, 3]),
  segments: [{ id: 1, categoryId: 1 }, { id: 2, categoryId: 3 }, { id: 3, categoryId: 4 }],
};

describe('export with classes the user added', () => {
  it('keeps stuff ids where the pipeline put them and lists the added classes', () => {
    const base = newClusterTable(2, 2);
    const table = applyClusterEdit(base, { type: 'add', cluster: newUserCluster(base, 'thing', 'mug') }).table;
    const files = buildSessionExport([image], table);
    expect(Array.from(pngToLabelMap(files['semantic/a.png']).labelsRowMajor)).toEqual([3, 4, 3, 4]);
    const categories = JSON.parse(new TextDecoder().decode(files['categories.json'])) as { id: number; name: string }[];
    expect(categories.map((c) => c.name)).toContain('mug');
  });
});
