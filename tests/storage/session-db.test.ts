import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  clearSession,
  getFeatures,
  getMeta,
  getResult,
  listImages,
  openSessionDb,
  putFeatures,
  putImage,
  putMeta,
  putResult,
} from '../../src/storage/session-db';

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
    await putResult(db, 'a', 'semantic', { labels: new Uint16Array([1, 300]) });
    db.close();
    const again = await openSessionDb(name);
    expect((await getFeatures(again, 'a'))?.tokens).toEqual(tokens);
    expect((await getResult<{ labels: Uint16Array }>(again, 'a', 'semantic'))?.labels).toEqual(new Uint16Array([1, 300]));
  });

  it('clears the whole session', async () => {
    const db = await freshDb();
    await putImage(db, { id: 'a', name: 'a', blob: new Blob([]), addedAt: 0 });
    await putMeta(db, 'clusters', { names: ['sky'] });
    await clearSession(db);
    expect(await listImages(db)).toEqual([]);
    expect(await getMeta(db, 'clusters')).toBeUndefined();
  });
});
