// Phase 2's per-photo step (method.md §4–§5): a cached photo's semantic map and panoptic merge
// under the session's clusters, encoded as its output files' contents, in this thread or in a
// labels thread (labels-pool.ts), the same way.
import { labelImage } from '../core/pipeline/image-labels';
import type { SessionClusters } from '../core/pipeline/session-clusters';
import { passFromEntry, readEntryArrays, type CacheEntryMeta, type PassConfig } from './cache';
import { encodeImage, type EncodedImage, type OutputCategories } from './outputs';
import type { CocoImage } from '../core/coco/types';

/** What the writer gets of a photo; `labelsMs`: labelling and encoding it. */
export type PhotoLabels = EncodedImage & { labelsMs: number };

/** A photo to label: its COCO record, its cache entry and its instances' thing clusters (`own`, from the session's clustering). */
export interface PhotoToLabel {
  image: CocoImage;
  meta: CacheEntryMeta;
  own: readonly number[];
}

export async function labelCachedPhoto(dir: string, config: PassConfig, clusters: SessionClusters, categories: OutputCategories, photo: PhotoToLabel): Promise<PhotoLabels> {
  const { meta, own, image } = photo;
  const entry = await readEntryArrays(dir, meta);
  const pass = passFromEntry(entry, config);
  const t0 = performance.now();
  const labels = labelImage(pass, { tokens: entry.tokens, gridH: meta.gridH, gridW: meta.gridW, tokenDim: meta.tokenDim }, clusters, [...own]);
  const encoded = encodeImage({
    image,
    labelSizeHW: pass.labelSizeHW,
    instances: pass.instances.map((inst, j) => ({ rle: inst.rle, score: inst.score, thingCluster: own[j] ?? 0 })),
    semanticRowMajor: labels.semanticRowMajor,
    panoptic: labels.panoptic,
  }, categories);
  return { ...encoded, labelsMs: performance.now() - t0 };
}
