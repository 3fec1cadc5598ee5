// Phase 2's per-photo step (method.md §4–§5): a cached photo's semantic map and panoptic merge
// under the session's clusters, in this thread or in a labels thread (labels-pool.ts), the same way.
import { labelImage } from '../core/pipeline/image-labels';
import type { SessionClusters } from '../core/pipeline/session-clusters';
import { passFromEntry, readEntryArrays, type CacheEntryMeta, type PassConfig } from './cache';
import type { LabelledImage } from './outputs';

/** What the writer needs of a photo besides its COCO image record. */
export type PhotoLabels = Omit<LabelledImage, 'image'> & { labelsMs: number };

/** `own`: the photo's instances' thing clusters, from the session's clustering. */
export async function labelCachedPhoto(dir: string, config: PassConfig, meta: CacheEntryMeta, clusters: SessionClusters, own: readonly number[]): Promise<PhotoLabels> {
  const entry = await readEntryArrays(dir, meta);
  const pass = passFromEntry(entry, config);
  const t0 = performance.now();
  const labels = labelImage(pass, { tokens: entry.tokens, gridH: meta.gridH, gridW: meta.gridW, tokenDim: meta.tokenDim }, clusters, [...own]);
  return {
    labelsMs: performance.now() - t0,
    labelSizeHW: pass.labelSizeHW,
    instances: pass.instances.map((inst, j) => ({ rle: inst.rle, score: inst.score, thingCluster: own[j] ?? 0 })),
    semanticRowMajor: labels.semanticRowMajor,
    panoptic: labels.panoptic,
  };
}
