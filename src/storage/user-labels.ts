// The user's own labels of a photo (brush, eraser, segment fill, or imported ground truth), kept in
// the session store beside the pseudo labels: the few-shot targets of method.md §6.
import { getResult, putResult, type SessionDb } from './session-db';

export const USER_LABELS = 'user-labels';

export interface UserLabels {
  id: string;
  /** The photo's label resolution (the pipeline's labelSizeHW), [height, width]. */
  labelSizeHW: [number, number];
  /** Category id (the cluster table's ids) per pixel, row-major; 0 = not labelled by the user. */
  categoryRowMajor: Uint16Array;
  /** Pixels with a category, so lists need not scan the map. */
  labelledPixels: number;
  updatedAt: number;
}

export function countLabelled(categoryRowMajor: Uint16Array): number {
  let n = 0;
  for (let i = 0; i < categoryRowMajor.length; i++) if (categoryRowMajor[i]) n++;
  return n;
}

export async function putUserLabels(db: SessionDb, labels: Omit<UserLabels, 'labelledPixels' | 'updatedAt'>): Promise<UserLabels> {
  const record: UserLabels = { ...labels, labelledPixels: countLabelled(labels.categoryRowMajor), updatedAt: Date.now() };
  await putResult(db, labels.id, USER_LABELS, record);
  return record;
}

export function getUserLabels(db: SessionDb, id: string): Promise<UserLabels | undefined> {
  return getResult<UserLabels>(db, id, USER_LABELS);
}
