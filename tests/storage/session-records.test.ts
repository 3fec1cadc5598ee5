// The typed record access: user labels carry their pixel count, labelled ids skip erased maps,
// head versions never repeat (even after a removed head), head labels of another version are stale.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openSessionDb } from '../../src/storage/session-db';
import {
  currentHeadLabels, deleteStoredHead, getStoredHead, nextHeadVersion, putHeadLabels, putStoredHead, putUserLabels, userLabelledIds,
} from '../../src/storage/session-records';
import type { StoredHead, StoredHeadLabels } from '../../src/storage/records';

let n = 0;
const freshDb = () => openSessionDb(`records-${n++}`);

describe('session records', () => {
  it('counts labelled pixels and lists only photos with some, in the order asked', async () => {
    const db = await freshDb();
    expect((await putUserLabels(db, { id: 'a', labelSizeHW: [1, 4], categoryRowMajor: Uint16Array.from([0, 3, 3, 0]) })).labelledPixels).toBe(2);
    await putUserLabels(db, { id: 'b', labelSizeHW: [1, 2], categoryRowMajor: new Uint16Array(2) });
    await putUserLabels(db, { id: 'c', labelSizeHW: [1, 1], categoryRowMajor: Uint16Array.from([9]) });
    expect(await userLabelledIds(db, ['c', 'b', 'a', 'missing'])).toEqual(['c', 'a']);
  });

  it('hands out head versions that outlive a removed head, and calls other versions\' labels stale', async () => {
    const db = await freshDb();
    const first = await nextHeadVersion(db);
    const head = { version: first, categoryIds: [1], head: {}, summary: {} } as unknown as StoredHead;
    await putStoredHead(db, head);
    const labels = { headVersion: first } as unknown as StoredHeadLabels;
    await putHeadLabels(db, 'p', labels);
    expect(await currentHeadLabels(db, 'p')).toEqual(labels);
    await deleteStoredHead(db);
    expect(await getStoredHead(db)).toBeUndefined();
    expect(await currentHeadLabels(db, 'p')).toBeNull();
    const second = await nextHeadVersion(db);
    expect(second).toBe(first + 1);
    await putStoredHead(db, { ...head, version: second });
    expect(await currentHeadLabels(db, 'p')).toBeNull();
  });
});
