// STEGO's head in a batch run (method.md §4): trained in phase 2 on the cached tokens of (up to
// STEGO_MAX_TRAIN_PHOTOS of) the photos, then used like the app uses it: the stuff clusters are fitted on
// its codes and every photo's semantic map is scored in that space.
//
// Memory: each training photo is kept only as its projected rows (64 of 768 channels), read from
// the cache one photo at a time; the projection itself is fitted on the token sample phase 2 holds.
import { fitProjection, type TokenProjection } from '../core/stego/projection';
import { semanticHeadOf, type SemanticHead } from '../core/stego/semantic-head';
import { drainStego, photoRows, STEGO_DEFAULTS, STEGO_MIN_PHOTOS, stegoTrainingOnRows, type PhotoRows, type StegoModel, type StegoProgress, type StegoTrainOptions } from '../core/stego/train';
import { readEntryArrays, type CacheEntryMeta } from './cache';
import type { ProgressSink } from './progress';
import { StegoHelperThread } from './stego-threads';

export type SemanticChoice = 'auto' | 'stego' | 'kmeans';
export const SEMANTIC_CHOICES: readonly SemanticChoice[] = ['auto', 'stego', 'kmeans'];

/** Photos the head trains on at most (evenly strided); every photo is labelled with it. */
export const STEGO_MAX_TRAIN_PHOTOS = 2000;

export interface BatchSemanticHead {
  head: SemanticHead;
  /** Written into clusters.json: no timings, so a rerun (or a queued run) writes the same bytes. */
  summary: { method: 'stego'; photos: number; trainedOn: number; steps: number; finalLoss: number; options: StegoTrainOptions };
  /** semantic-head.json: enough to label new photos exactly as this run did. */
  json: Record<string, unknown>;
}

function strided<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)]);
}

export async function trainBatchSemanticHead(
  dir: string,
  metas: readonly CacheEntryMeta[],
  tokenSamples: readonly Float32Array[],
  opts: { choice: SemanticChoice; stego: Partial<StegoTrainOptions>; progress: ProgressSink | null; threads?: number },
): Promise<BatchSemanticHead | null> {
  if (opts.choice === 'kmeans' || (opts.choice === 'auto' && metas.length < STEGO_MIN_PHOTOS)) return null;
  // Booting the helper takes about a second: it boots while the projection is fitted.
  const booting = (opts.threads ?? 1) >= 2 ? StegoHelperThread.start() : null;
  booting?.catch(() => undefined);
  let helper: StegoHelperThread | null = null;
  try {
    const options: StegoTrainOptions = { ...STEGO_DEFAULTS, ...opts.stego };
    const tokenDim = metas[0].tokenDim;
    const started = performance.now();
    const projection = fitProjection(tokenSamples, tokenDim, { outDim: options.projectionDim, seed: options.seed });
    const chosen = strided(metas, STEGO_MAX_TRAIN_PHOTOS);
    const rows: PhotoRows[] = [];
    for (const meta of chosen) rows.push(photoRows(projection, (await readEntryArrays(dir, meta)).tokens));
    opts.progress?.write(`phase 2: training STEGO's head on ${rows.length} photos (${options.steps} steps${booting ? ', 2 threads' : ''})\n`);
    helper = await startedOrNull(booting, opts.progress);
    const model = trainStegoModel(projection, rows, options, helper, opts.progress);
    const head = semanticHeadOf(model);
    opts.progress?.write(`phase 2: STEGO's head trained in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    const summary = { method: 'stego' as const, photos: metas.length, trainedOn: rows.length, steps: model.steps, finalLoss: model.history.at(-1)?.loss ?? 0, options };
    const json = {
      ...summary,
      projection: { tokenDim: projection.tokenDim, outDim: projection.outDim, varianceKept: projection.varianceKept, mean: Array.from(projection.mean), basis: Array.from(projection.basis) },
      shape: head.shape,
      params: Array.from(head.params),
    };
    return { head, summary, json };
  } finally {
    // A helper that booted after a failure before training is stopped as well.
    await (helper ?? (await booting?.catch(() => null)))?.close();
  }
}

/** The head, on two threads where a helper is at hand; trained again on one if the helper fails (the same result). */
export function trainStegoModel(projection: TokenProjection, rows: readonly PhotoRows[], options: StegoTrainOptions, helper: StegoHelperThread | null, progress: ProgressSink | null): StegoModel {
  const report = (p: StegoProgress) => {
    if (p.step % 100 === 0 || p.step === p.totalSteps) progress?.write(`  step ${p.step}/${p.totalSteps}: loss ${p.loss.toFixed(4)} (${p.msPerStep.toFixed(0)} ms/step)\n`);
  };
  if (helper) {
    try {
      return drainStego(stegoTrainingOnRows(projection, rows, options, helper.parallel()), report);
    } catch (err) {
      progress?.write(`phase 2: ${(err as Error).message}; training again on one thread\n`);
    }
  }
  return drainStego(stegoTrainingOnRows(projection, rows, options), report);
}

/** The booted helper; null where none was asked for, or where it failed to start (one thread then: the same result). */
async function startedOrNull(booting: Promise<StegoHelperThread> | null, progress: ProgressSink | null): Promise<StegoHelperThread | null> {
  try {
    return booting && (await booting);
  } catch (err) {
    progress?.write(`phase 2: STEGO's helper thread did not start (${(err as Error).message}); training on one thread\n`);
    return null;
  }
}
