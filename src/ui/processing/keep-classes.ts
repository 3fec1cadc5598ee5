// Re-clustering (or another model) renumbers the clusters; the classes the user's labels, added
// classes and adapted head use must not change meaning. They are captured before the clusters are
// replaced and carried into the next fresh table as the user's own classes (method.md §6 targets).
import { carryClasses } from '../../core/session/class-plan';
import { hasDefaultName, resolveCluster, type ClusterTable } from '../../core/session/cluster-table';
import { refreshLabelledIds, reloadAllAfterRenumbering, settle } from '../features/labelling/label-session';
import { useAdapt } from '../state/adapt-store';
import { useSeg } from '../state/segmentation-store';
import { useApp } from '../state/store';
import { reinstallHead, removeHead } from './adapt';
import { adaptWorker } from './adapt-client';
import { viewWorker } from './view-client';

interface Captured {
  before: ClusterTable;
  keep: number[];
  /** The head, when every class it has is kept; otherwise it goes with the clusters it learnt. */
  head: { bytes: Uint8Array; categoryIds: number[] } | null;
  dropHead: boolean;
}

let pending: Captured | null = null;

/**
 * Notes what must survive the next replacement of the cluster table: the user's own classes and
 * the classes their labels use. The head follows when each of its classes is one of those or a
 * cluster the user named; a head that also knows unnamed clusters learnt their pseudo labels, which
 * the new clustering replaces, so it is removed.
 */
export async function captureClasses(): Promise<void> {
  const before = useSeg.getState().table;
  if (!Object.keys(before).length) return;
  await settle(); // a stroke still waiting to be saved would be renumbered too late
  const resolved = (id: number) => resolveCluster(before, id);
  const keep = new Set((await viewWorker().userLabelCategories()).filter((id) => before[id]).map(resolved));
  for (const c of Object.values(before)) if (c.origin === 'user') keep.add(resolved(c.id));
  const summary = useAdapt.getState().summary;
  const headIds = (summary?.classes.map((c) => c.categoryId) ?? []).filter((id) => before[id]);
  const headKept = summary != null && headIds.length === summary.classes.length && headIds.every((id) => keep.has(resolved(id)) || !hasDefaultName(before[resolved(id)]));
  const head = summary && headKept
    ? { bytes: await adaptWorker().exportHead(summary.classes.map((c) => before[c.categoryId].name)), categoryIds: headIds }
    : null;
  if (head) for (const id of headIds) keep.add(resolved(id));
  pending = { before, keep: [...keep], head, dropHead: summary != null && !headKept };
}

/**
 * The table to use for fresh clusters (`after`, the pipeline's default table) with the captured
 * classes in it, and the step that renumbers the stored labels and the head to match.
 */
export function carryInto(after: ClusterTable): { table: ClusterTable; finish: () => Promise<void> } | null {
  const captured = pending;
  if (!captured) return null;
  pending = null;
  const { table, mapping } = carryClasses(captured.before, after, captured.keep);
  const finish = async () => {
    try {
      await viewWorker().remapUserLabels(mapping);
      await reloadAllAfterRenumbering();
      await refreshLabelledIds();
      if (captured.head) await reinstallHead(captured.head.bytes, captured.head.categoryIds.map((id) => mapping[id] ?? 0));
      if (captured.dropHead) {
        await removeHead();
        useApp.getState().notify('info', 'The adapted head learnt clusters that are now replaced, so it was removed: train again (a) on the new clusters.');
      }
    } catch (err) {
      useApp.getState().notify('error', `Your classes could not all follow the new clusters: ${(err as Error).message}`);
    }
  };
  return { table, finish };
}
