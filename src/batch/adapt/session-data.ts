// The unsupervised half of the adaptation measurement (method.md §1–§5 feeding §6): a batch cache
// of a photo folder (made with src/batch's segment pipeline when missing), session clusters fitted
// exactly as phase 2 fits them, and per photo its tokens, pseudo instances and pseudo class map.
import path from 'node:path';
import { pseudoClassMap } from '../../core/adapt/targets';
import type { Rle } from '../../core/coco/types';
import { labelImage } from '../../core/pipeline/image-labels';
import type { PanopticResult } from '../../core/pipeline/panoptic-merge';
import type { RefineMethod } from '../../core/pipeline/refine';
import { defaultTokensPerImage, fitSessionClusters } from '../../core/pipeline/session-clusters';
import type { SizeHW } from '../../core/pipeline/upsample';
import { cacheDir, hasEntry, passFromEntry, readEntryArrays, readEntryMeta, readPassConfig } from '../cache';
import { strideSampleRows } from '../finalize';
import { listImages } from '../image-list';
import type { ProgressSink } from '../progress';
import { runSegment, SEGMENT_DEFAULTS } from '../segment';

export interface SessionDataOptions {
  /** Folder of photos (the data set's images/). */
  imagesDir: string;
  /** Batch output folder whose cache/ holds (or will hold) the per-photo entries. */
  outDir: string;
  model?: string;
  refine: RefineMethod;
  maxSidePx: number;
  /** First N photos of the sorted folder. */
  limit?: number;
  thingK?: number;
  stuffK: number;
  seed: number;
  progress: ProgressSink | null;
}

export interface SessionPhoto {
  key: string;
  photoSizeHW: SizeHW;
  labelSizeHW: SizeHW;
  gridH: number;
  gridW: number;
  /** [gridH·gridW, tokenDim] */
  tokens: Float32Array;
  /** MaskCut instances (label resolution) with their thing cluster (0-based) and pseudo score. */
  instances: { rle: Rle; score: number; thingCluster: number }[];
  panoptic: PanopticResult;
  /** Pseudo class per pixel (label resolution): thing cluster t → t, stuff cluster c → thingK + c. */
  classMap: Uint8Array;
}

export interface SessionData {
  photos: SessionPhoto[];
  thingK: number;
  stuffK: number;
  tokenDim: number;
  modelId: string;
  /** The cache's pass settings (config.json). */
  passConfig: Record<string, unknown>;
}

/** Makes the cache entries that are missing (runSegment: phase 1, and phase 2's files beside them). */
async function ensureCache(opts: SessionDataOptions, keys: string[]): Promise<void> {
  const dir = cacheDir(opts.outDir);
  if (keys.every((k) => hasEntry(dir, k))) return;
  opts.progress?.write(`caching tokens and MaskCut passes in ${dir}\n`);
  await runSegment({ ...SEGMENT_DEFAULTS, folder: opts.imagesDir, outDir: opts.outDir, model: opts.model, refine: opts.refine, maxSidePx: opts.maxSidePx, limit: opts.limit, stuffK: opts.stuffK, seed: opts.seed, progress: opts.progress });
}


/** Loads (or makes) the cache for the folder's first `limit` photos and labels them as phase 2 would. */
export async function loadSessionData(opts: SessionDataOptions): Promise<SessionData> {
  let files = await listImages(opts.imagesDir, [opts.outDir]);
  if (opts.limit !== undefined) files = files.slice(0, opts.limit);
  if (!files.length) throw new Error(`no photos under ${opts.imagesDir}`);
  const keys = files.map((f) => f.key);
  await ensureCache(opts, keys);
  const dir = cacheDir(opts.outDir);
  const config = await readPassConfig(dir);
  if (!config) throw new Error(`${dir}/config.json is missing`);
  if (opts.model && !opts.model.includes('/') && !opts.model.endsWith('.json') && config.modelId !== opts.model) {
    throw new Error(`${dir} was made with model ${config.modelId}, not ${opts.model}`);
  }
  const usable = keys.filter((k) => hasEntry(dir, k));
  const entries = await Promise.all(usable.map(async (k) => readEntryArrays(dir, await readEntryMeta(dir, k))));
  const tokenDim = entries[0].meta.tokenDim;
  const clusters = fitSessionClusters(
    entries.flatMap((e) => e.features),
    entries.map((e) => strideSampleRows(e.tokens, tokenDim, defaultTokensPerImage(entries.length))),
    tokenDim,
    { thingK: opts.thingK, stuffK: opts.stuffK, seed: opts.seed, tokensPerImage: defaultTokensPerImage(entries.length) },
  );
  let first = 0;
  const photos = entries.map((entry) => {
    const pass = passFromEntry(entry, config);
    const own = Array.from(clusters.instanceClusters.subarray(first, first + pass.instances.length));
    first += pass.instances.length;
    const { meta } = entry;
    const labels = labelImage(pass, { tokens: entry.tokens, gridH: meta.gridH, gridW: meta.gridW, tokenDim }, clusters, own);
    return {
      key: meta.key,
      photoSizeHW: { height: meta.photoSizeHW[0], width: meta.photoSizeHW[1] },
      labelSizeHW: pass.labelSizeHW,
      gridH: meta.gridH,
      gridW: meta.gridW,
      tokens: entry.tokens,
      instances: pass.instances.map((inst, j) => ({ rle: inst.rle, score: inst.score, thingCluster: own[j] ?? 0 })),
      panoptic: labels.panoptic,
      classMap: pseudoClassMap(labels.semanticRowMajor, labels.panoptic, clusters.thingK, clusters.stuffK),
    };
  });
  return { photos, thingK: clusters.thingK, stuffK: clusters.stuffK, tokenDim, modelId: config.modelId, passConfig: { ...config } };
}

/** The batch folder `npm run eval` would use for these settings, so both share one cache. */
export function defaultCacheOut(modelId: string, refine: RefineMethod, maxSidePx: number): string {
  return path.resolve('out', 'eval', `${modelId}-${refine}-${maxSidePx}`);
}
