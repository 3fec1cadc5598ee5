// Phase 2 of a batch run (method.md §3–§5): session clusters over every cached photo (from all
// shards), then per photo its thing clusters, semantic map and panoptic merge, written as COCO files.
//
// Memory stays bounded by photo count × (instances + a token sample): the clusters are fitted on
// tokensPerImage evenly strided patch tokens per photo (the very rows fitSessionClusters would
// sample itself), and each photo's full tokens are read back from the cache when it is labelled.
// Deviation from the browser's 400 tokens per photo: the core's k-means costs tokens × K × dim per
// iteration (215 coco-dev photos × 400 tokens × 768 channels took 525 s), so by default a batch run
// fits the stuff clusters on a total budget of TOKEN_BUDGET tokens (at least 16, at most 400 per
// photo); --tokens-per-image overrides it.
//
// clusters.json carries a stamp of everything phase 2 depends on (cache settings, photo keys,
// thingK, stuffK, seed, token sample); an automatic phase 2 whose stamp matches is skipped.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { defaultTokensPerImage, fitSessionClusters, type SessionClusters } from '../core/pipeline/session-clusters';
import { trainBatchSemanticHead, type SemanticChoice } from './semantic-head';
import type { StegoTrainOptions } from '../core/stego/train';
import { writeJsonAtomic } from './atomic-file';
import { cacheDir, configFingerprint, listEntryMetas, readEntryArrays, readPassConfig, type CacheEntryMeta, type PassConfig } from './cache';
import { labelPhotos } from './labels-pool';
import type { PhotoToLabel } from './photo-labels';
import { assignImageIds, OutputWriter, outputCategories, PANOPTIC_NAME } from './outputs';
import { ProgressBar, type ProgressSink } from './progress';

/** Patch tokens (over all photos) the stuff clusters are fitted on by default. */

export interface FinalizeOptions {
  outDir: string;
  /** Thing clusters; default √(instances) within [2, 80] (fitSessionClusters). */
  thingK?: number;
  stuffK: number;
  seed: number;
  /** Only these photos (by key); every cache entry when absent. */
  keys?: readonly string[];
  /** Default: TOKEN_BUDGET spread over the photos, within [16, 400]. */
  tokensPerImage?: number;
  /** Return the existing outputs when clusters.json's stamp says they are current. */
  skipIfCurrent?: boolean;
  /** Stuff clusters from STEGO's trained head or k-means on the tokens; default 'auto' (STEGO from STEGO_MIN_PHOTOS photos). */
  semantic?: SemanticChoice;
  stego?: Partial<StegoTrainOptions>;
  progress?: ProgressSink | null;
  /** Photos labelled at once on worker threads (labels-pool.ts); default 1, in this thread. */
  jobs?: number;
}

export interface FinalizeSummary {
  images: number;
  instances: number;
  /** True when the outputs were already current and nothing was recomputed. */
  reused: boolean;
  thingK: number;
  stuffK: number;
  timingsMs: { load: number; clustering: number; labels: number; write: number; total: number };
  /** labelImage (semantic labels + panoptic merge) per photo, in key order. */
  labelsMsPerImage: number[];
}

/** Rows i·n/count (floored) of a [n, dim] array: fitSessionClusters' own even stride sample. */
export function strideSampleRows(rowsRowMajor: Float32Array, dim: number, count: number): Float32Array {
  const n = rowsRowMajor.length / dim;
  if (n <= count) return rowsRowMajor.slice();
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const row = Math.floor((i * n) / count);
    out.set(rowsRowMajor.subarray(row * dim, (row + 1) * dim), i * dim);
  }
  return out;
}

async function selectEntries(dir: string, config: PassConfig, keys?: readonly string[]): Promise<CacheEntryMeta[]> {
  let metas = await listEntryMetas(dir);
  if (keys) {
    const byKey = new Map(metas.map((m) => [m.key, m]));
    const missing = keys.filter((k) => !byKey.has(k));
    if (missing.length) throw new Error(`${missing.length} photo(s) have no cache entry, e.g. ${missing.slice(0, 3).join(', ')}`);
    metas = keys.map((k) => byKey.get(k) as CacheEntryMeta);
  }
  if (!metas.length) throw new Error(`${dir} holds no cached photos: nothing to finalize`);
  const expected = configFingerprint(config);
  const foreign = metas.filter((m) => m.configFingerprint !== expected);
  if (foreign.length) {
    throw new Error(`${foreign.length} cache entries were made with other settings than ${dir}/config.json (e.g. ${foreign[0].key}); merge only caches made with the same flags`);
  }
  const dims = new Set(metas.map((m) => m.tokenDim));
  if (dims.size > 1) throw new Error(`cache entries disagree on the token size (${[...dims].join(', ')})`);
  return metas;
}


function finalizeStamp(config: PassConfig, opts: FinalizeOptions, keys: string[], tokensPerImage: number): string {
  const what = [configFingerprint(config), opts.thingK ?? null, opts.stuffK, opts.seed, tokensPerImage, keys, opts.semantic ?? 'auto', opts.stego ?? {}];
  return createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
}

/** The summary of the outputs already on disk when their stamp matches, else null. */
async function currentOutputs(outDir: string, stamp: string): Promise<FinalizeSummary | null> {
  const clustersPath = path.join(outDir, 'clusters.json');
  const needed = [clustersPath, path.join(outDir, 'instances.json'), path.join(outDir, 'annotations', `${PANOPTIC_NAME}.json`)];
  if (!needed.every((f) => existsSync(f))) return null;
  const c = JSON.parse(await readFile(clustersPath, 'utf8')) as { stamp?: string; images: number; instances: number; thingK: number; stuffK: number };
  if (c.stamp !== stamp) return null;
  const timingsMs = { load: 0, clustering: 0, labels: 0, write: 0, total: 0 };
  return { images: c.images, instances: c.instances, reused: true, thingK: c.thingK, stuffK: c.stuffK, timingsMs, labelsMsPerImage: [] };
}


function clustersJson(clusters: SessionClusters, config: PassConfig, opts: FinalizeOptions, metas: CacheEntryMeta[], tokensPerImage: number, stamp: string) {
  const rows = (flat: Float32Array, dim: number) => Array.from({ length: dim ? flat.length / dim : 0 }, (_, i) => Array.from(flat.subarray(i * dim, (i + 1) * dim)));
  return {
    stamp,
    model: { id: config.modelId, sha256: config.modelSha256 },
    passConfig: config,
    seed: opts.seed,
    thingK: clusters.thingK,
    stuffK: clusters.stuffK,
    featureDim: clusters.featureDim,
    tokenDim: clusters.tokenDim,
    tokensPerImage,
    images: metas.length,
    instances: clusters.instanceClusters.length,
    thingCentroids: rows(clusters.thingCentroids, clusters.featureDim),
    stuffDim: clusters.stuffDim ?? clusters.tokenDim,
    stuffCentroids: rows(clusters.stuffCentroids, clusters.stuffDim ?? clusters.tokenDim),
  };
}

export async function finalize(opts: FinalizeOptions): Promise<FinalizeSummary> {
  const started = performance.now();
  const dir = cacheDir(opts.outDir);
  const config = await readPassConfig(dir);
  if (!config) throw new Error(`${dir}/config.json is missing: run phase 1 first (npm run segment without --finalize)`);
  const metas = await selectEntries(dir, config, opts.keys);
  const tokensPerImage = opts.tokensPerImage ?? defaultTokensPerImage(metas.length);
  const stamp = finalizeStamp(config, opts, metas.map((m) => m.key), tokensPerImage);
  const current = opts.skipIfCurrent ? await currentOutputs(opts.outDir, stamp) : null;
  if (current) return current;
  const features: Float32Array[] = [];
  const samples: Float32Array[] = [];
  for (const meta of metas) {
    const entry = await readEntryArrays(dir, meta);
    features.push(...entry.features.map((f) => f.slice()));
    samples.push(strideSampleRows(entry.tokens, meta.tokenDim, tokensPerImage));
  }
  const loaded = performance.now();
  const semantic = await trainBatchSemanticHead(dir, metas, samples, { choice: opts.semantic ?? 'auto', stego: { ...opts.stego, seed: opts.seed }, progress: opts.progress ?? null, threads: opts.jobs ?? 1 });
  opts.progress?.write(`phase 2: fitting clusters on ${features.length} instances and ${samples.length} × ≤${tokensPerImage} patch tokens${semantic ? ' (stuff on STEGO codes)' : ''}\n`);
  const clusters = fitSessionClusters(features, samples, metas[0].tokenDim, { thingK: opts.thingK, stuffK: opts.stuffK, seed: opts.seed, tokensPerImage, semanticHead: semantic?.head });
  const clustered = performance.now();
  const bar = new ProgressBar(metas.length, opts.progress ?? null, 'phase 2 labels');
  const { ms: labelsMsPerImage, writeMs, writer } = await labelAndWrite(opts.outDir, dir, config, metas, clusters, bar, opts.jobs ?? 1);
  bar.finish();
  const labelled = performance.now();
  await writer.finish({ description: 'U2Seg pseudo labels (npm run segment)', model: config.modelId, date_created: new Date().toISOString() });
  if (semantic) await writeJsonAtomic(path.join(opts.outDir, 'semantic-head.json'), semantic.json, undefined);
  await writeJsonAtomic(path.join(opts.outDir, 'clusters.json'), { ...clustersJson(clusters, config, opts, metas, tokensPerImage, stamp), semantic: semantic?.summary ?? { method: 'kmeans' } }, undefined);
  const done = performance.now();
  // With labels threads the photos' label times overlap each other and the writes: labels is the
  // time the writes waited for them.
  const labelsMs = labelled - clustered - writeMs;
  return {
    images: metas.length,
    instances: features.length,
    reused: false,
    thingK: clusters.thingK,
    stuffK: clusters.stuffK,
    timingsMs: { load: loaded - started, clustering: clustered - loaded, labels: labelsMs, write: done - clustered - labelsMs, total: done - started },
    labelsMsPerImage,
  };
}

async function labelAndWrite(outDir: string, dir: string, config: PassConfig, metas: CacheEntryMeta[], clusters: SessionClusters, bar: ProgressBar, jobs: number): Promise<{ ms: number[]; writeMs: number; writer: OutputWriter }> {
  // Outputs of an earlier finalize (perhaps over other photos) must not linger beside these; the
  // stamp goes first, so an interrupted finalize is never taken for a finished one.
  await rm(path.join(outDir, 'clusters.json'), { force: true });
  await rm(path.join(outDir, 'semantic-head.json'), { force: true });
  for (const stale of ['semantic', path.join('annotations', PANOPTIC_NAME)]) await rm(path.join(outDir, stale), { recursive: true, force: true });
  const writer = new OutputWriter(outDir, outputCategories(clusters.thingK, clusters.stuffK));
  const ids = assignImageIds(metas.map((m) => m.key));
  const photos: PhotoToLabel[] = [];
  let firstInstance = 0;
  metas.forEach((meta, i) => {
    const [height, width] = meta.photoSizeHW;
    const own = Array.from(clusters.instanceClusters.subarray(firstInstance, firstInstance + meta.instances.length));
    photos.push({ image: { id: ids[i], file_name: meta.key, height, width }, meta, own });
    firstInstance += meta.instances.length;
  });
  const ms: number[] = [];
  let writeMs = 0;
  await labelPhotos({ dir, config, clusters, categories: writer.categories }, photos, jobs, async (_, { labelsMs, ...encoded }) => {
    const t0 = performance.now();
    await writer.addImage(encoded);
    ms.push(labelsMs);
    writeMs += performance.now() - t0;
    bar.tick({ labels: labelsMs, write: performance.now() - t0 });
  });
  return { ms, writeMs, writer };
}
