// Re-clustering (or another model) renumbers the clusters; the classes the user's labels, added
// classes and adapted head use must not change meaning. They are captured before the clusters are
// replaced and carried into the next fresh table as the user's own classes (method.md §6 targets).
import { carryClasses } from '../../core/session/class-plan';
import type { ClusterTable } from '../../core/session/cluster-table';
import { refreshLabelledIds, reloadAllAfterRenumbering, settle } from '../features/labelling/label-session';
import { useAdapt } from '../state/adapt-store';
import { useSeg } from '../state/segmentation-store';
import { useApp } from '../state/store';
import { reinstallHead } from './adapt';
import { adaptWorker } from './adapt-client';
import { viewWorker } from './view-client';

interface Captured {
  before: ClusterTable;
  keep: number[];
  head: { bytes: Uint8Array; categoryIds: number[] } | null;
}

let pending: Captured | null = null;

/** Notes what must survive the next replacement of the cluster table. */
export async function captureClasses(): Promise<void> {
  const before = useSeg.getState().table;
  if (!Object.keys(before).length) return;
  await settle(); // a stroke still waiting to be saved would be renumbered too late
  const keep = new Set(await viewWorker().userLabelCategories());
  for (const c of Object.values(before)) if (c.origin === 'user') keep.add(c.id);
  const summary = useAdapt.getState().summary;
  for (const c of summary?.classes ?? []) keep.add(c.categoryId);
  if (!keep.size) return;
  const head = summary
    ? { bytes: await adaptWorker().exportHead(summary.classes.map((c) => before[c.categoryId]?.name ?? c.name)), categoryIds: summary.classes.map((c) => c.categoryId) }
    : null;
  pending = { before, keep: [...keep], head };
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
    } catch (err) {
      useApp.getState().notify('error', `Your classes could not all follow the new clusters: ${(err as Error).message}`);
    }
  };
  return { table, finish };
}
