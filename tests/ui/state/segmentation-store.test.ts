// The segmentation store's edits: one edit() is one undo step however many cluster edits it holds,
// undo/redo walk the stacks, a refused edit changes nothing, new clusters clear the history.
import { beforeEach, describe, expect, it } from 'vitest';
import { newClusterTable, resolveCluster } from '../../../src/core/session/cluster-table';
import { useSeg } from '../../../src/ui/state/segmentation-store';

describe('segmentation store: edit, undo, redo', () => {
  beforeEach(() => {
    useSeg.getState().reset();
    useSeg.getState().setClusters({ thingK: 2, stuffK: 2, version: 1 });
  });

  it('starts from the default table of the clusters', () => {
    expect(useSeg.getState().table).toEqual(newClusterTable(2, 2));
  });

  it('undoes a multi-edit step at once and redoes it', () => {
    const start = useSeg.getState().table;
    useSeg.getState().edit([{ type: 'rename', id: 1, name: 'person' }, { type: 'merge', from: 2, into: 1 }]);
    useSeg.getState().edit([{ type: 'setHidden', id: 3, hidden: true }]);
    const edited = useSeg.getState().table;
    expect(edited[1].name).toBe('person');
    expect(resolveCluster(edited, 2)).toBe(1);
    expect(useSeg.getState().undoStack).toHaveLength(2);

    useSeg.getState().undo();
    expect(useSeg.getState().table[3].hidden).toBe(false);
    useSeg.getState().undo();
    expect(useSeg.getState().table).toEqual(start);
    expect(useSeg.getState().redoStack).toHaveLength(2);
    useSeg.getState().undo(); // nothing left: no change
    expect(useSeg.getState().table).toEqual(start);

    useSeg.getState().redo();
    useSeg.getState().redo();
    expect(useSeg.getState().table).toEqual(edited);
    expect(useSeg.getState().redoStack).toHaveLength(0);
  });

  it('a new edit drops the redo stack; a refused edit throws and changes nothing', () => {
    useSeg.getState().edit([{ type: 'rename', id: 1, name: 'a' }]);
    useSeg.getState().undo();
    useSeg.getState().edit([{ type: 'rename', id: 1, name: 'b' }]);
    expect(useSeg.getState().redoStack).toHaveLength(0);
    const before = useSeg.getState().table;
    // A thing cannot merge into stuff: the whole step is refused, its first edit included.
    expect(() => useSeg.getState().edit([{ type: 'rename', id: 2, name: 'c' }, { type: 'merge', from: 3, into: 1 }])).toThrow(/stuff cluster into a thing/);
    expect(useSeg.getState().table).toBe(before);
    expect(useSeg.getState().undoStack).toHaveLength(1);
  });

  it('new clusters (a refit) replace the table and clear both stacks', () => {
    useSeg.getState().edit([{ type: 'rename', id: 1, name: 'a' }]);
    useSeg.getState().undo();
    const carried = { ...newClusterTable(3, 2) };
    carried[1] = { ...carried[1], name: 'kept' };
    useSeg.getState().setClusters({ thingK: 3, stuffK: 2, version: 2 }, carried);
    expect(useSeg.getState().table[1].name).toBe('kept');
    expect([useSeg.getState().undoStack.length, useSeg.getState().redoStack.length]).toEqual([0, 0]);
  });
});
