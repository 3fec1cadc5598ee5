import { describe, expect, it } from 'vitest';
import { carryClasses, planNamedClasses } from '../../../src/core/session/class-plan';
import { applyClusterEdit, hasDefaultName, newClusterTable, newUserCluster } from '../../../src/core/session/cluster-table';

describe('matching named classes to the cluster table', () => {
  it('reuses clusters by name and kind, follows merges, adds the rest once', () => {
    let t = newClusterTable(2, 2); // things 1, 2; stuff 3, 4
    t = applyClusterEdit(t, { type: 'rename', id: 1, name: 'Dog' }).table;
    t = applyClusterEdit(t, { type: 'rename', id: 2, name: 'dog' }).table;
    t = applyClusterEdit(t, { type: 'merge', from: 2, into: 1 }).table;
    t = applyClusterEdit(t, { type: 'rename', id: 3, name: 'grass' }).table;
    const plan = planNamedClasses(t, [
      { name: 'DOG', kind: 'thing' },
      { name: 'grass', kind: 'stuff' },
      { name: 'grass', kind: 'thing' }, // same name, other kind: a new thing class
      { name: 'cat', kind: 'thing' },
      { name: 'cat', kind: 'thing' },
    ]);
    expect(plan.categoryIds.slice(0, 2)).toEqual([1, 3]);
    expect(plan.categoryIds[2]).toBe(5);
    expect(plan.categoryIds[3]).toBe(6);
    expect(plan.categoryIds[4]).toBe(6);
    expect(plan.edits.map((e) => (e.type === 'add' ? [e.cluster.id, e.cluster.name, e.cluster.kind] : null))).toEqual([[5, 'grass', 'thing'], [6, 'cat', 'thing']]);
    let applied = t;
    for (const e of plan.edits) applied = applyClusterEdit(applied, e).table;
    expect(applied[6].name).toBe('cat');
  });
});

describe('carrying classes across re-clustering', () => {
  it('keeps used classes as user classes with new ids, follows merges, renames clashes', () => {
    let before = newClusterTable(2, 2); // things 1, 2; stuff 3, 4
    before = applyClusterEdit(before, { type: 'rename', id: 1, name: 'dog' }).table;
    before = applyClusterEdit(before, { type: 'merge', from: 2, into: 1 }).table;
    const cat = newUserCluster(before, 'thing', 'cat');
    before = applyClusterEdit(before, { type: 'add', cluster: cat }).table; // id 5
    const after = newClusterTable(3, 2); // things 1..3, stuff 4..5: "stuff 1" exists again
    const { table, mapping } = carryClasses(before, after, [2, 5, 3]);
    expect(mapping).toEqual({ 1: 6, 2: 6, 3: 8, 4: 0, 5: 7 });
    expect([table[6].name, table[6].kind, table[6].colour, table[6].origin]).toEqual(['dog', 'thing', before[1].colour, 'user']);
    expect(table[7].name).toBe('cat');
    expect([table[8].name, table[8].kind]).toEqual(['stuff 1 (kept)', 'stuff']);
    expect(Object.keys(table).length).toBe(8);
  });
});

describe('default cluster names', () => {
  it('tells the names the pipeline gave from the names a user chose', () => {
    const t = newClusterTable(1, 1);
    expect(hasDefaultName(t[1])).toBe(true);
    expect(hasDefaultName(t[2])).toBe(true);
    expect(hasDefaultName(applyClusterEdit(t, { type: 'rename', id: 1, name: 'dog' }).table[1])).toBe(false);
    expect(hasDefaultName(newUserCluster(t, 'thing', 'thing 7'))).toBe(false); // a user class, whatever its name
  });
});
