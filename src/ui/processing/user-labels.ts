// Which photos carry the user's own labels, read from the session store on the UI thread (the
// Adapt dialog's count, the gallery badges): keys first, so unlabelled photos cost no map reads.
import { sharedSessionDb } from '../../storage/session-db';
import { userLabelledIds as storedUserLabelledIds } from '../../storage/session-records';

/** Ids among `ids` whose stored user labels have at least one labelled pixel, in `ids` order. */
export async function userLabelledIds(ids: readonly string[]): Promise<string[]> {
  return storedUserLabelledIds(await sharedSessionDb(), ids);
}

/** How many of the listed photos the user has labelled (for "N photos labelled by you"). */
export async function userLabelledCount(ids: readonly string[]): Promise<number> {
  return (await userLabelledIds(ids)).length;
}
