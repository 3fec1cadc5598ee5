import { describe, expect, it } from 'vitest';
import { applyClusterEdit, applyClusterEdits, defaultColours, newClusterTable, resolveCluster, type ClusterEdit } from '../../../src/core/session/cluster-table';

describe('cluster table', () => {
  it('numbers things then stuff with readable default names', () => {
    const t = newClusterTable(2, 2);
    expect(Object.values(t).map((c) => `${c.id}:${c.name}`)).toEqual(['1:thing 1', '2:thing 2', '3:stuff 1', '4:stuff 2']);
  });

  it('undoes any sequence of edits exactly by applying the inverses in reverse', () => {
    const start = newClusterTable(3, 2);
    const edits: ClusterEdit[] = [
      { type: 'rename', id: 1, name: 'person' },
      { type: 'merge', from: 2, into: 1 },
      { type: 'recolour', id: 4, colour: '#112233' },
      { type: 'setHidden', id: 5, hidden: true },
      { type: 'merge', from: 3, into: 2 },
      { type: 'rename', id: 1, name: 'people' },
    ];
    const { table, inverse } = applyClusterEdits(start, edits);
    expect(resolveCluster(table, 3)).toBe(1);
    expect(table[1].name).toBe('people');
    const undone = applyClusterEdits(table, inverse).table;
    expect(undone).toEqual(start);
  });

  it('redo after undo gives the same table', () => {
    const start = newClusterTable(2, 0);
    const { table, inverse } = applyClusterEdits(start, [{ type: 'merge', from: 2, into: 1 }]);
    const back = applyClusterEdit(table, inverse[0]);
    expect(back.table).toEqual(start);
    expect(applyClusterEdit(back.table, back.inverse).table).toEqual(table);
  });

  it('refuses merges that make no sense, with the names in the message', () => {
    const t = applyClusterEdit(newClusterTable(2, 1), { type: 'merge', from: 2, into: 1 }).table;
    expect(() => applyClusterEdit(t, { type: 'merge', from: 2, into: 1 })).toThrow(/"thing 2" is already part of "thing 1"/);
    expect(() => applyClusterEdit(t, { type: 'merge', from: 3, into: 1 })).toThrow(/stuff cluster into a thing/);
    expect(() => applyClusterEdit(t, { type: 'rename', id: 1, name: '  ' })).toThrow(/empty/);
    expect(() => applyClusterEdit(t, { type: 'recolour', id: 1, colour: 'red' })).toThrow(/#rrggbb/);
  });

  it('gives distinct colours', () => {
    const c = defaultColours(60);
    expect(new Set(c).size).toBe(60);
    expect(c.every((x) => /^#[0-9a-f]{6}$/.test(x))).toBe(true);
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    for (const [things, stuff] of [[1, 6], [4, 20], [10, 27], [20, 20], [30, 27]]) {
      const colours = Object.values(newClusterTable(things, stuff)).map((x) => rgb(x.colour));
      let closest = Infinity;
      colours.forEach((a, i) => colours.slice(i + 1).forEach((b) => (closest = Math.min(closest, Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])))));
      expect(closest, `${things} things + ${stuff} stuff`).toBeGreaterThan(20);
    }
  });

  it("keeps each stuff cluster's colour when the number of things changes, and each thing's when stuff does", () => {
    const colours = (t: ReturnType<typeof newClusterTable>, kind: string) => Object.values(t).filter((c) => c.kind === kind).map((c) => [c.name, c.colour]);
    expect(colours(newClusterTable(1, 6), 'stuff')).toEqual(colours(newClusterTable(4, 6), 'stuff'));
    expect(colours(newClusterTable(3, 2), 'thing')).toEqual(colours(newClusterTable(3, 9), 'thing'));
  });
});
