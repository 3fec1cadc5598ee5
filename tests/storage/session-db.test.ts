import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { clearSession, getFeatures, listImages, openSessionDb, putFeatures, putImage } from '../../src/storage/session-db';
import { getClusterTable, getUserLabels, putClusterTable, putUserLabels } from '../../src/storage/session-records';

let n = 0;
const freshDb = () => openSessionDb(`test-${n++}`);

describe('session-db', () => {
  it('keeps images in the order they were added, with their bytes', async () => {
    const db = await freshDb();
    await putImage(db, { id: 'b', name: 'b.jpg', blob: new Blob([new Uint8Array([1, 2])]), addedAt: 2 });
    await putImage(db, { id: 'a', name: 'a.jpg', blob: new Blob([new Uint8Array([3])]), addedAt: 1 });
    const images = await listImages(db);
    expect(images.map((i) => i.id)).toEqual(['a', 'b']);
    expect(images[1].blob.size).toBe(2);
  });

  it('stores typed arrays losslessly and survives reopening', async () => {
    const name = `reopen-${n++}`;
    const db = await openSessionDb(name);
    const tokens = Float32Array.from({ length: 12 }, (_, i) => i / 7);
    await putFeatures(db, { id: 'a', modelId: 'm', gridH: 2, gridW: 2, tokenDim: 3, tokens, cls: new Float32Array(3) });
    await putUserLabels(db, { id: 'a', labelSizeHW: [1, 2], categoryRowMajor: new Uint16Array([1, 300]) });
    db.close();
    const again = await openSessionDb(name);
    expect((await getFeatures(again, 'a'))?.tokens).toEqual(tokens);
    expect((await getUserLabels(again, 'a'))?.categoryRowMajor).toEqual(new Uint16Array([1, 300]));
  });

  it('clears the whole session', async () => {
    const db = await freshDb();
    await putImage(db, { id: 'a', name: 'a', blob: new Blob([]), addedAt: 0 });
    await putClusterTable(db, { version: 1, table: {} });
    await clearSession(db);
    expect(await listImages(db)).toEqual([]);
    expect(await getClusterTable(db)).toBeUndefined();
  });
});
