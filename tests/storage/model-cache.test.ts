// Unit tests of the imported-model cache (src/storage/model-cache.ts) on fake-indexeddb: bytes kept
// losslessly, listing without bytes, replacement, deletion, and no clash with the session DB.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { IMAGENET_MEAN, IMAGENET_STD, type ModelManifest } from '../../src/core/backbone/types';
import { deleteModel, getModel, listModels, MODEL_DB_NAME, openModelDb, putModel } from '../../src/storage/model-cache';
import { DB_NAME } from '../../src/storage/session-db';

let n = 0;
const freshDb = () => openModelDb(`models-test-${n++}`);

function manifest(id: string, name = id): ModelManifest {
  return {
    id, name, architecture: 'vit', inputSize: 224, stride: 8, mean: [...IMAGENET_MEAN], std: [...IMAGENET_STD],
    inputName: 'image', outputs: { keys: 'keys', tokens: 'tokens', cls: 'cls' }, tau: 0.15,
    licence: 'test', source: 'test', sha256: 'ab'.repeat(32), file: `${id}.onnx`,
  };
}

describe('model-cache', () => {
  it('uses its own database, not the session one', () => {
    expect(MODEL_DB_NAME).not.toBe(DB_NAME);
  });

  it('stores a model and gives back the same manifest and bytes after reopening', async () => {
    const name = `models-reopen-${n++}`;
    const db = await openModelDb(name);
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 255);
    await putModel(db, { manifest: manifest('a'), bytes });
    db.close();
    const again = await openModelDb(name);
    const got = await getModel(again, 'a');
    expect(got?.manifest).toEqual(manifest('a'));
    expect(got?.bytes).toEqual(bytes);
    expect(await getModel(again, 'b')).toBeUndefined();
  });

  it('lists models oldest first with their sizes, without the bytes', async () => {
    const db = await freshDb();
    await putModel(db, { manifest: manifest('late'), bytes: new Uint8Array(7) }, 2000);
    await putModel(db, { manifest: manifest('early'), bytes: new Uint8Array(3) }, 1000);
    const list = await listModels(db);
    expect(list.map((m) => [m.manifest.id, m.sizeBytes, m.addedAtMs])).toEqual([['early', 3, 1000], ['late', 7, 2000]]);
    expect(list.some((m) => 'bytes' in m)).toBe(false);
  });

  it('replaces a model stored under the same id', async () => {
    const db = await freshDb();
    await putModel(db, { manifest: manifest('a', 'old'), bytes: new Uint8Array([1]) });
    await putModel(db, { manifest: manifest('a', 'new'), bytes: new Uint8Array([2, 2]) });
    expect((await listModels(db)).map((m) => m.manifest.name)).toEqual(['new']);
    expect((await getModel(db, 'a'))?.bytes).toEqual(new Uint8Array([2, 2]));
  });

  it('deletes one model and only that one; unknown ids read as missing', async () => {
    const db = await freshDb();
    await putModel(db, { manifest: manifest('a'), bytes: new Uint8Array([1]) });
    await putModel(db, { manifest: manifest('b'), bytes: new Uint8Array([2]) });
    await deleteModel(db, 'a');
    expect(await getModel(db, 'a')).toBeUndefined();
    expect((await listModels(db)).map((m) => m.manifest.id)).toEqual(['b']);
    await expect(deleteModel(db, 'nope')).resolves.toBeUndefined();
  });
});
