// Which photos carry the user's own labels, read from the session store on the UI thread (the
// Adapt dialog's count, the gallery badges): keys first, so unlabelled photos cost no map reads.
import { openSessionDb, type SessionDb } from '../../storage/session-db';
import { getUserLabels, USER_LABELS } from '../../storage/user-labels';

let dbPromise: Promise<SessionDb> | null = null;
const sessionDb = () => (dbPromise ??= openSessionDb());

/** Ids among `ids` whose stored user labels have at least one labelled pixel, in `ids` order. */
export async function userLabelledIds(ids: readonly string[]): Promise<string[]> {
  const db = await sessionDb();
  // A record that was erased back to nothing stays stored, hence the pixel count check.
  const keys = await db.getAllKeys('results');
  const withRecord = new Set(keys.filter(([, kind]) => kind === USER_LABELS).map(([id]) => id));
  const out: string[] = [];
  for (const id of ids) if (withRecord.has(id) && ((await getUserLabels(db, id))?.labelledPixels ?? 0) > 0) out.push(id);
  return out;
}

/** How many of the listed photos the user has labelled (for "N photos labelled by you"). */
export async function userLabelledCount(ids: readonly string[]): Promise<number> {
  return (await userLabelledIds(ids)).length;
}
