import { describe, expect, it } from 'vitest';
import { classMapOf, overlayUserLabels, pseudoCategoryMap, resolveCategoryMap, sessionClasses } from '../../../src/core/adapt/session-targets';
import { IGNORE_TARGET } from '../../../src/core/adapt/train';
import { applyClusterEdit, newClusterTable, type ClusterTable } from '../../../src/core/session/cluster-table';

/** 2 thing clusters (ids 1, 2), 3 stuff clusters (ids 3, 4, 5). */
const table = (): ClusterTable => newClusterTable(2, 3);

describe('session targets in category space (method.md §6)', () => {
  it('pseudo categories: thing segments take their cluster, the rest its stuff cluster after the things', () => {
    // 1×4 photo: a thing segment (id 7, category 2) on pixel 1; stuff clusters 0, 0, 2, 1.
    const labels = {
      semanticRowMajor: Uint16Array.from([0, 0, 2, 1]),
      panoptic: { idsRowMajor: Uint32Array.from([0, 7, 0, 9]), segments: [{ id: 7, categoryId: 2, isThing: true, area: 1, bbox: [1, 0, 1, 1] as [number, number, number, number] }, { id: 9, categoryId: 4, isThing: false, area: 1, bbox: [3, 0, 1, 1] as [number, number, number, number] }] },
    };
    expect(Array.from(pseudoCategoryMap(labels, 2))).toEqual([3, 2, 5, 4]);
  });

  it('follows merges and voids hidden clusters', () => {
    let t = applyClusterEdit(table(), { type: 'merge', from: 4, into: 3 }).table;
    t = applyClusterEdit(t, { type: 'setHidden', id: 5, hidden: true }).table;
    expect(Array.from(resolveCategoryMap(Uint16Array.from([0, 1, 2, 3, 4, 5, 99]), t))).toEqual([0, 1, 2, 3, 3, 0, 0]);
  });

  it('classes are the categories in use, things first, named as the table names them', () => {
    let t = applyClusterEdit(table(), { type: 'rename', id: 2, name: 'dog' }).table;
    t = applyClusterEdit(t, { type: 'rename', id: 5, name: 'grass' }).table;
    const s = sessionClasses([Uint16Array.from([5, 0, 2]), Uint16Array.from([2, 5])], t);
    expect(s.categoryIds).toEqual([2, 5]);
    expect(s.classes).toEqual({ names: ['dog', 'grass'], thingCount: 1 });
    expect(s.kinds).toEqual(['thing', 'stuff']);
    expect(() => sessionClasses([new Uint16Array(3)], t)).toThrow(/nothing to learn/);
  });

  it('maps categories to class indices and lays user labels over pseudo labels', () => {
    expect(Array.from(classMapOf(Uint16Array.from([2, 5, 0, 3]), [2, 5]))).toEqual([0, 1, IGNORE_TARGET, IGNORE_TARGET]);
    expect(Array.from(overlayUserLabels(Uint16Array.from([3, 3, 4]), Uint16Array.from([0, 1, 0]), 3))).toEqual([3, 1, 4]);
    expect(Array.from(overlayUserLabels(null, Uint16Array.from([0, 1, 0]), 3))).toEqual([0, 1, 0]);
  });
});
