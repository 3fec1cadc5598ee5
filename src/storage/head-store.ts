// Where the session keeps its adaptation head (method.md §6) and each photo's labels predicted by
// it; labels carry the head's version so that a retrained or removed head never shows stale ones.
import type { SerializedHead } from '../core/adapt/head-codec';
import type { HeadLabels } from '../core/adapt/head-labels';
import type { SizeHW } from '../core/pipeline/upsample';
import type { HeadSummary } from '../../workers/adapt-api';
import { getMeta, getResult, putMeta, type SessionDb } from './session-db';

export const HEAD_KEY = 'adaptHead';
export const HEAD_LABELS = 'head-labels';

export interface StoredHead {
  version: number;
  head: SerializedHead;
  /** Table category of each head class. */
  categoryIds: number[];
  summary: HeadSummary;
}

export interface StoredHeadLabels extends HeadLabels {
  headVersion: number;
  labelSizeHW: SizeHW;
}

const VERSION_KEY = 'adaptHeadVersions';

/**
 * A version no head of this session has had: the counter outlives removed heads, so labels made
 * by a removed head can never pass for a later one's.
 */
export async function nextHeadVersion(db: SessionDb): Promise<number> {
  const version = ((await getMeta<number>(db, VERSION_KEY)) ?? 0) + 1;
  await putMeta(db, VERSION_KEY, version);
  return version;
}

export function getStoredHead(db: SessionDb): Promise<StoredHead | undefined> {
  return getMeta<StoredHead>(db, HEAD_KEY);
}

/** The head labels of a photo when a head is saved and they come from it. */
export async function currentHeadLabels(db: SessionDb, id: string): Promise<StoredHeadLabels | null> {
  const [stored, labels] = await Promise.all([getStoredHead(db), getResult<StoredHeadLabels>(db, id, HEAD_LABELS)]);
  return stored && labels && labels.headVersion === stored.version ? labels : null;
}
