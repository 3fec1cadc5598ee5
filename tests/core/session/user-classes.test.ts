import { describe, expect, it } from 'vitest';
import { applyClusterEdit, applyClusterEdits, newClusterTable, newUserCluster, resolveCluster } from '../../../src/core/session/cluster-table';

describe('classes the user adds', () => {
  it('numbers a new class above every id and marks it as the user’s', () => {
    const t = newClusterTable(2, 3);
    const c = newUserCluster(t, 'thing', '  mug ');
    expect(c).toMatchObject({ id: 6, kind: 'thing', name: 'mug', hidden: false, mergedInto: null, origin: 'user' });
    expect(c.colour).toMatch(/^#[0-9a-f]{6}$/);
    expect(Object.values(t).map((o) => o.colour)).not.toContain(c.colour);
    const after = applyClusterEdit(t, { type: 'add', cluster: c }).table;
    expect(after[6]).toEqual(c);
    expect(newUserCluster(after, 'stuff', 'grass').id).toBe(7);
    expect(newUserCluster({}, 'stuff', 'sky').id).toBe(1);
  });

  it('add and remove are each other’s inverse, through undo and redo', () => {
    const start = newClusterTable(2, 1);
    const mug = newUserCluster(start, 'thing', 'mug');
    const { table, inverse } = applyClusterEdits(start, [
      { type: 'add', cluster: mug },
      { type: 'rename', id: mug.id, name: 'cup' },
      { type: 'merge', from: 1, into: mug.id },
    ]);
    expect(resolveCluster(table, 1)).toBe(mug.id);
    const undone = applyClusterEdits(table, inverse);
    expect(undone.table).toEqual(start);
    expect(applyClusterEdits(undone.table, undone.inverse).table).toEqual(table);
  });

  it('removing an added class gives back an add of the same class, merge included', () => {
    const start = applyClusterEdit(newClusterTable(1, 1), { type: 'add', cluster: newUserCluster(newClusterTable(1, 1), 'stuff', 'sky') }).table;
    const merged = applyClusterEdit(start, { type: 'merge', from: 3, into: 2 }).table;
    const r = applyClusterEdit(merged, { type: 'remove', id: 3 });
    expect(r.table[3]).toBeUndefined();
    expect(r.inverse).toEqual({ type: 'add', cluster: merged[3] });
    expect(applyClusterEdit(r.table, r.inverse).table).toEqual(merged);
  });

  it('refuses what cannot be undone or makes no sense, naming the class', () => {
    const t = newClusterTable(2, 1);
    const mug = newUserCluster(t, 'thing', 'mug');
    const withMug = applyClusterEdit(t, { type: 'add', cluster: mug }).table;
    expect(() => applyClusterEdit(withMug, { type: 'add', cluster: { ...mug, name: 'cup' } })).toThrow(/already a class 4 \("mug"\)/);
    expect(() => applyClusterEdit(t, { type: 'add', cluster: { ...mug, name: ' ' } })).toThrow(/empty/);
    expect(() => applyClusterEdit(t, { type: 'add', cluster: { ...mug, colour: 'blue' } })).toThrow(/#rrggbb/);
    expect(() => applyClusterEdit(t, { type: 'add', cluster: { ...mug, id: 0 } })).toThrow(/not a usable class id/);
    expect(() => applyClusterEdit(t, { type: 'add', cluster: { ...mug, id: 70000 } })).toThrow(/not a usable class id/);
    expect(() => applyClusterEdit(t, { type: 'remove', id: 1 })).toThrow(/"thing 1" was found by the pipeline/);
    expect(() => applyClusterEdit(t, { type: 'remove', id: 9 })).toThrow(/no cluster 9/);
    const mergedInto = applyClusterEdit(withMug, { type: 'merge', from: 2, into: mug.id }).table;
    expect(() => applyClusterEdit(mergedInto, { type: 'remove', id: mug.id })).toThrow(/"thing 2" is merged into "mug"/);
  });
});
