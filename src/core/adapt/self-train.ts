// Self-training (method.md §6): fit the head to the pseudo labels of every session image, re-predict
// all of them; optionally a second round fitted to the first round's confident re-predictions.
//
// Round 2 targets: each patch's round-1 argmax class where its probability reaches minConfidence,
// void otherwise (the usual confidence filter of self-training). Round 2 starts from fresh weights
// with the next seed, so it learns only from the re-predicted labels. When no patch is confident
// enough there is nothing to learn from, and only round 1 comes back.
import type { HeadClasses, PatchHead } from './head';
import { predictImage, type HeadPrediction, type PredictOptions } from './predict';
import { IGNORE_TARGET, inputStatistics, trainHead, type EpochProgress, type TrainOptions, type TrainingImage } from './train';
import type { SizeHW } from '../pipeline/upsample';

export interface SessionImage {
  /** [gridH·gridW, tokenDim] row-major. */
  tokensRowMajor: Float32Array;
  gridH: number;
  gridW: number;
  labelSizeHW: SizeHW;
  /** Pseudo-label class per patch (IGNORE_TARGET for void), e.g. from patchTargetsFromClassMap. */
  pseudoTargets: Uint8Array;
}

export interface SelfTrainOptions {
  rounds: 1 | 2;
  /** Round-2 targets need at least this round-1 probability. */
  minConfidence: number;
  train: Partial<TrainOptions>;
  predict: Partial<PredictOptions>;
  /** Called per epoch with the round (1-based). */
  onEpoch?: (round: number, progress: EpochProgress) => void;
  shouldStop?: () => boolean;
}

export const SELF_TRAIN_DEFAULTS: SelfTrainOptions = { rounds: 2, minConfidence: 0.5, train: {}, predict: {} };

export interface SelfTrainRound {
  round: number;
  head: PatchHead;
  history: EpochProgress[];
  stopped: boolean;
  /** Re-predictions of every session image, in input order. */
  predictions: HeadPrediction[];
}

/** Round-1 argmax per patch where confident enough, else void. */
export function confidentTargets(prediction: HeadPrediction, classCount: number, minConfidence: number): Uint8Array {
  const { patchClasses, patchProbabilities } = prediction;
  return Uint8Array.from(patchClasses, (c, p) => (patchProbabilities[p * classCount + c] >= minConfidence ? c : IGNORE_TARGET));
}

function runRound(
  round: number, images: readonly SessionImage[], targets: readonly Uint8Array[], tokenDim: number, classes: HeadClasses,
  opts: SelfTrainOptions,
): SelfTrainRound {
  const training: TrainingImage[] = images.map((im, i) => ({ tokensRowMajor: im.tokensRowMajor, targets: targets[i] }));
  const inputStats = opts.train.inputStats ?? inputStatistics(images.map((im) => im.tokensRowMajor), tokenDim);
  const seed = (opts.train.seed ?? 0) + round - 1;
  const result = trainHead(training, tokenDim, classes, {
    ...opts.train, seed, inputStats, shouldStop: opts.shouldStop, onEpoch: (p) => opts.onEpoch?.(round, p),
  });
  const predictions = images.map((im) => predictImage(result.head, im.tokensRowMajor, im.gridH, im.gridW, im.labelSizeHW, opts.predict));
  return { round, head: result.head, history: result.history, stopped: result.stopped, predictions };
}

/**
 * Both rounds' heads and predictions (one round when options.rounds is 1, when round 1 was
 * stopped, or when no round-1 patch is confident). Input standardisation uses every session token.
 */
export function selfTrain(images: readonly SessionImage[], tokenDim: number, classes: HeadClasses, options: Partial<SelfTrainOptions> = {}): SelfTrainRound[] {
  const opts: SelfTrainOptions = { ...SELF_TRAIN_DEFAULTS, ...options };
  if (!images.length) throw new Error('self-training needs at least one image');
  const first = runRound(1, images, images.map((im) => im.pseudoTargets), tokenDim, classes, opts);
  if (opts.rounds === 1 || first.stopped) return [first];
  const classCount = classes.names.length;
  const targets = first.predictions.map((p) => confidentTargets(p, classCount, opts.minConfidence));
  if (targets.every((t) => t.every((c) => c === IGNORE_TARGET))) return [first];
  return [first, runRound(2, images, targets, tokenDim, classes, { ...opts, train: { ...opts.train, inputStats: first.head.input } })];
}
