// The session's durable store (IndexedDB through idb), shared by the UI thread and the workers:
// photos, features, pseudo labels and the user's edits, keyed by image id, so a reload loses nothing.
// Results and meta records are read and written only through session-records.ts (typed per kind).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DB_NAME = 'u2seg-session';
const DB_VERSION = 1;

export interface StoredImage {
  id: string;
  name: string;
  blob: Blob;
  addedAt: number;
  /** Original size, known once decoded. */
  sizeHW?: [number, number];
}

export interface StoredFeatures {
  id: string;
  modelId: string;
  gridH: number;
  gridW: number;
  tokenDim: number;
  /** Final-norm patch tokens [gridH * gridW, tokenDim]; keys are not kept (MaskCut has used them). */
  tokens: Float32Array;
  cls: Float32Array;
}

/** A per-image result; its kind fixes its shape (session-records.ts reads and writes them, typed). */
export interface StoredResult<T = unknown> {
  id: string;
  kind: string;
  value: T;
}

interface SessionSchema extends DBSchema {
  images: { key: string; value: StoredImage; indexes: { addedAt: number } };
  features: { key: string; value: StoredFeatures };
  results: { key: [string, string]; value: StoredResult };
  meta: { key: string; value: { key: string; value: unknown } };
}

export type SessionDb = IDBPDatabase<SessionSchema>;

let shared: Promise<SessionDb> | null = null;

/** This realm's one connection (the page's, or a worker's), opened on first use and kept open. */
export function sharedSessionDb(): Promise<SessionDb> {
  return (shared ??= openSessionDb());
}

export function openSessionDb(name = DB_NAME): Promise<SessionDb> {
  return openDB<SessionSchema>(name, DB_VERSION, {
    upgrade(db) {
      db.createObjectStore('images', { keyPath: 'id' }).createIndex('addedAt', 'addedAt');
      db.createObjectStore('features', { keyPath: 'id' });
      db.createObjectStore('results', { keyPath: ['id', 'kind'] });
      db.createObjectStore('meta', { keyPath: 'key' });
    },
  });
}

export async function putImage(db: SessionDb, image: StoredImage): Promise<void> {
  await db.put('images', image);
}

export async function listImages(db: SessionDb): Promise<StoredImage[]> {
  return db.getAllFromIndex('images', 'addedAt');
}

export async function putFeatures(db: SessionDb, f: StoredFeatures): Promise<void> {
  await db.put('features', f);
}

export async function getFeatures(db: SessionDb, id: string): Promise<StoredFeatures | undefined> {
  return db.get('features', id);
}

/** "Clear session": everything goes; the UI asks the user first. */
export async function clearSession(db: SessionDb): Promise<void> {
  const tx = db.transaction(['images', 'features', 'results', 'meta'], 'readwrite');
  await Promise.all([...(['images', 'features', 'results', 'meta'] as const).map((s) => tx.objectStore(s).clear()), tx.done]);
}
