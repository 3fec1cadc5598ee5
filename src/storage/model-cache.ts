// The browser's cache of imported models (Models panel): manifests and ONNX bytes in their own
// IndexedDB database, so the session DB's schema is untouched; read by the UI and both workers.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ModelManifest } from '../core/backbone/types';

export const MODEL_DB_NAME = 'u2seg-models';
const MODEL_DB_VERSION = 1;

/** What the Models panel lists: the manifest and the file's size, never the bytes. */
export interface CachedModelInfo {
  manifest: ModelManifest;
  sizeBytes: number;
  /** Date.now() when it was stored. */
  addedAtMs: number;
}

export interface CachedModel {
  manifest: ModelManifest;
  bytes: Uint8Array;
}

interface ModelSchema extends DBSchema {
  /** Small records, keyed by manifest id: listing never reads the (large) files. */
  manifests: { key: string; value: CachedModelInfo & { id: string } };
  /** The ONNX bytes, keyed by manifest id. */
  files: { key: string; value: { id: string; bytes: Uint8Array } };
}

export type ModelDb = IDBPDatabase<ModelSchema>;

export function openModelDb(name = MODEL_DB_NAME): Promise<ModelDb> {
  return openDB<ModelSchema>(name, MODEL_DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('manifests', { keyPath: 'id' });
      db.createObjectStore('files', { keyPath: 'id' });
    },
  });
}

/** Stores (or replaces) a model; manifest and bytes are written in one transaction. */
export async function putModel(db: ModelDb, model: CachedModel, addedAtMs = Date.now()): Promise<void> {
  const id = model.manifest.id;
  const tx = db.transaction(['manifests', 'files'], 'readwrite');
  await Promise.all([
    tx.objectStore('manifests').put({ id, manifest: model.manifest, sizeBytes: model.bytes.byteLength, addedAtMs }),
    tx.objectStore('files').put({ id, bytes: model.bytes }),
    tx.done,
  ]);
}

export async function getModel(db: ModelDb, id: string): Promise<CachedModel | undefined> {
  const tx = db.transaction(['manifests', 'files'], 'readonly');
  const [info, file] = await Promise.all([tx.objectStore('manifests').get(id), tx.objectStore('files').get(id), tx.done]);
  if (!info || !file) return undefined;
  return { manifest: info.manifest, bytes: file.bytes };
}

/** Every cached model, oldest first, without the bytes. */
export async function listModels(db: ModelDb): Promise<CachedModelInfo[]> {
  const all = await db.getAll('manifests');
  return all
    .map(({ manifest, sizeBytes, addedAtMs }) => ({ manifest, sizeBytes, addedAtMs }))
    .sort((a, b) => a.addedAtMs - b.addedAtMs);
}

export async function deleteModel(db: ModelDb, id: string): Promise<void> {
  const tx = db.transaction(['manifests', 'files'], 'readwrite');
  await Promise.all([tx.objectStore('manifests').delete(id), tx.objectStore('files').delete(id), tx.done]);
}
