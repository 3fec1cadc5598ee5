// Imports a COCO instances file as ground truth to overlay (validated in the view worker by the
// core reader: a malformed file is refused with the bad records named, and nothing else changes).
import { useSeg } from '../state/segmentation-store';
import { useApp } from '../state/store';
import { viewWorker } from './view-client';

function matchedPhotos(fileNames: string[]): number {
  const names = new Set(fileNames.map((f) => f.split('/').pop()));
  return useApp.getState().images.filter((im) => names.has(im.name)).length;
}

export async function importGroundTruth(file: File): Promise<void> {
  const { notify } = useApp.getState();
  try {
    const summary = await viewWorker().importGroundTruth(file);
    useSeg.getState().setGroundTruth(summary);
    notify('info', `${file.name}: ground truth with ${summary.annotations} annotations in ${summary.categories} categories, for ${matchedPhotos(summary.fileNames)} of your photos. Press g to show it.`);
  } catch (err) {
    notify('error', `${file.name} was not imported as ground truth: ${(err as Error).message}`);
  }
}

/** Ground truth imported on an earlier visit. */
export async function restoreGroundTruth(): Promise<void> {
  const summary = await viewWorker().groundTruthSummary().catch(() => null);
  if (summary) useSeg.getState().setGroundTruth(summary);
}
