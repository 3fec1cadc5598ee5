// Typed access to every record kind of the session store, for the workers and the page alike: one
// getter and putter per kind, so no caller names a key or chooses a type (records.ts has the shapes).
//
// Owners (the only writers of each kind; README "Session store"):
//   pass, summary, labels, clusters ........ backbone worker (pipeline-jobs.ts); clusters also the semantic worker
//   clusterTable ........................... page (processing/pipeline.ts)
//   user-labels ............................ page (label-session.ts) and view worker (ground truth as labels,
//                                            renumbering), the page settling its pending save first
//   adaptHead, adaptHeadVersions, head-labels  adaptation worker
//   groundTruth ............................ view worker
import type { ImagePass } from '../core/pipeline/image-pass';
import type { ProcessSummary, StoredClusters, StoredClusterTable, StoredHead, StoredHeadLabels, StoredLabels, UserLabels } from './records';
import type { SessionDb } from './session-db';

/** Per-photo results, keyed [photo id, kind]. */
interface ResultRecords {
  pass: ImagePass;
  summary: ProcessSummary;
  labels: StoredLabels;
  'user-labels': UserLabels;
  'head-labels': StoredHeadLabels;
}

/** Session-wide records, keyed by name. */
interface MetaRecords {
  clusters: StoredClusters;
  clusterTable: StoredClusterTable;
  adaptHead: StoredHead;
  /** The last head version handed out; outlives removed heads. */
  adaptHeadVersions: number;
  /** The imported COCO instances file, as text. */
  groundTruth: string;
}

async function getResult<K extends keyof ResultRecords>(db: SessionDb, id: string, kind: K): Promise<ResultRecords[K] | undefined> {
  return (await db.get('results', [id, kind]))?.value as ResultRecords[K] | undefined;
}

async function putResult<K extends keyof ResultRecords>(db: SessionDb, id: string, kind: K, value: ResultRecords[K]): Promise<void> {
  await db.put('results', { id, kind, value });
}

async function getMeta<K extends keyof MetaRecords>(db: SessionDb, key: K): Promise<MetaRecords[K] | undefined> {
  return (await db.get('meta', key))?.value as MetaRecords[K] | undefined;
}

async function putMeta<K extends keyof MetaRecords>(db: SessionDb, key: K, value: MetaRecords[K]): Promise<void> {
  await db.put('meta', { key, value });
}

export const getPass = (db: SessionDb, id: string) => getResult(db, id, 'pass');
export const putPass = (db: SessionDb, id: string, pass: ImagePass) => putResult(db, id, 'pass', pass);

export const getSummary = (db: SessionDb, id: string) => getResult(db, id, 'summary');
export const putSummary = (db: SessionDb, summary: ProcessSummary) => putResult(db, summary.id, 'summary', summary);

export const getLabels = (db: SessionDb, id: string) => getResult(db, id, 'labels');
export const putLabels = (db: SessionDb, id: string, labels: StoredLabels) => putResult(db, id, 'labels', labels);

export const getClusters = (db: SessionDb) => getMeta(db, 'clusters');
export const putClusters = (db: SessionDb, clusters: StoredClusters) => putMeta(db, 'clusters', clusters);

export const getClusterTable = (db: SessionDb) => getMeta(db, 'clusterTable');
export const putClusterTable = (db: SessionDb, table: StoredClusterTable) => putMeta(db, 'clusterTable', table);

export const getGroundTruthText = (db: SessionDb) => getMeta(db, 'groundTruth');
export const putGroundTruthText = (db: SessionDb, text: string) => putMeta(db, 'groundTruth', text);

export function countLabelled(categoryRowMajor: Uint16Array): number {
  let n = 0;
  for (let i = 0; i < categoryRowMajor.length; i++) if (categoryRowMajor[i]) n++;
  return n;
}

export const getUserLabels = (db: SessionDb, id: string) => getResult(db, id, 'user-labels');

/** Stores a photo's labels with their pixel count and time; returns the record. */
export async function putUserLabels(db: SessionDb, labels: Omit<UserLabels, 'labelledPixels' | 'updatedAt'>): Promise<UserLabels> {
  const record: UserLabels = { ...labels, labelledPixels: countLabelled(labels.categoryRowMajor), updatedAt: Date.now() };
  await putResult(db, labels.id, 'user-labels', record);
  return record;
}

/** Ids of every photo with a user-labels record (keys only: no map is read). */
export async function idsWithUserLabels(db: SessionDb): Promise<Set<string>> {
  const keys = await db.getAllKeys('results');
  return new Set(keys.filter(([, kind]) => kind === 'user-labels').map(([id]) => id));
}

/** Ids among `ids` whose stored user labels have at least one labelled pixel, in `ids` order. */
export async function userLabelledIds(db: SessionDb, ids: readonly string[]): Promise<string[]> {
  // A record that was erased back to nothing stays stored, hence the pixel count check.
  const withRecord = await idsWithUserLabels(db);
  const out: string[] = [];
  for (const id of ids) if (withRecord.has(id) && ((await getUserLabels(db, id))?.labelledPixels ?? 0) > 0) out.push(id);
  return out;
}

export const getStoredHead = (db: SessionDb) => getMeta(db, 'adaptHead');
export const putStoredHead = (db: SessionDb, head: StoredHead) => putMeta(db, 'adaptHead', head);

export async function deleteStoredHead(db: SessionDb): Promise<void> {
  await db.delete('meta', 'adaptHead');
}

/**
 * A version no head of this session has had: the counter outlives removed heads, so labels made
 * by a removed head can never pass for a later one's.
 */
export async function nextHeadVersion(db: SessionDb): Promise<number> {
  const version = ((await getMeta(db, 'adaptHeadVersions')) ?? 0) + 1;
  await putMeta(db, 'adaptHeadVersions', version);
  return version;
}

export const putHeadLabels = (db: SessionDb, id: string, labels: StoredHeadLabels) => putResult(db, id, 'head-labels', labels);

/** The head labels of a photo when a head is saved and they come from it. */
export async function currentHeadLabels(db: SessionDb, id: string): Promise<StoredHeadLabels | null> {
  const [stored, labels] = await Promise.all([getStoredHead(db), getResult(db, id, 'head-labels')]);
  return stored && labels && labels.headVersion === stored.version ? labels : null;
}
