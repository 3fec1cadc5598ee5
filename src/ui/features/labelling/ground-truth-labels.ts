// "Use ground truth as my labels": GT names become classes of the cluster table (one undoable
// step), then the view worker rasterises each photo's GT at its label resolution into the store.
import { planGroundTruthClasses } from '../../../core/labelling/ground-truth-labels';
import { editClusters } from '../../actions/app-actions';
import { viewWorker } from '../../processing/view-client';
import { useSeg } from '../../state/segmentation-store';
import { useApp } from '../../state/store';
import { reloadAfterWrite, settle } from './label-session';
import { useLabelling } from './label-state';

const baseName = (f: string) => f.split('/').pop() ?? f;

/** Photos (labelled, with ground truth of the same file name) that the action would label. */
function targets(scope: 'photo' | 'all'): { id: string; fileName: string }[] {
  const { groundTruth, segmentsById } = useSeg.getState();
  if (!groundTruth) return [];
  const names = new Set(groundTruth.fileNames.map(baseName));
  const { images, selectedId } = useApp.getState();
  return images
    .filter((im) => (scope === 'all' || im.id === selectedId) && segmentsById[im.id] && names.has(baseName(im.name)))
    .map((im) => ({ id: im.id, fileName: im.name }));
}

export async function applyGroundTruthAsLabels(scope: 'photo' | 'all'): Promise<void> {
  const { notify } = useApp.getState();
  const photos = targets(scope);
  if (!photos.length) {
    notify('error', scope === 'photo' ? 'The imported ground truth has no photo of this name.' : 'The imported ground truth names none of your labelled photos.');
    return;
  }
  const replaced = photos.filter((p) => useLabelling.getState().labelledIds[p.id]).length;
  if (replaced && !window.confirm(`Ground truth replaces your labels on ${replaced} photo${replaced > 1 ? 's' : ''}. Continue?`)) return;
  try {
    await settle();
    const names = await viewWorker().groundTruthNames(photos.map((p) => p.fileName));
    const plan = planGroundTruthClasses(useSeg.getState().table, names);
    if (plan.edits.length && !editClusters(plan.edits)) return;
    const written = await viewWorker().groundTruthAsUserLabels(photos, plan.idByName, plan.backgroundId);
    written.forEach((w) => useLabelling.getState().markLabelled(w.id, w.labelledPixels > 0));
    await reloadAfterWrite(written.map((w) => w.id));
    const added = plan.edits.length;
    notify('info', `Ground truth is now your labels on ${written.length} photo${written.length === 1 ? '' : 's'}${added ? ` (${added} new class${added === 1 ? '' : 'es'})` : ''}.`);
  } catch (err) {
    notify('error', `Ground truth could not be used as labels: ${(err as Error).message}`);
  }
}
